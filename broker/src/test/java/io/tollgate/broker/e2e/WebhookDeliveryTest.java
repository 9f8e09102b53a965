package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.topic.Partitioner;
import io.tollgate.broker.webhook.StandardWebhooksVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook subscriptions delivering to real HTTP receivers on loopback ({@link WebhookReceiver}):
 * requests signed as Standard Webhooks says (checked by an independent implementation), events
 * in order per partition, each billed once when a 2xx acknowledges it; failures (500 with
 * Retry-After, a request that never answers, a slow body, a reset connection) retried and logged;
 * 410 Gone disables the endpoint and announces it, and setting the endpoint again resumes; a
 * rotated secret signs beside the new one.
 */
class WebhookDeliveryTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
      31, 32});
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.webhooks.secret-key", KEY,
        "tollgate.webhooks.allow-private-targets", true,
        "tollgate.webhooks.retry.first", "50ms", "tollgate.webhooks.retry.max", "2s",
        // Generous for a loaded machine: only the receiver that never answers should time out.
        "tollgate.webhooks.request-timeout", "4s", "tollgate.webhooks.body-timeout", "500ms",
        "tollgate.webhooks.breaker.failures", 100, "tollgate.webhooks.wake-every", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static TestBroker.Reply subscribe(TestBroker broker, TestBroker.Tenancy t, String delivery) throws Exception {
    return broker.post("/v1/subscriptions", t.consumerKey(), "application/json", "{\"account\":\"" + t.consumer()
        + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + t.plan() + "\",\"delivery\":" + delivery + "}");
  }

  static String webhook(String url, int batchSize, int concurrency) {
    return "{\"type\":\"webhook\",\"url\":\"" + url + "\",\"batch_size\":" + batchSize + ",\"concurrency\":"
        + concurrency + "}";
  }

  /** Publishes events with these ids in one request, each keyed to its partition of {@code partitions}. */
  static void publish(TestBroker broker, TestBroker.Tenancy t, int partitions, List<String> ids) throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < ids.size(); i++) {
      batch.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"").append(ids.get(i))
          .append("\",\"source\":\"/hooks\",\"type\":\"order.created\",\"partitionkey\":\"")
          .append(keyOf(i % partitions, partitions)).append("\",\"datacontenttype\":\"application/json\",")
          .append("\"data\":{\"n\":").append(i).append("}}");
    }
    TestBroker.Reply reply = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
        "application/cloudevents-batch+json", batch.append("]").toString());
    assertEquals(202, reply.status(), String.valueOf(reply.body()));
  }

  private static String keyOf(int partition, int partitions) {
    for (int i = 0; ; i++) {
      if (Partitioner.partitionOf(Events.event("/hooks", "x", "key-" + i, "{}"), partitions) == partition) {
        return "key-" + i;
      }
    }
  }

  static long billed(TestBroker broker, TestBroker.Tenancy t, String subscription) throws Exception {
    return broker.get("/v1/subscriptions/" + subscription, t.consumerKey()).body().get("usage").get("events").asLong();
  }

  static JsonNode delivery(TestBroker broker, TestBroker.Tenancy t, String subscription) throws Exception {
    return broker.get("/v1/subscriptions/" + subscription, t.consumerKey()).body().get("delivery");
  }

  static JsonNode attempts(TestBroker broker, TestBroker.Tenancy t, String subscription) throws Exception {
    TestBroker.Reply reply = broker.get("/v1/subscriptions/" + subscription + "/webhook/attempts", t.consumerKey());
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }

  /**
   * The attempt log once it shows at least {@code count} attempts: a run writes its attempts
   * together every {@code attempt-log-interval}, so the log catches up a moment after a delivery.
   */
  static JsonNode attemptsOnceLogged(TestBroker broker, TestBroker.Tenancy t, String subscription, int count) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> attempts(broker, t, subscription),
        log -> log.get("data").size() >= count);
  }

  private static List<String> ids(String prefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(prefix + "-" + i);
    }
    return ids;
  }

  private static void assertVerified(String secret, WebhookReceiver.Request request) throws Exception {
    assertEquals("verified", StandardWebhooksVerifier.verify(secret, request.header("webhook-id"),
        request.header("webhook-timestamp"), request.header("webhook-signature"), request.body()));
  }

  @Test
  void eventsArriveSignedInOrderPerPartitionAndEachIsBilledOnceWhenA2xxAcknowledgesIt() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestBroker.Tenancy t = broker.tenancy("hooks-a", 2);
      TestBroker.Reply created = subscribe(broker, t, webhook(receiver.url(), 5, 2));
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String subscription = created.body().get("id").asText();
      JsonNode delivery = created.body().get("delivery");
      String secret = delivery.get("secret").asText();
      assertTrue(secret.startsWith("whsec_"), secret);
      assertEquals("webhook", delivery.get("type").asText());
      assertEquals("enabled", delivery.get("status").asText());
      assertEquals(5, delivery.get("batch_size").asInt());

      List<String> sent = ids("a", 20);
      publish(broker, t, 2, sent);
      await().atMost(Duration.ofSeconds(20)).until(() -> new LinkedHashSet<>(receiver.eventIds()).containsAll(sent));
      await().atMost(Duration.ofSeconds(10)).until(() -> billed(broker, t, subscription) == 20);

      for (int partition = 0; partition < 2; partition++) {
        List<String> expected = new ArrayList<>();
        for (int i = partition; i < sent.size(); i += 2) {
          expected.add(sent.get(i));
        }
        List<String> firstArrivals = new ArrayList<>(new LinkedHashSet<>(receiver.eventIds()));
        firstArrivals.retainAll(expected);
        assertEquals(expected, firstArrivals, "partition " + partition + " in order");
      }
      for (WebhookReceiver.Request request : receiver.requests()) {
        assertTrue(request.header("webhook-id").startsWith("msg_"));
        assertTrue(request.eventIds().size() <= 5);
        assertEquals(subscription, request.json().get("subscription").asText());
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertTrue(Math.abs(Instant.now().getEpochSecond() - timestamp) < 60);
      }
      if (StandardWebhooksVerifier.available()) {
        assertVerified(secret, receiver.requests().get(0));
        assertVerified(secret, receiver.requests().get(receiver.requests().size() - 1));
      }
      JsonNode shown = broker.get("/v1/subscriptions/" + subscription, t.consumerKey()).body();
      assertFalse(shown.get("delivery").has("secret"));
      assertFalse(shown.toString().contains(secret.substring(6)));
      JsonNode log = attemptsOnceLogged(broker, t, subscription, 1);
      assertEquals("delivering", log.get("state").asText());
      assertEquals(200, log.get("data").get(0).get("status").asInt());
    }
  }

  @Test
  void aSeekBackSendsTheEventsAgainAndEachIsBilledAgainWhenA2xxAcknowledgesIt() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestBroker.Tenancy t = broker.tenancy("hooks-seek", 1);
      TestBroker.Reply created = subscribe(broker, t, webhook(receiver.url(), 10, 1));
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String subscription = created.body().get("id").asText();
      List<String> sent = ids("s", 4);
      publish(broker, t, 1, sent);
      await().atMost(Duration.ofSeconds(20)).until(() -> billed(broker, t, subscription) == 4);

      TestBroker.Reply seek = broker.post("/v1/subscriptions/" + subscription + "/seek", t.consumerKey(),
          "application/json", "{\"to\":\"start\"}");
      assertEquals(200, seek.status(), String.valueOf(seek.body()));
      await().atMost(Duration.ofSeconds(30)).until(() -> billed(broker, t, subscription) == 8);
      List<String> received = receiver.eventIds();
      assertEquals(sent, received.subList(0, 4), "first delivered in order");
      assertEquals(sent, new ArrayList<>(new LinkedHashSet<>(received.subList(4, received.size()))),
          "after the seek the worker starts again from the start, in order: " + received);
    }
  }

  @Test
  void failuresAreRetriedWithBackoffHonouringRetryAfterAndEachAttemptIsLogged() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.then(new WebhookReceiver.Answer(500, Map.of("Retry-After", "1"), "boom", Duration.ZERO),
          new WebhookReceiver.Hang(),
          new WebhookReceiver.SlowBody(503, "a body that takes long", Duration.ofMillis(100)),
          new WebhookReceiver.Reset());
      TestBroker.Tenancy t = broker.tenancy("hooks-b", 1);
      List<String> sent = ids("b", 3);
      publish(broker, t, 1, sent);
      TestBroker.Reply created = subscribe(broker, t, webhook(receiver.url(), 10, 1));
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String subscription = created.body().get("id").asText();

      await().atMost(Duration.ofSeconds(30)).until(() -> billed(broker, t, subscription) == 3);
      assertEquals(5, receiver.requests().size());
      receiver.requests().forEach(request -> assertEquals(sent, request.eventIds()));
      Set<String> webhookIds = new LinkedHashSet<>();
      receiver.requests().forEach(request -> webhookIds.add(request.header("webhook-id")));
      assertEquals(1, webhookIds.size(), "the same events keep their webhook-id");

      JsonNode log = attemptsOnceLogged(broker, t, subscription, 5).get("data");
      assertEquals(5, log.size(), log.toString());
      JsonNode delivered = log.get(0);
      JsonNode reset = log.get(1);
      JsonNode slow = log.get(2);
      JsonNode hung = log.get(3);
      JsonNode retryAfter = log.get(4);
      assertEquals(200, delivered.get("status").asInt());
      assertFalse(delivered.has("next_try_at"));
      assertEquals("connection_failed", reset.get("error").asText(), reset.toString());
      assertEquals(503, slow.get("status").asInt());
      assertEquals("body_timeout", slow.get("error").asText());
      assertEquals("timeout", hung.get("error").asText(), hung.toString());
      assertEquals(500, retryAfter.get("status").asInt());
      assertEquals("boom", retryAfter.get("response_excerpt").asText());
      assertEquals(1, retryAfter.get("try").asInt());
      assertEquals(5, delivered.get("try").asInt());
      Duration waited = Duration.between(Instant.parse(retryAfter.get("at").asText()),
          Instant.parse(retryAfter.get("next_try_at").asText()));
      assertTrue(waited.compareTo(Duration.ofSeconds(1)) >= 0, "Retry-After honoured: " + waited);
      for (JsonNode failed : List.of(reset, slow, hung, retryAfter)) {
        assertTrue(failed.has("next_try_at"), failed.toString());
      }
    }
  }

  @Test
  void a410DisablesTheEndpointAndAnnouncesItAndSettingItAgainDeliversWhatWasLeft() throws Exception {
    try (WebhookReceiver gone = new WebhookReceiver(); WebhookReceiver next = new WebhookReceiver()) {
      gone.answerAlways(WebhookReceiver.status(410));
      TestBroker.Tenancy t = broker.tenancy("hooks-c", 1);
      TestBroker.Reply created = subscribe(broker, t, webhook(gone.url(), 10, 1));
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String subscription = created.body().get("id").asText();
      TestBroker.Reply announcements = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
          "{\"account\":\"" + t.consumer() + "\",\"product\":\"prod_tollgate_webhooks\","
              + "\"plan\":\"plan_tollgate_webhooks\"}");
      assertEquals(201, announcements.status(), String.valueOf(announcements.body()));
      publish(broker, t, 1, List.of("c-0"));

      await().atMost(Duration.ofSeconds(20)).until(() -> delivery(broker, t, subscription).get("status").asText()
          .equals("disabled"));
      JsonNode disabled = delivery(broker, t, subscription);
      assertEquals("gone", disabled.get("disabled_reason").asText());
      assertEquals(1, gone.requests().size());
      assertEquals(0, billed(broker, t, subscription));
      await().atMost(Duration.ofSeconds(10)).until(() -> attempts(broker, t, subscription).get("state").asText()
          .startsWith("disabled (gone)"));
      try (EventStreamClient events = EventStreamClient.open(broker.baseUrl(),
          announcements.body().get("id").asText(), t.consumerKey(), Optional.empty())) {
        await().atMost(Duration.ofSeconds(10)).until(() -> events.deliveries().stream().anyMatch(event ->
            event.json().get("event").get("type").asText().equals("tollgate.webhook.disabled")
                && event.json().get("event").get("data").get("subscription").asText().equals(subscription)));
      }

      TestBroker.Reply moved = broker.send("PUT", "/v1/subscriptions/" + subscription + "/webhook", t.consumerKey(),
          "application/json", ("{\"url\":\"" + next.url() + "\"}").getBytes());
      assertEquals(200, moved.status(), String.valueOf(moved.body()));
      assertEquals("enabled", moved.body().get("status").asText());
      assertEquals(10, moved.body().get("batch_size").asInt());
      await().atMost(Duration.ofSeconds(20)).until(() -> next.eventIds().contains("c-0"));
      await().atMost(Duration.ofSeconds(10)).until(() -> billed(broker, t, subscription) == 1);
    }
  }

  @Test
  void aRotatedSecretSignsBesideTheNewOneUntilTheOverlapEnds() throws Exception {
    assumeTrue(StandardWebhooksVerifier.available(), "node is not installed");
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestBroker.Tenancy t = broker.tenancy("hooks-d", 1);
      TestBroker.Reply created = subscribe(broker, t, webhook(receiver.url(), 10, 1));
      String subscription = created.body().get("id").asText();
      String first = created.body().get("delivery").get("secret").asText();
      TestBroker.Reply rotated = broker.post("/v1/subscriptions/" + subscription + "/webhook/secret",
          t.consumerKey(), "application/json", "");
      assertEquals(201, rotated.status(), String.valueOf(rotated.body()));
      String second = rotated.body().get("secret").asText();
      assertTrue(second.startsWith("whsec_"));
      assertTrue(Instant.parse(rotated.body().get("previous_expire_at").asText()).isAfter(Instant.now()));
      assertEquals(2, delivery(broker, t, subscription).get("signing_secrets").asInt());

      publish(broker, t, 1, List.of("d-0"));
      await().atMost(Duration.ofSeconds(20)).until(() -> receiver.eventIds().contains("d-0"));
      WebhookReceiver.Request request = receiver.requests().get(0);
      assertEquals(2, request.header("webhook-signature").split(" ").length);
      assertVerified(first, request);
      assertVerified(second, request);
    }
  }

  @Test
  void eachBadWebhookRequestHasItsCode() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("hooks-e", 1);
    assertEquals("invalid_webhook_url", subscribe(broker, t, webhook("ftp://127.0.0.1/x", 1, 1)).errorCode());
    assertEquals("invalid_field", subscribe(broker, t, webhook("http://127.0.0.1:9/x", 0, 1)).errorCode());
    assertEquals("invalid_field", subscribe(broker, t, webhook("http://127.0.0.1:9/x", 1, 1000)).errorCode());
    assertEquals("missing_field", subscribe(broker, t, "{\"type\":\"webhook\"}").errorCode());
    assertEquals("invalid_field", subscribe(broker, t, "{\"type\":\"websocket\",\"url\":\"http://x/\"}").errorCode());
    assertEquals("unsupported_delivery", subscribe(broker, t, "{\"type\":\"carrier-pigeon\"}").errorCode());
    assertEquals("not_a_webhook_subscription", broker.post("/v1/subscriptions/" + t.subscription()
        + "/webhook/secret", t.consumerKey(), "application/json", "").errorCode());
    assertEquals("not_a_webhook_subscription", broker.get("/v1/subscriptions/" + t.subscription()
        + "/webhook/attempts", t.consumerKey()).errorCode());
    TestBroker.Tenancy other = broker.tenancy("hooks-f", 1);
    assertEquals("subscription_not_found", broker.get("/v1/subscriptions/" + t.subscription()
        + "/webhook/attempts", other.consumerKey()).errorCode());
  }
}
