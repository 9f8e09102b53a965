package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pausing and resuming a subscription over real sockets: nothing delivered or billed while paused. */
class PauseSubscriptionTest {
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
  void whilePausedNothingIsDeliveredOrBilledAndAResumeContinuesAfterTheLastAck() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("pause", 1, """
        {"name":"hourly","currency":"USD","recurring_fee":"6.00","price":{"model":"per_unit","unit_amount":"0.01"}}""");
    publish(t, 0, 5);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 5);
      stream.ack(stream.events().get(4).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == 5);

      clock.set(TEN.plus(Duration.ofMinutes(10)));
      TestBroker.Reply paused = call(t, "pause");
      assertEquals(200, paused.status(), String.valueOf(paused.body()));
      assertEquals("paused", paused.body().get("status").asText());
      assertEquals("2026-11-28T10:10:00Z", paused.body().get("paused_at").asText());
      stream.closed().get(10, TimeUnit.SECONDS);
      assertEquals("subscription_paused", stream.notices().get(stream.notices().size() - 1).get("code").asText());
    }
    assertEquals("subscription_paused", call(t, "pause").errorCode());
    assertEquals(409, RawWebSocket.refusedHandshake(broker.baseUrl(), t.subscription(), t.consumerKey()));
    publish(t, 5, 3);

    clock.set(TEN.plus(Duration.ofMinutes(40)));
    TestBroker.Reply resumed = call(t, "resume");
    assertEquals(200, resumed.status(), String.valueOf(resumed.body()));
    assertEquals("active", resumed.body().get("status").asText());
    assertEquals("subscription_not_paused", call(t, "resume").errorCode());
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 3);
      assertEquals("e5", stream.events().get(0).get("event").get("id").asText(),
          "it continues after the last ack");
      stream.ack(stream.events().get(2).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == 8);
    }
    JsonNode invoice = upcoming(t);
    List<String> fees = new ArrayList<>();
    long used = 0;
    for (JsonNode line : invoice.get("lines")) {
      if (line.get("kind").asText().equals("recurring_fee")) {
        fees.add(line.get("amount").asText());
      } else {
        used += line.get("quantity").asLong();
      }
    }
    assertEquals(List.of("1.00", "2.00"), fees, "10 and 20 minutes of 60: the 30 paused minutes pay nothing");
    assertEquals(8, used);
    assertEquals("3.08", invoice.get("totals").get(0).get("amount").asText());
  }

  private static TestBroker.Reply call(TestBroker.Tenancy t, String action) throws Exception {
    return broker.post("/v1/subscriptions/" + t.subscription() + "/" + action, t.consumerKey(), "application/json", "");
  }

  private static void publish(TestBroker.Tenancy t, int from, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/pause", from, count)).get(10, TimeUnit.SECONDS);
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
