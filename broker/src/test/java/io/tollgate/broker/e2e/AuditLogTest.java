package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who changed what and when, in the catalog and in billing, over the API; each tenant sees only its own. */
class AuditLogTest {
  private static TestBroker broker;

  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final Duration PAST_PERIOD_AND_GRACE = Duration.ofMinutes(70);

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static List<String> actions(JsonNode log) {
    List<String> actions = new ArrayList<>();
    log.get("data").forEach(entry -> actions.add(entry.get("actor").asText() + " " + entry.get("action").asText()
        + " " + entry.get("target").asText()));
    return actions;
  }

  @Test
  void everyCatalogChangeIsLoggedWithItsActorAndEachAccountSeesOnlyItsOwn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("audited", 1);
    assertEquals(201, broker.post("/v1/topics", t.producerKey(), "application/json",
        "{\"name\":\"audited.refunds\",\"domain\":\"audited\"}").status());
    String subscription = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + t.plan() + "\"}")
        .body().get("id").asText();
    List<String> all = actions(broker.get("/v1/audit?limit=1000", broker.adminKey()).body());
    assertTrue(all.contains("admin account_created " + t.producer()), all.toString());
    assertTrue(all.contains("admin domain_created audited"), all.toString());
    assertTrue(all.contains(t.producer() + " topic_created audited.refunds"), all.toString());
    assertTrue(all.contains(t.consumer() + " subscription_created " + subscription), all.toString());
    assertTrue(all.contains("tollgate topic_created tollgate.invoices"), "the platform's own entries too");

    JsonNode own = broker.get("/v1/audit", t.producerKey()).body();
    assertFalse(own.get("data").isEmpty());
    own.get("data").forEach(entry -> assertEquals(t.producer(), entry.get("actor").asText()));
    assertTrue(own.toString().indexOf("secret") < 0, "a key's secret hash is never shown");

    assertEquals("forbidden", broker.get("/v1/audit", t.consumerKey()).errorCode(), "a key without admin scope");
    assertEquals("forbidden", broker.get("/v1/audit?actor=admin", t.producerKey()).errorCode());
    assertEquals("unauthenticated", broker.get("/v1/audit", null).errorCode());

    assertEquals(all, pagedActions(broker.adminKey(), 2), "pages follow each other without gaps or repeats");
    assertEquals("invalid_limit", broker.get("/v1/audit?limit=0", broker.adminKey()).errorCode());
    assertEquals("invalid_after", broker.get("/v1/audit?after=12", broker.adminKey()).errorCode());
  }

  /** The whole log read a page at a time. */
  private static List<String> pagedActions(String key, int pageSize) throws Exception {
    List<String> actions = new ArrayList<>();
    String after = "";
    while (true) {
      JsonNode page = broker.get("/v1/audit?limit=" + pageSize + after, key).body();
      actions.addAll(actions(page));
      if (!page.has("next_after")) {
        return actions;
      }
      after = "&after=" + page.get("next_after").asText();
    }
  }

  private static String invoiceOf(TestBroker.Tenancy t) {
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").size() == 1);
    try {
      return broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").get(0)
          .get("id").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void billingActionsAreLoggedWithTheirActorAndTimeAndEachAccountSeesThoseOnItsOwnAccount() throws Exception {
    String feePlan = """
        {"name":"fee","currency":"USD","recurring_fee":"5.00","price":{"model":"per_unit","unit_amount":"0.10"}}""";
    TestBroker.Tenancy paying = broker.tenancy("paying", 1, feePlan);
    TestBroker.Tenancy voided = broker.tenancy("voided", 1, feePlan);
    Instant toppedUpAt = clock.instant();
    assertEquals(201, broker.post("/v1/accounts/" + paying.consumer() + "/wallet/top-ups", broker.adminKey(),
        "application/json", "{\"amount\":\"1.00\",\"currency\":\"USD\",\"idempotency_key\":\"order-1\"}").status());
    clock.advance(PAST_PERIOD_AND_GRACE);
    String paidInvoice = invoiceOf(paying);
    String voidInvoice = invoiceOf(voided);
    Instant correctedAt = clock.instant();
    TestBroker.Reply credited = broker.post("/v1/invoices/" + paidInvoice + "/credit-notes", broker.adminKey(),
        "application/json", "{\"amount\":\"0.50\",\"reason\":\"outage\",\"idempotency_key\":\"ticket-1\"}");
    assertEquals(201, credited.status(), String.valueOf(credited.body()));
    String creditNote = credited.body().get("credit_notes").get(0).get("id").asText();
    assertEquals(200, broker.post("/v1/invoices/" + paidInvoice + "/pay", broker.adminKey(), "application/json", "").status());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, broker.post("/v1/invoices/" + voidInvoice + "/void", broker.adminKey(), "application/json", "").status());

    List<JsonNode> billing = billingEntries(broker.get("/v1/audit?limit=1000", broker.adminKey()).body());
    assertEquals(List.of("admin wallet_topped_up " + paying.consumer(), "admin credit_note_issued " + creditNote,
            "admin invoice_status_changed " + paidInvoice, "admin invoice_status_changed " + voidInvoice),
        billing.stream().map(entry -> entry.get("actor").asText() + " " + entry.get("action").asText() + " "
            + entry.get("target").asText()).toList());
    assertEquals(toppedUpAt.toString(), billing.get(0).get("at").asText());
    assertEquals("1.00", billing.get(0).get("amount").asText());
    assertEquals(correctedAt.toString(), billing.get(1).get("at").asText());
    assertEquals(paidInvoice, billing.get(1).get("invoice").asText());
    assertEquals("paid", billing.get(2).get("status").asText());
    assertEquals("void", billing.get(3).get("status").asText());
    assertEquals(voided.consumer(), billing.get(3).get("account").asText());

    String payingAdmin = broker.admin().createKey(paying.consumer(), List.of("admin")).get("secret").asText();
    JsonNode own = broker.get("/v1/audit", payingAdmin).body();
    assertEquals(List.of(paying.consumer(), paying.consumer(), paying.consumer()),
        billingEntries(own).stream().map(entry -> entry.get("account").asText()).toList(),
        "an account sees the billing actions on its own account, and no other's");
    own.get("data").forEach(entry -> assertTrue(entry.get("log").asText().equals("billing")
        || entry.get("actor").asText().equals(paying.consumer()), entry.toString()));
    assertTrue(billingEntries(broker.get("/v1/audit?actor=" + paying.consumer(), payingAdmin).body()).isEmpty(),
        "the actor filter applies to billing entries too");
    assertEquals(billingEntries(broker.get("/v1/audit?limit=1000&actor=admin", broker.adminKey()).body()), billing);
    assertEquals("forbidden", broker.get("/v1/audit", paying.consumerKey()).errorCode());
  }

  private static List<JsonNode> billingEntries(JsonNode log) {
    List<JsonNode> entries = new ArrayList<>();
    log.get("data").forEach(entry -> {
      if (entry.get("log").asText().equals("billing")) {
        entries.add(entry);
      }
    });
    return entries;
  }

  @Test
  void aRestartedNodeGoesOnFromTheReadSidesPositionsWithoutRepeatingAnEntry() throws Exception {
    java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("tollgate-audit");
    List<String> before;
    long readBefore;
    try (TestBroker first = TestBroker.startIn(dataDir, Map.of(), clock)) {
      TestBroker.Tenancy t = first.tenancy("restarted", 1);
      before = actions(first.get("/v1/audit?limit=1000", first.adminKey()).body());
      readBefore = metric(first, "tollgate_audit_entries_read");
      assertTrue(before.contains(t.consumer() + " subscription_created " + t.subscription())
          || before.contains("admin subscription_created " + t.subscription()), before.toString());
    }
    try (TestBroker second = TestBroker.startIn(dataDir, Map.of(), clock)) {
      String account = second.admin().createAccount("after restart").get("id").asText();
      List<String> after = actions(second.get("/v1/audit?limit=1000", second.adminKey()).body());
      List<String> expected = new ArrayList<>(before);
      expected.add("admin account_created " + account);
      assertEquals(expected, after, "what was indexed before the restart, once, then the new change");
      long readAfter = metric(second, "tollgate_audit_entries_read");
      assertTrue(readAfter <= 2 && readBefore >= 10, "after the restart the read side read " + readAfter
          + " entries (the new change, and the new account's first billing entry at most), not the "
          + readBefore + " it had indexed");
    }
  }

  @Test
  void aCursorPastTheAuditRetentionIsRefusedAsExpiredAndAPageWithoutOneStartsAtTheOldestEntryKept() throws Exception {
    MutableClock ownClock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    try (TestBroker node = TestBroker.start(Map.of("tollgate.audit.retention", "1h"), ownClock)) {
      String early = node.admin().createAccount("early").get("id").asText();
      JsonNode firstPage = node.get("/v1/audit?limit=1", node.adminKey()).body();
      String cursor = firstPage.get("next_after").asText();
      ownClock.advance(Duration.ofMinutes(61));
      String late = node.admin().createAccount("late").get("id").asText();

      TestBroker.Reply expired = node.get("/v1/audit?after=" + cursor, node.adminKey());
      assertEquals(410, expired.status(), String.valueOf(expired.body()));
      assertEquals("audit_cursor_expired", expired.errorCode());
      List<String> kept = actions(node.get("/v1/audit?limit=1000", node.adminKey()).body());
      assertTrue(kept.contains("admin account_created " + late), kept.toString());
      assertFalse(kept.contains("admin account_created " + early), "past the retention: " + kept);
    }
  }

  /** A metric's value from the node's {@code /metrics}. */
  private static long metric(TestBroker node, String name) throws Exception {
    java.net.http.HttpResponse<String> scrape = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.baseUrl() + "/metrics"))
            .header("Authorization", "Bearer " + node.adminKey()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name) + " (\\S+)$")
        .matcher(scrape.body());
    assertTrue(line.find(), name + " in " + scrape.body());
    return (long) Double.parseDouble(line.group(1));
  }
}
