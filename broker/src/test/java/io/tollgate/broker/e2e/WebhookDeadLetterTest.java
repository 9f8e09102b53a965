package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter policy over a real socket and a real loopback receiver: a batch that fails
 * past it is stored unbilled and the lane goes on with later events; the dead letters and the
 * attempts survive a node restart; a replay after the receiver recovers delivers them through
 * the signed path and bills each exactly once; a selection replays or deletes only what it
 * names, and each bad selection has its code.
 */
class WebhookDeadLetterTest {
  private static final Map<String, Object> SETTINGS = Map.of(
      "tollgate.webhooks.secret-key", Base64.getEncoder().encodeToString(new byte[32]),
      "tollgate.webhooks.allow-private-targets", true,
      "tollgate.webhooks.retry.first", "50ms", "tollgate.webhooks.retry.max", "200ms",
      "tollgate.webhooks.breaker.failures", 100, "tollgate.webhooks.wake-every", "1s",
      "tollgate.webhooks.request-timeout", "4s",
      "tollgate.webhooks.dead-letters.enabled", true, "tollgate.webhooks.dead-letters.after-attempts", 2);
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static Path dataDir;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("tollgate-dead-letters");
    broker = TestBroker.startIn(dataDir, SETTINGS, Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aFailingBatchIsDeadLetteredUnbilledLaterEventsGoOnAndAReplayAfterARestartBillsEachOnce() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.then(WebhookReceiver.status(500), WebhookReceiver.status(500));
      TestBroker.Tenancy t = broker.tenancy("dead-a", 1);
      String subscription = webhookSubscription(t, receiver);
      WebhookDeliveryTest.publish(broker, t, 1, List.of("x-0", "x-1"));
      await().atMost(PATIENCE).until(() -> deadLetters(t, subscription, "").get("count").asInt() == 2);
      WebhookDeliveryTest.publish(broker, t, 1, List.of("x-2", "x-3"));
      await().atMost(PATIENCE).until(() -> WebhookDeliveryTest.billed(broker, t, subscription) == 2);
      assertEquals(List.of("x-0", "x-1", "x-0", "x-1", "x-2", "x-3"), receiver.eventIds());

      JsonNode dead = deadLetters(t, subscription, "");
      assertEquals(List.of("x-0", "x-1"), eventIds(dead));
      assertEquals("status 500", dead.get("data").get(0).get("reason").asText());
      assertTrue(dead.get("bytes").asLong() > 0, dead.toString());
      List<JsonNode> before = await().atMost(PATIENCE).until(() -> attemptList(t, subscription),
          attempts -> attempts.size() >= 3);
      assertEquals("dead_lettered", before.get(1).get("error").asText(), before.toString());
      assertEquals(3, before.size(), before.toString());

      broker.close();
      broker = TestBroker.startIn(dataDir, SETTINGS, Clock.systemUTC());
      assertEquals(before, attemptList(t, subscription), "the attempts survive the restart");
      assertEquals(eventIds(dead), eventIds(deadLetters(t, subscription, "")), "so do the dead letters");
      assertEquals(2, WebhookDeliveryTest.billed(broker, t, subscription));

      TestBroker.Reply replay = broker.post("/v1/subscriptions/" + subscription + "/webhook/dead-letters/replay",
          t.consumerKey(), "application/json", "{}");
      assertEquals(202, replay.status(), String.valueOf(replay.body()));
      assertEquals(2, replay.body().get("queued").asInt());
      await().atMost(PATIENCE).until(() -> WebhookDeliveryTest.billed(broker, t, subscription) == 4);
      assertEquals(List.of("x-0", "x-1"), receiver.eventIds().subList(6, 8));
      assertEquals(0, deadLetters(t, subscription, "").get("count").asInt());
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
          .until(() -> WebhookDeliveryTest.billed(broker, t, subscription) == 4 && receiver.eventIds().size() == 8);
      await().atMost(PATIENCE).until(() -> attemptList(t, subscription).get(0).get("replay").asBoolean());
    }
  }

  @Test
  void aSelectionReplaysOrDeletesOnlyTheDeadLettersItNames() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.then(WebhookReceiver.status(503), WebhookReceiver.status(503), WebhookReceiver.status(503),
          WebhookReceiver.status(503));
      TestBroker.Tenancy t = broker.tenancy("dead-b", 1);
      String subscription = webhookSubscription(t, receiver);
      WebhookDeliveryTest.publish(broker, t, 1, List.of("y-0", "y-1"));
      await().atMost(PATIENCE).until(() -> deadLetters(t, subscription, "").get("count").asInt() == 2);
      WebhookDeliveryTest.publish(broker, t, 1, List.of("y-2"));
      await().atMost(PATIENCE).until(() -> deadLetters(t, subscription, "").get("count").asInt() == 3);
      JsonNode first = deadLetters(t, subscription, "?limit=1");
      assertEquals(List.of("y-0"), eventIds(first));
      assertEquals(deadLetters(t, subscription, "?after=" + first.get("next_after").asLong()).get("data").get(0),
          deadLetters(t, subscription, "").get("data").get(1), "pages follow each other");

      JsonNode all = deadLetters(t, subscription, "").get("data");
      String cursorOfY1 = all.get(1).get("cursor").asText();
      TestBroker.Reply replay = broker.post("/v1/subscriptions/" + subscription + "/webhook/dead-letters/replay",
          t.consumerKey(), "application/json", "{\"from_cursor\":\"" + cursorOfY1 + "\",\"to_cursor\":\""
              + cursorOfY1 + "\"}");
      assertEquals(1, replay.body().get("queued").asInt(), String.valueOf(replay.body()));
      await().atMost(PATIENCE).until(() -> WebhookDeliveryTest.billed(broker, t, subscription) == 1);
      assertEquals(List.of("y-0", "y-2"), eventIds(deadLetters(t, subscription, "")));

      TestBroker.Reply deleted = broker.send("DELETE", "/v1/subscriptions/" + subscription
          + "/webhook/dead-letters?number=" + all.get(0).get("number").asLong(), t.consumerKey(), "application/json",
          new byte[0]);
      assertEquals(200, deleted.status(), String.valueOf(deleted.body()));
      assertEquals(1, deleted.body().get("deleted").asInt());
      assertEquals(List.of("y-2"), eventIds(deadLetters(t, subscription, "")));
      TestBroker.Reply purged = broker.send("DELETE", "/v1/subscriptions/" + subscription + "/webhook/dead-letters",
          t.consumerKey(), "application/json", new byte[0]);
      assertEquals(1, purged.body().get("deleted").asInt(), String.valueOf(purged.body()));
      assertEquals(0, deadLetters(t, subscription, "").get("count").asInt());
      assertEquals(1, WebhookDeliveryTest.billed(broker, t, subscription), "deleted dead letters are never billed");
    }
  }

  @Test
  void eachBadDeadLetterRequestHasItsCode() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("dead-c", 2);
    String subscription = WebhookDeliveryTest.subscribe(broker, t,
        WebhookDeliveryTest.webhook("http://127.0.0.1:9/hooks", 10, 1)).body().get("id").asText();
    String replay = "/v1/subscriptions/" + subscription + "/webhook/dead-letters/replay";
    assertEquals("invalid_dead_letter_time", replayCode(t, replay, "{\"from\":\"yesterday\"}"));
    assertEquals("empty_dead_letter_range", replayCode(t, replay,
        "{\"from\":\"2026-01-02T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}"));
    assertEquals("malformed_cursor", replayCode(t, replay, "{\"from_cursor\":\"nonsense\"}"));
    assertEquals("dead_letter_cursors_span_partitions", replayCode(t, replay,
        "{\"from_cursor\":\"" + t.topic() + ":0:1:0\",\"to_cursor\":\"" + t.topic() + ":1:1:0\"}"));
    assertEquals("empty_dead_letter_range", replayCode(t, replay,
        "{\"from_cursor\":\"" + t.topic() + ":0:2:0\",\"to_cursor\":\"" + t.topic() + ":0:1:0\"}"));
    assertEquals("dead_letter_selection_mixed", replayCode(t, replay,
        "{\"number\":1,\"from\":\"2026-01-01T00:00:00Z\"}"));
    assertEquals("invalid_number", replayCode(t, replay, "{\"number\":0}"));
    assertEquals("unknown_field", replayCode(t, replay, "{\"since\":\"2026-01-01T00:00:00Z\"}"));
    String list = "/v1/subscriptions/" + subscription + "/webhook/dead-letters";
    assertEquals("invalid_number", broker.send("DELETE", list + "?number=abc", t.consumerKey(), "application/json",
        new byte[0]).errorCode());
    assertEquals("invalid_dead_letter_time", broker.send("DELETE", list + "?to=soon", t.consumerKey(),
        "application/json", new byte[0]).errorCode());
    assertEquals("invalid_limit", broker.get(list + "?limit=0", t.consumerKey()).errorCode());
    assertEquals("invalid_after", broker.get(list + "?after=-1", t.consumerKey()).errorCode());
    assertEquals("not_a_webhook_subscription", broker.get("/v1/subscriptions/" + t.subscription()
        + "/webhook/dead-letters", t.consumerKey()).errorCode());
    assertEquals("not_a_webhook_subscription", replayCode(t, "/v1/subscriptions/" + t.subscription()
        + "/webhook/dead-letters/replay", "{}"));
  }

  private static String webhookSubscription(TestBroker.Tenancy t, WebhookReceiver receiver) throws Exception {
    TestBroker.Reply created = WebhookDeliveryTest.subscribe(broker, t,
        WebhookDeliveryTest.webhook(receiver.url(), 10, 1));
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return created.body().get("id").asText();
  }

  private static String replayCode(TestBroker.Tenancy t, String path, String body) throws Exception {
    return broker.post(path, t.consumerKey(), "application/json", body).errorCode();
  }

  private static JsonNode deadLetters(TestBroker.Tenancy t, String subscription, String query) throws Exception {
    TestBroker.Reply reply = broker.get("/v1/subscriptions/" + subscription + "/webhook/dead-letters" + query,
        t.consumerKey());
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }

  private static List<String> eventIds(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("data").forEach(letter -> ids.add(letter.get("event").get("event").get("id").asText()));
    return ids;
  }

  private static List<JsonNode> attemptList(TestBroker.Tenancy t, String subscription) throws Exception {
    List<JsonNode> attempts = new ArrayList<>();
    WebhookDeliveryTest.attempts(broker, t, subscription).get("data").forEach(attempts::add);
    return Collections.unmodifiableList(attempts);
  }
}
