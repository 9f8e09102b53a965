package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clock moves through three billing periods of an account with plan changes both ways
 * (per unit, and graduated with an allowance and a fee, each pricing bytes too: per byte, and
 * graduated with free bytes first), top-ups, a credit note, a void after it
 * and a payment; then every invoice, credit note and statement recomputed from the journals
 * matches what was finalized, to the cent.
 */
class BillingVerificationTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final String JSON = "application/json";
  private static TestBroker broker;
  private static final AtomicInteger published = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void invoicesCreditNotesAndStatementsOfSeveralPeriodsAreReproducedToTheCent() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("verified", 2, """
        {"name":"metered","currency":"USD","revenue_share":"0.70","price":{"model":"per_unit","unit_amount":"0.10"},
         "bytes_price":{"per":"B","model":"per_unit","unit_amount":"0.003"}}""");
    String graduated = broker.post("/v1/products/" + t.product() + "/plans", broker.adminKey(), JSON, """
        {"name":"graduated","currency":"USD","revenue_share":"0.55","free_allowance":2,"recurring_fee":"1.00",
         "price":{"model":"graduated","tiers":[{"up_to":5,"unit_amount":"0.05"},{"up_to":null,"unit_amount":"0.02"}]},
         "bytes_price":{"per":"B","model":"graduated","tiers":[{"up_to":40,"unit_amount":"0"},{"up_to":null,"unit_amount":"0.004"}]}}""")
        .body().get("id").asText();

    // 10:00-11:00: a top-up, 10 events on the per-unit plan, a change to the graduated plan, 7 more.
    topUp(t, "0.50", "first");
    clock.advance(Duration.ofMinutes(5));
    consume(t, 10);
    clock.advance(Duration.ofMinutes(10));
    changePlan(t, graduated);
    clock.advance(Duration.ofMinutes(5));
    consume(t, 7);
    clock.advance(Duration.ofMinutes(46));
    String first = awaitInvoices(t, 1).get(0).get("id").asText();

    // 11:06-12:00: 5 events, a credit note on the first invoice, a change back, 3 events, the first invoice voided.
    consume(t, 5);
    assertEquals(201, broker.post("/v1/invoices/" + first + "/credit-notes", broker.adminKey(), JSON,
        "{\"amount\":\"0.30\",\"reason\":\"late\",\"idempotency_key\":\"ticket-1\"}").status());
    clock.advance(Duration.ofMinutes(10));
    changePlan(t, t.plan());
    clock.advance(Duration.ofMinutes(5));
    consume(t, 3);
    assertEquals("void", broker.post("/v1/invoices/" + first + "/void", broker.adminKey(), JSON, "{}").body()
        .get("status").asText());
    clock.advance(Duration.ofMinutes(45));
    String second = awaitInvoices(t, 2).get(1).get("id").asText();

    // 12:06-13:00: a larger top-up, the second invoice paid, 4 events, a change to the graduated plan.
    topUp(t, "5.00", "second");
    assertEquals("paid", broker.post("/v1/invoices/" + second + "/pay", broker.adminKey(), JSON, "{}").body()
        .get("status").asText());
    consume(t, 4);
    clock.advance(Duration.ofMinutes(10));
    changePlan(t, graduated);
    clock.advance(Duration.ofMinutes(50));
    JsonNode third = awaitInvoices(t, 3).get(2);
    assertTrue(!third.get("credits_applied").asText().equals("0.00"), "the wallet pays the third invoice: " + third);
    for (JsonNode invoice : awaitInvoices(t, 3)) {
      assertTrue(invoice.get("lines").findValuesAsText("kind").contains("bytes"), "each invoice bills bytes: " + invoice);
    }

    JsonNode account = BillingReproduced.awaitNoDifference(broker.admin(), t.consumer());
    assertTrue(account.get("consistent").asBoolean());
    assertEquals(3, account.get("checked").get("invoices").asInt(), account.toString());
    assertEquals(1, account.get("checked").get("credit_notes").asInt(), account.toString());
    JsonNode producer = BillingReproduced.awaitNoDifference(broker.admin(), t.producer());
    assertEquals(3, producer.get("checked").get("statements").asInt(), producer.toString());
    BillingReproduced.awaitNoDifference(broker.admin(), null);
  }

  @Test
  void onlyTheOperatorVerifiesAndAnUnknownAccountIsNotFound() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("unverified", 1);
    assertEquals("forbidden", broker.get("/v1/billing/verification?account=" + t.consumer(), t.consumerKey()).errorCode());
    TestBroker.Reply unknown = broker.get("/v1/billing/verification?account=acc_nobody", broker.adminKey());
    assertEquals(404, unknown.status());
    assertEquals("account_not_found", unknown.errorCode());
  }

  private static void topUp(TestBroker.Tenancy t, String amount, String key) throws Exception {
    assertEquals(201, broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(), JSON,
        "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"idempotency_key\":\"" + key + "\"}").status());
  }

  private static void changePlan(TestBroker.Tenancy t, String plan) throws Exception {
    assertEquals(200, broker.post("/v1/subscriptions/" + t.subscription() + "/plan", broker.adminKey(), JSON,
        "{\"plan\":\"" + plan + "\"}").status());
  }

  /** Publishes and consumes {@code count} new events, and waits until billing counts them. */
  private static void consume(TestBroker.Tenancy t, int count) throws Exception {
    int from = published.getAndAdd(count);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/verified", from, count)).get(10, TimeUnit.SECONDS);
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> billed(t) == from + count);
  }

  private static long billed(TestBroker.Tenancy t) throws Exception {
    long events = 0;
    for (JsonNode usage : broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body().get("data")) {
      events += usage.get("subscription").asText().equals(t.subscription()) ? usage.get("events").asLong() : 0;
    }
    return events;
  }

  private static JsonNode awaitInvoices(TestBroker.Tenancy t, int count) throws Exception {
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").size() == count);
    return broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data");
  }
}
