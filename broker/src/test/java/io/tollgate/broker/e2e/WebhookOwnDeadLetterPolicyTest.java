package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A webhook subscription's own dead-letter policy, over real sockets and real loopback
 * receivers, on a node whose own policy is the default (off: a failing batch holds its lane back):
 * one subscription gives its batch up after its own count of attempts while another, on the
 * node's policy, keeps trying; the policy shows when the subscription is read, changes with the
 * endpoint and applies to the running worker; each bad field has its code.
 */
class WebhookOwnDeadLetterPolicyTest {
  private static final Map<String, Object> SETTINGS = Map.of(
      "tollgate.webhooks.secret-key", Base64.getEncoder().encodeToString(new byte[32]),
      "tollgate.webhooks.allow-private-targets", true,
      "tollgate.webhooks.retry.first", "50ms", "tollgate.webhooks.retry.max", "200ms",
      "tollgate.webhooks.breaker.failures", 1000, "tollgate.webhooks.wake-every", "1s",
      "tollgate.webhooks.request-timeout", "4s");
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(SETTINGS);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aSubscriptionDeadLettersAfterItsOwnAttemptsWhileOneOnTheNodesPolicyKeepsTrying() throws Exception {
    try (WebhookReceiver own = new WebhookReceiver(); WebhookReceiver nodes = new WebhookReceiver()) {
      own.answerAlways(WebhookReceiver.status(500));
      nodes.answerAlways(WebhookReceiver.status(500));
      TestBroker.Tenancy t = broker.tenancy("own-dead-a", 1);
      TestBroker.Reply created = WebhookDeliveryTest.subscribe(broker, t, "{\"type\":\"webhook\",\"url\":\""
          + own.url() + "\",\"batch_size\":10,\"concurrency\":1,\"dead_letters\":{\"enabled\":true,\"after_attempts\":2}}");
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String giving = created.body().get("id").asText();
      assertPolicy(created.body().get("delivery"), true, "PT1H", 2, List.of("after"));
      String holding = WebhookDeliveryTest.subscribe(broker, t, WebhookDeliveryTest.webhook(nodes.url(), 10, 1))
          .body().get("id").asText();
      assertPolicy(WebhookDeliveryTest.delivery(broker, t, holding), false, "PT1H", 0,
          List.of("enabled", "after", "after_attempts"));
      assertPolicy(WebhookDeliveryTest.delivery(broker, t, giving), true, "PT1H", 2, List.of("after"));

      WebhookDeliveryTest.publish(broker, t, 1, List.of("p-0", "p-1"));
      await().atMost(PATIENCE).until(() -> deadLetterCount(t, giving) == 2);
      assertEquals(List.of("p-0", "p-1", "p-0", "p-1"), own.eventIds(), "its two attempts, then given up");
      assertTrue(errors(t, giving).contains("dead_lettered"), errors(t, giving).toString());

      await().atMost(PATIENCE).until(() -> nodes.requests().size() >= 6);
      assertEquals(0, deadLetterCount(t, holding), "the node's policy holds the lane back instead");
      assertTrue(!errors(t, holding).contains("dead_lettered"), errors(t, holding).toString());
      assertEquals(0, WebhookDeliveryTest.billed(broker, t, holding));
      assertEquals(0, WebhookDeliveryTest.billed(broker, t, giving));

      TestBroker.Reply changed = put(t, holding, "{\"url\":\"" + nodes.url()
          + "\",\"dead_letters\":{\"enabled\":true,\"after_attempts\":1}}");
      assertEquals(200, changed.status(), String.valueOf(changed.body()));
      assertPolicy(changed.body(), true, "PT1H", 1, List.of("after"));
      await().atMost(PATIENCE).until(() -> deadLetterCount(t, holding) == 2);

      TestBroker.Reply back = put(t, giving, "{\"url\":\"" + own.url() + "\",\"dead_letters\":null}");
      assertEquals(200, back.status(), String.valueOf(back.body()));
      assertPolicy(WebhookDeliveryTest.delivery(broker, t, giving), false, "PT1H", 0,
          List.of("enabled", "after", "after_attempts"));
      TestBroker.Reply unchanged = put(t, holding, "{\"url\":\"" + nodes.url() + "\",\"batch_size\":5}");
      assertPolicy(unchanged.body(), true, "PT1H", 1, List.of("after"));
    }
  }

