package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Moving a subscription's cursor over real sockets: back to the start, to a time, after a cursor
 * and to the end. The open stream ends with {@code cursor_moved}; what is delivered and
 * acknowledged again is billed again and nothing else is; a browser's stale {@code Last-Event-ID}
 * does not undo a move; each bad seek has its code, and the node goes on serving.
 */
class SeekTest {
  private static final Instant TEN = Instant.parse("2026-12-06T10:00:00Z");
  private static final MutableClock clock = new MutableClock(TEN);
  private static final String JSON = "application/json";
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of(), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static void publish(TestBroker.Tenancy t, String id) throws Exception {
    TestBroker.Reply reply = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
        "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/seek\","
            + "\"type\":\"order.created\",\"datacontenttype\":\"application/json\",\"data\":{}}");
    assertEquals(202, reply.status(), String.valueOf(reply.body()));
  }

  private static TestBroker.Reply seek(TestBroker.Tenancy t, String key, String body) throws Exception {
    return broker.post("/v1/subscriptions/" + t.subscription() + "/seek", key, JSON, body);
  }

  private static long billed(TestBroker.Tenancy t) throws Exception {
    return broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong();
  }

  /** Reads a stream until {@code count} events came, acknowledges the last, and returns their ids and cursors. */
  private static List<EventStreamClient.Event> consume(TestBroker.Tenancy t, int count, Optional<String> lastEventId,
                                                       long billedAfter) throws Exception {
    try (EventStreamClient stream = EventStreamClient.open(broker.baseUrl(), t.subscription(), t.consumerKey(), lastEventId)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.deliveries().size() >= count);
      List<EventStreamClient.Event> events = stream.deliveries();
      assertEquals(count, events.size(), "nothing more: " + events);
      TestBroker.Reply acked = broker.post("/v1/subscriptions/" + t.subscription() + "/acks", t.consumerKey(), JSON,
          "{\"cursor\":\"" + events.get(count - 1).id() + "\"}");
      assertEquals(200, acked.status(), String.valueOf(acked.body()));
      await().atMost(Duration.ofSeconds(10)).until(() -> billed(t) == billedAfter);
      return events;
    }
  }

  private static List<String> ids(List<EventStreamClient.Event> events) {
    return events.stream().map(event -> event.json().get("event").get("id").asText()).toList();
  }

  @Test
  void aSeekReplaysOrSkipsAndOnlyWhatIsAcknowledgedAgainIsBilledAgain() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("seeking", 1);
    publish(t, "a1");
    publish(t, "a2");
    clock.advance(Duration.ofMinutes(1));
    publish(t, "a3");
    publish(t, "a4");
    publish(t, "a5");
    List<EventStreamClient.Event> all = consume(t, 5, Optional.empty(), 5);

    try (EventStreamClient open = EventStreamClient.open(broker.baseUrl(), t.subscription(), t.consumerKey(), Optional.empty())) {
      TestBroker.Reply toStart = seek(t, t.consumerKey(), "{\"to\":\"start\"}");
      assertEquals(200, toStart.status(), String.valueOf(toStart.body()));
      assertEquals(-1, toStart.body().get("acked").get(0).get("offset").asLong(), toStart.body().toString());
      open.ended().get(10, TimeUnit.SECONDS);
      JsonNode notice = open.events().get(open.events().size() - 1).json();
      assertEquals("cursor_moved", notice.get("code").asText(), "the open stream is told why it ends: " + notice);
    }
    assertEquals(List.of("a1", "a2", "a3", "a4", "a5"),
        ids(consume(t, 5, Optional.of(all.get(4).id()), 10)),
        "a Last-Event-ID from before the move, as an EventSource sends it, does not undo it; billed again");

    assertEquals(200, seek(t, t.consumerKey(), "{\"to\":\"time\",\"time\":\"" + TEN.plusSeconds(60) + "\"}").status());
    assertEquals(List.of("a3", "a4", "a5"), ids(consume(t, 3, Optional.empty(), 13)), "from the first event at that time");

    assertEquals(200, seek(t, t.consumerKey(), "{\"to\":\"cursors\",\"cursors\":[\"" + all.get(0).id() + "\"]}").status());
    assertEquals(List.of("a2", "a3", "a4", "a5"), ids(consume(t, 4, Optional.empty(), 17)), "after the cursor");

    assertEquals(200, seek(t, t.consumerKey(), "{\"to\":\"start\"}").status());
    TestBroker.Reply toEnd = seek(t, t.consumerKey(), "{\"to\":\"end\"}");
    assertEquals(4, toEnd.body().get("acked").get(0).get("offset").asLong(), toEnd.body().toString());
    publish(t, "a6");
    assertEquals(List.of("a6"), ids(consume(t, 1, Optional.empty(), 18)), "skipped events are neither sent nor billed");
  }

  @Test
  void eachBadSeekHasItsCodeAndTheNodeGoesOnServing() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("badseek", 1);
    TestBroker.Tenancy other = broker.tenancy("otherseek", 1);
    publish(t, "b1");
    Map<String, String> refusals = Map.of(
        "{\"to\":\"sideways\"}", "invalid_field",
        "{\"to\":\"time\"}", "missing_field",
        "{\"to\":\"time\",\"time\":\"yesterday\"}", "invalid_field",
        "{\"to\":\"start\",\"time\":\"2026-12-06T10:00:00Z\"}", "invalid_field",
        "{\"to\":\"cursors\",\"cursors\":[]}", "invalid_field",
        "{\"to\":\"cursors\",\"cursors\":[\"nope\"]}", "malformed_cursor",
        "{\"to\":\"cursors\",\"cursors\":[\"" + other.topic() + ":0:1:0\"]}", "unknown_cursor",
        "{\"to\":\"cursors\",\"cursors\":[\"" + t.topic() + ":0:99:0\"]}", "unknown_cursor",
        "{\"to\":\"cursors\",\"cursors\":[\"" + t.topic() + ":0:1:7\"]}", "unknown_cursor",
        "{\"to\":\"end\",\"extra\":1}", "unknown_field");
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      assertEquals(refusal.getValue(), seek(t, t.consumerKey(), refusal.getKey()).errorCode(), refusal.getKey());
    }
    TestBroker.Reply foreign = seek(t, other.consumerKey(), "{\"to\":\"start\"}");
    assertEquals(404, foreign.status());
    assertEquals("subscription_not_found", foreign.errorCode());
    assertEquals(200, seek(t, t.consumerKey(), "{\"to\":\"end\"}").status());
  }
}
