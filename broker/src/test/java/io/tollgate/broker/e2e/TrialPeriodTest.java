package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A plan's trial over real sockets: the first days cost nothing, and a plan change does not restart them. */
class TrialPeriodTest {
  private static final Instant TEN = Instant.parse("2026-11-28T10:00:00Z");
  private static final MutableClock clock = new MutableClock(TEN);
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
  void theTrialsFeeAndUsageCostNothingOnATrialLineAndAPlanChangeDoesNotRestartIt() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("trial", 1, """
        {"name":"trial","currency":"USD","trial_days":1,"recurring_fee":"6.00",
         "price":{"model":"per_unit","unit_amount":"0.01"}}""");
    assertEquals(1, broker.get("/v1/plans/" + t.plan(), t.consumerKey()).body().get("trial_days").asInt());
    assertEquals("2026-11-29T10:00:00Z", broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body()
        .get("trial_ends_at").asText());
    publish(t, 0, 5);
    consume(t, 5);
    JsonNode inTrial = upcoming(t);
    assertEquals(1, inTrial.get("lines").size(), String.valueOf(inTrial));
    assertEquals("trial", inTrial.get("lines").get(0).get("kind").asText());
    assertEquals(5, inTrial.get("lines").get(0).get("quantity").asLong());
    assertEquals("0.00", inTrial.get("totals").get(0).get("amount").asText());

    String other = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"other","currency":"USD","trial_days":1,"recurring_fee":"6.00",
         "price":{"model":"per_unit","unit_amount":"0.02"}}""").body().get("id").asText();
    clock.set(Instant.parse("2026-11-29T09:30:00Z"));
    assertEquals(200, broker.post("/v1/subscriptions/" + t.subscription() + "/plan", t.consumerKey(), "application/json",
        "{\"plan\":\"" + other + "\"}").status());

    clock.set(Instant.parse("2026-11-29T10:30:00Z"));
    publish(t, 5, 2);
    consume(t, 2);
    JsonNode after = upcoming(t);
    assertEquals("6.04", after.get("totals").get(0).get("amount").asText(),
        "the trial ended a day after the start, not after the change: the whole fee and 2 events at 0.02; " + after);
  }

  @Test
  void aNegativeOrOverlongTrialIsRefused() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("badtrial", 1);
    for (String days : new String[] {"-1", "3651"}) {
      TestBroker.Reply reply = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json",
          "{\"name\":\"bad\",\"currency\":\"USD\",\"trial_days\":" + days
              + ",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.01\"}}");
      assertEquals(400, reply.status(), days);
      assertEquals("invalid_field", reply.errorCode(), days);
    }
  }

  private static void publish(TestBroker.Tenancy t, int from, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/trial", from, count)).get(10, TimeUnit.SECONDS);
    }
  }

  private static void consume(TestBroker.Tenancy t, int count) throws Exception {
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == count);
      stream.ack(stream.events().get(count - 1).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/subscriptions/" + t.subscription(),
          t.consumerKey()).body().get("usage").get("events").asLong() == count);
    }
  }

  private static JsonNode upcoming(TestBroker.Tenancy t) throws Exception {
    TestBroker.Reply reply = broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming", t.consumerKey());
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }
}
