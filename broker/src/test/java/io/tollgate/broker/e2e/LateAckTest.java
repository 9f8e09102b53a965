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

/**
 * An ack the stream accepted but has not committed yet (acks are committed in groups) when the
 * subscription is cancelled or paused: the stream ends, and the ack is committed then, counted
 * and billed once. The commit interval here is far longer than the test, so the ack is certainly
 * still waiting when the stream ends.
 */
class LateAckTest {
  private static final Instant TWELVE = Instant.parse("2026-11-28T12:00:00Z");
  private static final MutableClock clock = new MutableClock(TWELVE);
  private static final String PLAN = """
      {"name":"hourly","currency":"USD","recurring_fee":"6.00","price":{"model":"per_unit","unit_amount":"0.01"}}""";
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H",
        "tollgate.subscriptions.ack-commit.interval", "10m"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void anAckWaitingForItsCommitWhenTheSubscriptionIsCancelledIsBilledOnce() throws Exception {
    clock.set(TWELVE);
    TestBroker.Tenancy t = broker.tenancy("lateackcancel", 1, PLAN);
    publish(t, 0, 10);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      ackAllAndWaitTillAccepted(stream, 10);
      assertEquals(0, usage(t), "the ack waits for its group");

      clock.set(TWELVE.plus(Duration.ofMinutes(20)));
      assertEquals(200, call(t, "cancel", "{\"at\":\"now\"}").status());
      stream.closed().get(10, TimeUnit.SECONDS);
      assertEquals("subscription_cancelled", lastNotice(stream));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == 10);
    JsonNode usageLine = upcoming(t).get("lines").get(0);
    assertEquals("usage", usageLine.get("kind").asText());
    assertEquals(10, usageLine.get("quantity").asLong(), "billed once");
    assertEquals("0.10", usageLine.get("amount").asText());
  }

  @Test
  void anAckWaitingForItsCommitWhenTheSubscriptionIsPausedIsCountedOnceAndNotDeliveredAgain() throws Exception {
    clock.set(TWELVE);
    TestBroker.Tenancy t = broker.tenancy("lateackpause", 1, PLAN);
    publish(t, 0, 5);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      ackAllAndWaitTillAccepted(stream, 5);
      assertEquals(0, usage(t), "the ack waits for its group");

      clock.set(TWELVE.plus(Duration.ofMinutes(10)));
      assertEquals(200, call(t, "pause", "").status());
      stream.closed().get(10, TimeUnit.SECONDS);
      assertEquals("subscription_paused", lastNotice(stream));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == 5);

    clock.set(TWELVE.plus(Duration.ofMinutes(20)));
    assertEquals(200, call(t, "resume", "").status());
    publish(t, 5, 2);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 2);
      assertEquals("e5", stream.events().get(0).get("event").get("id").asText(), "it continues after the late ack");
    }
    assertEquals(5, usage(t), "the late ack counted once");
  }

  /**
   * Acks the last of {@code count} events, then sends a frame that is not an ack: frames are read
   * in order, so its refusal says the ack before it was accepted.
   */
  private static void ackAllAndWaitTillAccepted(RawWebSocket stream, int count) throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == count);
    stream.ack(stream.events().get(count - 1).get("cursor").asText());
    stream.send("{\"type\":\"nonsense\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> !stream.notices().isEmpty());
  }

  private static String lastNotice(RawWebSocket stream) {
    return stream.notices().get(stream.notices().size() - 1).get("code").asText();
  }

  private static TestBroker.Reply call(TestBroker.Tenancy t, String action, String body) throws Exception {
    return broker.post("/v1/subscriptions/" + t.subscription() + "/" + action, t.consumerKey(), "application/json", body);
  }

  private static void publish(TestBroker.Tenancy t, int from, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/lateack", from, count)).get(10, TimeUnit.SECONDS);
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