  @Test
  void eachBadDeadLetterPolicyHasItsCode() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("own-dead-b", 1);
    String url = "http://127.0.0.1:9/hooks";
    assertEquals("invalid_dead_letter_enabled", createCode(t, url, "{\"enabled\":\"yes\"}"));
    assertEquals("invalid_dead_letter_after", createCode(t, url, "{\"after\":\"soon\"}"));
    assertEquals("invalid_dead_letter_after", createCode(t, url, "{\"after\":\"PT0S\"}"));
    assertEquals("invalid_dead_letter_after", createCode(t, url, "{\"after\":\"-PT1M\"}"));
    assertEquals("invalid_dead_letter_after", createCode(t, url, "{\"after\":\"P3651D\"}"));
    assertEquals("invalid_dead_letter_after", createCode(t, url, "{\"after\":600}"));
    assertEquals("invalid_dead_letter_attempts", createCode(t, url, "{\"after_attempts\":-1}"));
    assertEquals("invalid_dead_letter_attempts", createCode(t, url, "{\"after_attempts\":1000001}"));
    assertEquals("invalid_dead_letter_attempts", createCode(t, url, "{\"after_attempts\":1.5}"));
    assertEquals("invalid_dead_letter_attempts", createCode(t, url, "{\"after_attempts\":\"3\"}"));
    assertEquals("unknown_field", createCode(t, url, "{\"max_age\":\"PT1H\"}"));
    assertEquals("invalid_field", createCode(t, url, "[true]"));
    assertEquals("invalid_field", WebhookDeliveryTest.subscribe(broker, t,
        "{\"type\":\"websocket\",\"dead_letters\":{\"enabled\":true}}").errorCode());

    TestBroker.Reply created = WebhookDeliveryTest.subscribe(broker, t, "{\"type\":\"webhook\",\"url\":\"" + url
        + "\",\"dead_letters\":{\"after\":\"P3650D\",\"after_attempts\":1000000}}");
    assertEquals(201, created.status(), "the bounds themselves are taken: " + created.body());
    String subscription = created.body().get("id").asText();
    assertEquals("invalid_dead_letter_attempts", put(t, subscription, "{\"url\":\"" + url
        + "\",\"dead_letters\":{\"after_attempts\":true}}").errorCode());
    assertEquals("invalid_dead_letter_after", put(t, subscription, "{\"url\":\"" + url
        + "\",\"dead_letters\":{\"after\":\"P1Y\"}}").errorCode());
    assertPolicy(WebhookDeliveryTest.delivery(broker, t, subscription), false, "PT87600H", 1_000_000,
        List.of("enabled"));
  }

  private static void assertPolicy(JsonNode delivery, boolean enabled, String after, int afterAttempts,
                                   List<String> fromNode) {
    JsonNode policy = delivery.get("dead_letters");
    assertEquals(enabled, policy.get("enabled").asBoolean(), delivery.toString());
    assertEquals(after, policy.get("after").asText(), delivery.toString());
    assertEquals(afterAttempts, policy.get("after_attempts").asInt(), delivery.toString());
    assertEquals(fromNode, StreamSupport.stream(policy.get("from_node").spliterator(), false).map(JsonNode::asText)
        .toList(), delivery.toString());
  }

  private static String createCode(TestBroker.Tenancy t, String url, String policy) throws Exception {
    return WebhookDeliveryTest.subscribe(broker, t, "{\"type\":\"webhook\",\"url\":\"" + url
        + "\",\"dead_letters\":" + policy + "}").errorCode();
  }

  private static TestBroker.Reply put(TestBroker.Tenancy t, String subscription, String body) throws Exception {
    return broker.send("PUT", "/v1/subscriptions/" + subscription + "/webhook", t.consumerKey(), "application/json",
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static int deadLetterCount(TestBroker.Tenancy t, String subscription) throws Exception {
    return broker.get("/v1/subscriptions/" + subscription + "/webhook/dead-letters", t.consumerKey()).body()
        .get("count").asInt();
  }

  private static List<String> errors(TestBroker.Tenancy t, String subscription) throws Exception {
    return StreamSupport.stream(WebhookDeliveryTest.attempts(broker, t, subscription).get("data").spliterator(), false)
        .map(attempt -> attempt.path("error").asText("")).toList();
  }
}
