package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Public and private products over HTTP: what another tenant sees of them on every read, what it
 * may subscribe to, and the catalog search with its pages and its errors.
 */
class CatalogApiTest {
  private static TestBroker broker;
  private static TestBroker.Tenancy shop;
  private static String privateProduct;
  private static String privatePlan;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    shop = broker.tenancy("bazaar", 1);
    assertEquals(201, broker.post("/v1/topics", shop.producerKey(), "application/json",
        "{\"name\":\"bazaar.refunds\",\"domain\":\"bazaar\"}").status());
    TestBroker.Reply created = broker.post("/v1/products", shop.producerKey(), "application/json",
        "{\"name\":\"Refund feed\",\"owner\":\"" + shop.producer() + "\",\"topics\":[\"bazaar.refunds\"],"
            + "\"description\":\"Refunds as they are granted\",\"visibility\":\"private\"}");
    assertEquals(201, created.status(), String.valueOf(created.body()));
    assertEquals("private", created.body().get("visibility").asText());
    assertEquals("Refunds as they are granted", created.body().get("description").asText());
    privateProduct = created.body().get("id").asText();
    JsonNode audit = broker.get("/v1/audit?limit=1000", shop.producerKey()).body().get("data");
    assertTrue(audit.toString().contains("\"target\":\"" + privateProduct + "\",\"owner\":\"" + shop.producer()
        + "\",\"visibility\":\"private\""), "the audit log says who made a product private or public");
    privatePlan = broker.post("/v1/products/" + privateProduct + "/plans", shop.producerKey(), "application/json",
        "{\"name\":\"Insider\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.01\"}}")
        .body().get("id").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aPrivateProductAndWhatOnlyItHoldsAreNotFoundForAnotherTenant() throws Exception {
    String other = shop.consumerKey();
    assertEquals("product_not_found", broker.get("/v1/products/" + privateProduct, other).errorCode());
    assertEquals("product_not_found", broker.get("/v1/products/" + privateProduct + "/plans", other).errorCode());
    assertEquals("plan_not_found", broker.get("/v1/plans/" + privatePlan, other).errorCode());
    assertEquals("topic_not_found", broker.get("/v1/topics/bazaar.refunds", other).errorCode());
    assertEquals("product_not_found", broker.post("/v1/subscriptions", other, "application/json",
        "{\"account\":\"" + shop.consumer() + "\",\"product\":\"" + privateProduct + "\",\"plan\":\"" + privatePlan + "\"}")
        .errorCode(), "what cannot be seen cannot be bought");
    String event = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/test\",\"type\":\"t\"}";
    assertEquals("topic_not_found", broker.post("/v1/topics/bazaar.refunds/events", other, "application/cloudevents+json",
        event).errorCode(), "publishing to a topic it cannot see does not tell whether it exists");
    assertEquals("forbidden", broker.post("/v1/topics/" + shop.topic() + "/events", other, "application/cloudevents+json",
        event).errorCode(), "one it sees, of another account");
    assertFalse(ids(broker.get("/v1/products", other).body()).contains(privateProduct));
    assertFalse(names(broker.get("/v1/topics", other).body()).contains("bazaar.refunds"));

    assertTrue(ids(broker.get("/v1/products", other).body()).contains(shop.product()), "the public one is listed");
    assertTrue(ids(broker.get("/v1/products", other).body()).contains("prod_tollgate_invoices"),
        "the platform's invoice events are public");
    assertEquals(200, broker.get("/v1/topics/" + shop.topic(), other).status());
    assertEquals(200, broker.get("/v1/domains/bazaar", other).status(), "the domain of a topic it sees");

    assertEquals(200, broker.get("/v1/products/" + privateProduct, shop.producerKey()).status());
    assertEquals(200, broker.get("/v1/plans/" + privatePlan, broker.adminKey()).status());
    assertEquals(201, broker.post("/v1/subscriptions", broker.adminKey(), "application/json",
        "{\"account\":\"" + shop.producer() + "\",\"product\":\"" + privateProduct + "\",\"plan\":\"" + privatePlan + "\"}")
        .status(), "the owner may use its own private product");
  }

  /**
   * Domain names are one namespace, so a taken one is refused; but the refusal is the same for a
   * domain the caller cannot see as for one it sees or the platform's own, and names no owner.
   */
  @Test
  void aTakenDomainNameIsRefusedAlikeWhetherTheCallerMaySeeTheDomainOrNot() throws Exception {
    assertEquals(201, broker.post("/v1/domains", broker.adminKey(), "application/json",
        "{\"name\":\"vault\",\"owner\":\"" + shop.producer() + "\"}").status());
    String consumerAdmin = broker.admin().createKey(shop.consumer(), java.util.List.of("admin")).get("secret").asText();
    assertEquals("domain_not_found", broker.get("/v1/domains/vault", consumerAdmin).errorCode());

    java.util.Map<String, String> answers = new java.util.TreeMap<>();
    for (String name : java.util.List.of("vault", "bazaar", "tollgate")) {
      TestBroker.Reply refused = broker.post("/v1/domains", consumerAdmin, "application/json",
          "{\"name\":\"" + name + "\",\"owner\":\"" + shop.consumer() + "\"}");
      assertEquals(409, refused.status(), name);
      String message = refused.body().get("error").get("message").asText();
      assertFalse(message.contains(shop.producer()) || message.contains("exist"), message);
      answers.put(refused.errorCode() + " " + message.replace(name, "NAME"), name);
    }
    assertEquals(1, answers.size(), "one answer for a hidden, a visible and the platform's domain: " + answers.keySet());
    assertEquals("domain_name_unavailable " + "the domain name NAME is not available; choose another",
        answers.keySet().iterator().next());
  }

