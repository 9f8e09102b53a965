package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless browser (Debian's chromium and chromedriver, driven by
 * Selenium) against a real node with real data: each view as the operator, a producer and a
 * consumer, and tenant isolation in the console as in the API. One browser serves the class.
 * Every view is photographed into target/console-screenshots, and also into the directory the
 * system property {@code tollgate.console.screenshots} names (bench/console-screenshots.sh: docs/img).
 */
class ConsoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final String HOSTILE_NAME = "<img src=x onerror=\"window.pwned=1\">Evil feed";
  private static TestBroker broker;
  private static ChromeDriver browser;
  private static WebDriverWait wait;
  private static TestBroker.Tenancy shop;
  private static String otherConsumerKey;
  private static String otherSubscription;
  private static String otherInvoice;
  private static String shopInvoice;
  private static String sparePlan;
  /** A key of the shop's consumer with the admin scope, which managing keys takes. */
  private static String consumerAdminKey;
  /** A product of the shop's, and its plan, that the producer edits and retires in the console. */
  private static String extras;
  private static String extrasPlan;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms"), clock);
    TollgateAdmin admin = broker.admin();
    shop = broker.tenancy("shop", 2, """
        {"name":"metered","currency":"USD","revenue_share":"0.70","recurring_fee":"5.00",
         "quota":{"events_per_period":1000,"on_exceed":"block"},
         "price":{"model":"per_unit","unit_amount":"0.10"}}""");
    sparePlan = admin.createPerUnitPlan(shop.product(), "starter", "USD", "0.20").get("id").asText();
    consumerAdminKey = admin.createKey(shop.consumer(), List.of("admin")).get("secret").asText();
    String other = admin.createAccount("rival consumer").get("id").asText();
    otherConsumerKey = admin.createKey(other, List.of("subscribe", "read")).get("secret").asText();
    otherSubscription = admin.createSubscription(other, shop.product(), shop.plan(), "beginning").get("id").asText();
    ObjectNode hostile = (ObjectNode) JSON.readTree("{\"owner\":\"" + shop.producer() + "\",\"topics\":[\"" + shop.topic()
        + "\"],\"visibility\":\"public\"}");
    hostile.put("name", HOSTILE_NAME).put("description", "<script>window.pwned=2</script> a feed");
    assertEquals(201, broker.post("/v1/products", shop.producerKey(), "application/json", hostile.toString()).status());

    extras = admin.createProduct("shop extras", shop.producer(), List.of(shop.topic()), "public").get("id").asText();
    extrasPlan = admin.createPerUnitPlan(extras, "extra", "USD", "0.05").get("id").asText();

    publish(0, 12);
    consume(shop.consumerKey(), shop.subscription(), 12);
    clock.advance(Duration.ofMinutes(70));
    await().atMost(Duration.ofSeconds(20)).until(() -> invoices(shop.consumer(), shop.consumerKey()).size() == 1
        && invoices(other, otherConsumerKey).size() == 1);
    shopInvoice = invoices(shop.consumer(), shop.consumerKey()).get(0).get("number").asText();
    otherInvoice = invoices(other, otherConsumerKey).get(0).get("number").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/accounts/" + shop.producer() + "/statements",
        shop.producerKey()).body().get("data").size() == 1);
    publish(12, 5);
    consume(shop.consumerKey(), shop.subscription(), 5);
    publish(17, 3);

    HeadlessChromium.ensureInstalled();
    ChromeOptions options = new ChromeOptions().setBinary(HeadlessChromium.BROWSER.toString())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(HeadlessChromium.DRIVER.toFile()).build(), options);
    // A view that redraws itself (the overview every 2 s, a subscription's preview) replaces its
    // elements: one found just before a redraw is stale when read, and is found again. A page on a
    // loaded two-core machine, which the browser, the node and the test share, can take seconds.
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    broker.close();
  }

  /** No page broke the content security policy or threw, and nothing from the API ran as script. */
  @AfterEach
  void theBrowserLoggedNoErrors() {
    List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        // refusals the tests provoke (a wrong key, another tenant's subscription; analytics where absent)
        .filter(entry -> !entry.getMessage().contains("Failed to load resource: the server responded with a status of 4"))
        .toList();
    assertEquals(List.of(), severe.stream().map(LogEntry::getMessage).toList());
    assertNull(browser.executeScript("return window.pwned"), "nothing from the API ran as script");
  }

  private static List<JsonNode> invoices(String account, String key) throws Exception {
    List<JsonNode> list = new java.util.ArrayList<>();
    broker.get("/v1/accounts/" + account + "/invoices", key).body().get("data").forEach(list::add);
    return list;
  }

  private static void publish(int from, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), shop.producerKey())) {
      publisher.publish(shop.topic(), Events.numbered("/orders", from, count)).get(10, TimeUnit.SECONDS);
    }
  }

  private static void consume(String key, String subscription, int count) throws Exception {
    long before = broker.get("/v1/subscriptions/" + subscription, key).body().get("usage").get("events").asLong();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), key, subscription)
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/subscriptions/" + subscription, key).body()
        .get("usage").get("events").asLong() == before + count);
  }

  // ---- helpers --------------------------------------------------------------------------

  private static void signIn(String secret) {
    browser.get(broker.baseUrl().toString());
    browser.executeScript("sessionStorage.clear()");
    browser.navigate().refresh();
    WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("credential")));
    field.sendKeys(secret);
    browser.findElement(By.cssSelector("#sign-in button")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-out")));
  }

  private static WebElement open(String route, String waitFor) {
    browser.get(broker.baseUrl() + "/#/" + route);
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(waitFor)));
  }

  /** The element's text, found again if a redraw replaced it between finding and reading. */
  private static String text(String id) {
    return textOf(By.id(id));
  }

  private static String textOf(By element) {
    return wait.until(driver -> driver.findElement(element).getText());
  }

  private static void waitForText(String id, String expected) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), expected));
  }

  private static int livePoints() {
    String points = browser.findElement(By.id("live-rates")).getAttribute("data-points");
    return points == null ? 0 : Integer.parseInt(points);
  }

  private static String statValue(String id) {
    return textOf(By.cssSelector("#" + id + " .value"));
  }

  private static String page() {
    return browser.findElement(By.tagName("main")).getText();
  }

  private static void screenshot(String name) throws IOException {
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Path own = Path.of("target", "console-screenshots");
    Files.createDirectories(own);
    Files.copy(shot, own.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    String docs = System.getProperty("tollgate.console.screenshots");
    if (docs != null && !docs.isBlank()) {
      Files.copy(shot, Path.of(docs).resolve("console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---- the operator ---------------------------------------------------------------------

  @Test
  void theOperatorSeesALiveOverviewWithChartsAndSaysWhereAnalyticsAreMissing() throws Exception {
    signIn(broker.adminKey());
    open("overview", "overview-stats");
    // at least what the fixture published and consumed (another test may publish more)
    wait.until(driver -> Long.parseLong(statValue("stat-published")) >= 20);
    wait.until(driver -> Long.parseLong(statValue("stat-delivered")) >= 17);
    assertTrue(text("stat-nodes").contains("ready"), text("stat-nodes"));
    assertEquals("1", statValue("stat-nodes"), "one node up");
    waitForText("cluster-members-table", "answering");
    assertTrue(text("cluster-members-table").contains("up") && text("cluster-members-table").contains("leader"),
        text("cluster-members-table"));
    // the live chart samples /metrics every 2 s: events published and delivered between samples show as rates
    for (int batch = 0; batch < 4; batch++) {
      int points = livePoints();
      publish(1000 + 100 * batch, 10 * (batch + 1));
      consume(otherConsumerKey, otherSubscription, 5 * (batch + 1));
      wait.until(driver -> livePoints() > points);
    }
    wait.until(driver -> !driver.findElements(By.cssSelector("#live-rates canvas")).isEmpty());
    wait.until(driver -> !driver.findElement(By.id("analytics-topics")).getText().contains("Loading"));
    // a chart, "no data", or, on a node without GET /v1/analytics, "analytics unavailable"; never an error
    assertTrue(browser.findElements(By.cssSelector("#analytics-topics .error")).isEmpty(), text("analytics-topics"));
    screenshot("operator-overview");
  }

  @Test
  void theOperatorSeesEveryAccountItsKeysAndInvoicesAndTheAuditLog() throws Exception {
    signIn(broker.adminKey());
    open("accounts", "accounts-table");
    assertTrue(text("accounts-table").contains("shop consumer") && text("accounts-table").contains("rival consumer"));
    screenshot("operator-accounts");
    open("accounts/" + shop.consumer(), "account-keys");
    waitForText("account-invoices", shopInvoice);
    assertTrue(text("account-keys").contains("read, subscribe"), text("account-keys"));
    open("invoices", "invoices-table");
    assertTrue(text("invoices-table").contains(shopInvoice) && text("invoices-table").contains(otherInvoice));
    screenshot("operator-invoices");
    open("audit", "audit-table");
    assertTrue(text("audit-table").contains("product_created"), text("audit-table"));
    screenshot("operator-audit");
  }

  // ---- the producer ---------------------------------------------------------------------

  @Test
  void theProducerSeesItsTopicsProductsPlansSubscribersAndRevenue() throws Exception {
    signIn(shop.producerKey());
    open("catalog", "producer-topics");
    assertTrue(text("producer-domains").contains("shop"));
    assertTrue(text("producer-topics").contains(shop.topic()));
    String plans = text("plans-" + shop.product());
    assertTrue(plans.contains("metered") && plans.contains("starter") && plans.contains("1000 / period"), plans);
    assertTrue(page().contains(HOSTILE_NAME), "a product's name shows as text");
    screenshot("producer-catalog");
    open("subscribers", "subscribers-table");
    assertTrue(text("subscribers-table").contains(shop.subscription()), text("subscribers-table"));
    assertTrue(text("subscribers-table").contains(otherSubscription), text("subscribers-table"));
    screenshot("producer-subscribers");
    open("revenue", "statements-table");
    assertTrue(text("statements-table").contains("USD"), text("statements-table"));
    wait.until(driver -> !driver.findElements(By.cssSelector("#revenue-chart canvas")).isEmpty());
    screenshot("producer-revenue");
  }

  @Test
  void theProducerEditsAProductAndRetiresAPlanAndTheProduct() throws Exception {
    signIn(shop.producerKey());
    open("catalog", "edit-" + extras);
    WebElement description = browser.findElement(By.id("description-" + extras));
    description.clear();
    description.sendKeys("<b>Edited</b> in the console");
    new Select(browser.findElement(By.id("visibility-" + extras))).selectByValue("private");
    browser.findElement(By.cssSelector("#edit-" + extras + " button")).click();
    waitForText("product-" + extras, "private");
    assertTrue(page().contains("<b>Edited</b> in the console"), "a description shows as text");
    JsonNode edited = broker.get("/v1/products/" + extras, shop.producerKey()).body();
    assertEquals("<b>Edited</b> in the console", edited.get("description").asText());
    assertEquals("private", edited.get("visibility").asText());

    browser.findElement(By.cssSelector("button.retire-plan[data-plan='" + extrasPlan + "']")).click();
    waitForText("plans-" + extras, "retired");
    assertTrue(broker.get("/v1/plans/" + extrasPlan, shop.producerKey()).body().has("retired_at"));
    browser.findElement(By.cssSelector("button.retire-product[data-product='" + extras + "']")).click();
    waitForText("product-" + extras, "retired");
    assertTrue(broker.get("/v1/products/" + extras, shop.producerKey()).body().has("retired_at"));
    assertTrue(browser.findElements(By.cssSelector("button.retire-product[data-product='" + extras + "']")).isEmpty(),
        "a retired product offers no retire button");
    screenshot("producer-edit");
  }

  // ---- the consumer ---------------------------------------------------------------------

  @Test
  void theConsumerSearchesTheCatalogReadsTheAsyncApiDocumentAndSubscribes() throws Exception {
    signIn(shop.consumerKey());
    open("browse", "catalog-results");
    waitForText("catalog-results", "shop orders");
    browser.findElement(By.id("catalog-query")).sendKeys("evil");
    browser.findElement(By.cssSelector("#catalog-search button")).click();
    wait.until(ExpectedConditions.not(ExpectedConditions.textToBePresentInElementLocated(By.id("catalog-results"),
        "shop orders")));
    assertTrue(text("catalog-results").contains(HOSTILE_NAME), text("catalog-results"));
    screenshot("consumer-catalog");
    open("browse/" + shop.product(), "asyncapi");
    assertTrue(text("asyncapi").contains(shop.topic()) && text("asyncapi").contains("AsyncAPI 3"), text("asyncapi"));
    screenshot("consumer-product");
    browser.findElement(By.cssSelector("button.subscribe[data-plan='" + sparePlan + "']")).click();
    waitForText("subscribe-outcome", "Subscribed: sub_");
    String created = text("subscribe-outcome").replace("Subscribed: ", "").strip();
    JsonNode subscription = broker.get("/v1/subscriptions/" + created, shop.consumerKey()).body();
    assertEquals(sparePlan, subscription.get("plan").asText());
    assertEquals(shop.consumer(), subscription.get("account").asText());
  }

  @Test
  void theConsumerWatchesALivePreviewThatNeitherAcknowledgesNorBills() throws Exception {
    JsonNode before = broker.get("/v1/subscriptions/" + shop.subscription(), shop.consumerKey()).body();
    signIn(shop.consumerKey());
    open("subscriptions", "subscriptions-table");
    assertTrue(text("subscriptions-table").contains(shop.subscription()));
    open("subscriptions/" + shop.subscription(), "preview-table");
    assertTrue(text("preview-table").contains("/orders") || text("preview-table").contains("19"), text("preview-table"));
    publish(777, 1);
    waitForText("preview-table", "e777");
    screenshot("consumer-preview");
    JsonNode after = broker.get("/v1/subscriptions/" + shop.subscription(), shop.consumerKey()).body();
    assertEquals(before.get("acked"), after.get("acked"), "the preview acknowledged nothing");
    assertEquals(before.get("usage"), after.get("usage"), "the preview billed nothing");
  }

  @Test
  void theConsumerCreatesAKeyAndSeesItsSecretOnce() throws Exception {
    signIn(consumerAdminKey);
    open("keys", "keys-table");
    browser.findElement(By.cssSelector("#create-key button")).click();
    waitForText("new-secret", "not shown again");
    String secret = text("secret-value");
    assertTrue(secret.startsWith("key_"), secret);
    assertEquals(200, broker.get("/v1/accounts/" + shop.consumer(), secret).status(), "the new key works");
    String id = secret.substring(0, secret.indexOf('.'));
    waitForText("keys-table", id);
    screenshot("consumer-keys");
  }

  @Test
  void theConsumerSeesUsageAgainstItsQuotaItsInvoicesAndWallet() throws Exception {
    signIn(shop.consumerKey());
    open("billing", "usage-table");
    assertTrue(text("usage-table").contains("5 of 1000"), text("usage-table"));
    assertTrue(text("consumer-invoices").contains(shopInvoice), text("consumer-invoices"));
    assertTrue(text("upcoming-lines").contains("USD"), text("upcoming-lines"));
    screenshot("consumer-billing");
  }

  // ---- isolation ------------------------------------------------------------------------

  @Test
  void aConsumerSeesNothingOfAnotherTenantInTheConsole() throws Exception {
    signIn(shop.consumerKey());
    open("billing", "consumer-invoices");
    assertFalse(page().contains(otherInvoice), "another consumer's invoice");
    open("subscriptions", "subscriptions-table");
    assertFalse(page().contains(otherSubscription), "another consumer's subscription");
    browser.get(broker.baseUrl() + "/#/subscriptions/" + otherSubscription);
    wait.until(driver -> driver.findElement(By.tagName("main")).getText().contains("subscription_not_found"));
    assertFalse(page().contains("rival"));
    open("accounts", "view-browse");
    assertTrue(browser.findElement(By.id("nav")).getText().startsWith("CONSUMER"), "a consumer's own views come first");
    assertFalse(browser.findElement(By.id("nav")).getText().contains("Accounts"), "no operator views for a consumer");
    assertFalse(page().contains("rival consumer"));
  }

  @Test
  void aWrongCredentialIsRefusedAndNothingIsKept() {
    browser.get(broker.baseUrl().toString());
    browser.executeScript("sessionStorage.clear()");
    browser.navigate().refresh();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("credential"))).sendKeys("key_nobody.nothing");
    browser.findElement(By.cssSelector("#sign-in button")).click();
    waitForText("sign-in-error", "invalid_key");
    assertNull(browser.executeScript("return sessionStorage.getItem('tollgate.credential')"));
  }

  @Test
  void theOpenApiDocumentIsRenderedUnderTheSameStrictPolicy() throws Exception {
    browser.get(broker.baseUrl() + "/console/openapi.html");
    wait.until(driver -> driver.findElement(By.id("swagger")).getText().contains("/v1/subscriptions/{subscription}/preview"));
    screenshot("openapi");
  }
}
