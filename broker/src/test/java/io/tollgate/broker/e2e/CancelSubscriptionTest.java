package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cancelling a subscription over real sockets: now (the stream ends, the fee is prorated to the
 * cancel, usage up to then is billed) and at the period's end (nothing of the next period).
 *
 * <p>The tests share one clock and run in name order, each in later hours than the one before.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class CancelSubscriptionTest {
  private static final Instant EIGHT = Instant.parse("2026-11-28T08:00:00Z");
  private static final Instant TEN = Instant.parse("2026-11-28T10:00:00Z");
  private static final Instant TWELVE = Instant.parse("2026-11-28T12:00:00Z");
  private static final MutableClock clock = new MutableClock(EIGHT);
  private static final String PLAN = """
      {"name":"hourly","currency":"USD","recurring_fee":"6.00","price":{"model":"per_unit","unit_amount":"0.01"}}""";
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void cancellingNowEndsTheStreamProratesTheFeeToTheCancelAndBillsTheUsageUpToIt() throws Exception {
    clock.set(TWELVE);
    TestBroker.Tenancy t = broker.tenancy("cancelnow", 1, PLAN);
    publish(t, 10);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 10);
      stream.ack(stream.events().get(9).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == 10);

      clock.set(TWELVE.plus(Duration.ofMinutes(20)));
      TestBroker.Reply cancelled = cancel(t, t.consumerKey(), "now");
      assertEquals(200, cancelled.status(), String.valueOf(cancelled.body()));
      assertEquals("cancelled", cancelled.body().get("status").asText());
      assertEquals("2026-11-28T12:20:00Z", cancelled.body().get("cancelled_at").asText());

      stream.closed().get(10, TimeUnit.SECONDS);
      assertEquals("subscription_cancelled", stream.notices().get(stream.notices().size() - 1).get("code").asText(),
          String.valueOf(stream.notices()));
    }
    JsonNode invoice = upcoming(t);
    JsonNode lines = invoice.get("lines");
    assertEquals("usage", lines.get(0).get("kind").asText());
    assertEquals("0.10", lines.get(0).get("amount").asText(), "the usage up to the cancel is billed");
    assertEquals("recurring_fee", lines.get(1).get("kind").asText());
    assertEquals("2.00", lines.get(1).get("amount").asText(), "20 minutes of 60: a third of the fee");
    assertEquals("2.10", invoice.get("totals").get(0).get("amount").asText());

    assertEquals(409, RawWebSocket.refusedHandshake(broker.baseUrl(), t.subscription(), t.consumerKey()));
    assertEquals("subscription_cancelled", cancel(t, t.consumerKey(), "now").errorCode());
    String other = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json",
        PLAN.replace("hourly", "other")).body().get("id").asText();
    assertEquals("subscription_cancelled", broker.post("/v1/subscriptions/" + t.subscription() + "/plan",
        t.consumerKey(), "application/json", "{\"plan\":\"" + other + "\"}").errorCode());

    clock.set(TWELVE.plus(Duration.ofHours(1)));
    assertEquals(0, upcoming(t).get("lines").size(), "nothing of the next period");
  }

  @Test
  void cancellingAtThePeriodsEndKeepsItUntilThenWithItsWholeFeeAndNothingOfTheNextPeriod() throws Exception {
    clock.set(TEN);
    TestBroker.Tenancy t = broker.tenancy("cancellater", 1, PLAN);
    clock.set(TEN.plus(Duration.ofMinutes(30)));
    TestBroker.Reply cancelled = cancel(t, t.consumerKey(), "period_end");
    assertEquals(200, cancelled.status(), String.valueOf(cancelled.body()));
    assertEquals("active", cancelled.body().get("status").asText());
    assertEquals("2026-11-28T11:00:00Z", cancelled.body().get("cancels_at").asText());
    assertEquals(200, cancel(t, t.consumerKey(), "period_end").status(), "the same cancel again changes nothing");

    publish(t, 3);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 3);
      stream.ack(stream.events().get(2).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == 3);
      assertFalse(stream.closed().isDone(), "it streams until its end");
    }
    JsonNode invoice = upcoming(t);
    assertEquals("6.03", invoice.get("totals").get(0).get("amount").asText(), "the whole fee and the usage");

    clock.set(TEN.plus(Duration.ofHours(1)));
    JsonNode after = broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body();
    assertEquals("cancelled", after.get("status").asText());
    assertEquals("2026-11-28T11:00:00Z", after.get("cancelled_at").asText());
    assertTrue(upcoming(t).get("lines").isEmpty(), "no fee for the next period");
    assertEquals(409, RawWebSocket.refusedHandshake(broker.baseUrl(), t.subscription(), t.consumerKey()));
  }

  @Test
  void aCancelNamesNowOrPeriodEndAndTakesTheSubscribeKeyOfTheAccount() throws Exception {
    clock.set(EIGHT);
    TestBroker.Tenancy t = broker.tenancy("cancelrules", 1, PLAN);
    TestBroker.Reply badAt = cancel(t, t.consumerKey(), "tomorrow");
    assertEquals(400, badAt.status());
    assertEquals("invalid_field", badAt.errorCode());
    assertEquals("subscription_not_found", cancel(t, t.producerKey(), "now").errorCode(),
        "another account's key does not see it");
    assertFalse(broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().has("status"),
        "a subscription never cancelled reads as before");
    assertEquals(200, cancel(t, broker.adminKey(), "now").status(), "the operator may cancel");
  }

  private static TestBroker.Reply cancel(TestBroker.Tenancy t, String key, String at) throws Exception {
    return broker.post("/v1/subscriptions/" + t.subscription() + "/cancel", key, "application/json",
        "{\"at\":\"" + at + "\"}");
  }

  private static void publish(TestBroker.Tenancy t, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/cancel", 0, count)).get(10, TimeUnit.SECONDS);
    }
  }

  private static long usage(TestBroker.Tenancy t) throws Exception {
    return broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong();
  }

  private static JsonNode upcoming(TestBroker.Tenancy t) throws Exception {
    TestBroker.Reply reply = broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming", t.consumerKey());
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }
}