  @Test
  void aProductsVisibilityAndDescriptionAreChecked() throws Exception {
    String body = "{\"name\":\"x\",\"owner\":\"" + shop.producer() + "\",\"topics\":[\"" + shop.topic() + "\"],";
    assertEquals("invalid_field", broker.post("/v1/products", shop.producerKey(), "application/json",
        body + "\"visibility\":\"secret\"}").errorCode());
    assertEquals("field_too_long", broker.post("/v1/products", shop.producerKey(), "application/json",
        body + "\"description\":\"" + "d".repeat(4097) + "\"}").errorCode());
    String otherAdmin = broker.admin().createKey(shop.consumer(), List.of("admin")).get("secret").asText();
    assertEquals("topic_not_found", broker.post("/v1/products", otherAdmin, "application/json",
        "{\"name\":\"x\",\"owner\":\"" + shop.consumer() + "\",\"topics\":[\"bazaar.refunds\"]}").errorCode(),
        "bundling a topic it cannot see does not tell whether it exists");
    assertEquals("forbidden", broker.post("/v1/products", otherAdmin, "application/json",
        "{\"name\":\"x\",\"owner\":\"" + shop.consumer() + "\",\"topics\":[\"" + shop.topic() + "\"]}").errorCode(),
        "one it sees, of another account's domain");
  }

  @Test
  void theSearchFindsWhatTheCallerSeesBestFirstAPageAtATime() throws Exception {
    JsonNode found = broker.get("/v1/catalog?q=refund", shop.producerKey()).body();
    assertEquals(List.of("product " + privateProduct, "topic bazaar.refunds", "plan " + privatePlan), hits(found));
    assertEquals("Refund feed", found.get("data").get(0).get("name").asText());
    assertEquals("private", found.get("data").get(0).get("visibility").asText());
    assertEquals(List.of(), hits(broker.get("/v1/catalog?q=refund", shop.consumerKey()).body()));

    assertEquals(List.of("product " + shop.product()),
        hits(broker.get("/v1/catalog?q=bazaar+orders&kind=product", shop.consumerKey()).body()));
    assertEquals(List.of("topic bazaar.orders"), hits(broker.get("/v1/catalog?kind=topic&q=bazaar&access_token="
        + shop.consumerKey(), null).body()), "the key as a query parameter is not a search parameter");

    List<String> paged = new ArrayList<>();
    String next = "";
    do {
      JsonNode page = broker.get("/v1/catalog?kind=product,plan,topic,domain&limit=1" + next, shop.consumerKey()).body();
      assertTrue(page.get("data").size() <= 1);
      paged.addAll(hits(page));
      next = page.has("next_after") ? "&after=" + page.get("next_after").asText() : null;
    } while (next != null);
    assertEquals(hits(broker.get("/v1/catalog?limit=100", shop.consumerKey()).body()), paged);
    assertFalse(paged.isEmpty());
  }

  @Test
  void badSearchParametersAreRefusedEachWithItsOwnCode() throws Exception {
    String key = shop.consumerKey();
    assertEquals("invalid_kind", broker.get("/v1/catalog?kind=api", key).errorCode());
    assertEquals("invalid_limit", broker.get("/v1/catalog?limit=1000", key).errorCode());
    assertEquals("invalid_after", broker.get("/v1/catalog?after=abc", key).errorCode());
    assertEquals("invalid_query", broker.get("/v1/catalog?q=" + "x".repeat(201), key).errorCode());
    TestBroker.Reply unknown = broker.get("/v1/catalog?search=orders", key);
    assertEquals(400, unknown.status());
    assertEquals("unknown_parameter", unknown.errorCode());
    assertEquals("unauthenticated", broker.get("/v1/catalog", null).errorCode());
  }

  private static List<String> hits(JsonNode page) {
    List<String> hits = new ArrayList<>();
    page.get("data").forEach(hit -> hits.add(hit.get("kind").asText() + " "
        + (hit.has("id") ? hit.get("id").asText() : hit.get("name").asText())));
    return hits;
  }

  private static List<String> ids(JsonNode list) {
    return list.get("data").findValuesAsText("id");
  }

  private static List<String> names(JsonNode list) {
    return list.get("data").findValuesAsText("name");
  }
}
