package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that fails every request: its circuit opens (announced), and once it has failed
 * for {@code disable-after} it is disabled with reason {@code failing} (announced); nothing was
 * acknowledged, so nothing is billed.
 */
class WebhookFailingEndpointTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.webhooks.secret-key", Base64.getEncoder().encodeToString(new byte[32]),
        "tollgate.webhooks.allow-private-targets", true,
        "tollgate.webhooks.retry.first", "50ms", "tollgate.webhooks.retry.max", "200ms",
        "tollgate.webhooks.breaker.failures", 3, "tollgate.webhooks.breaker.reset", "300ms",
        "tollgate.webhooks.disable-after", "3s", "tollgate.webhooks.wake-every", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void anEndpointFailingForTooLongOpensItsCircuitAndIsDisabledAndBothAreAnnounced() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.answerAlways(WebhookReceiver.status(500));
      TestBroker.Tenancy t = broker.tenancy("failing", 1);
      TestBroker.Reply created = WebhookDeliveryTest.subscribe(broker, t, WebhookDeliveryTest.webhook(receiver.url(), 10, 1));
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String subscription = created.body().get("id").asText();
      TestBroker.Reply announcements = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
          "{\"account\":\"" + t.consumer() + "\",\"product\":\"prod_tollgate_webhooks\","
              + "\"plan\":\"plan_tollgate_webhooks\"}");
      WebhookDeliveryTest.publish(broker, t, 1, List.of("f-0"));

      await().atMost(Duration.ofSeconds(30)).until(() -> WebhookDeliveryTest.delivery(broker, t, subscription)
          .get("status").asText().equals("disabled"));
      JsonNode delivery = WebhookDeliveryTest.delivery(broker, t, subscription);
      assertEquals("failing", delivery.get("disabled_reason").asText(), delivery.toString());
      assertEquals(0, WebhookDeliveryTest.billed(broker, t, subscription));
      try (EventStreamClient events = EventStreamClient.open(broker.baseUrl(),
          announcements.body().get("id").asText(), t.consumerKey(), Optional.empty())) {
        await().atMost(Duration.ofSeconds(10)).until(() -> types(events, subscription)
            .containsAll(Set.of("tollgate.webhook.circuit_opened", "tollgate.webhook.disabled")));
      }
      int requests = receiver.requests().size();
      WebhookDeliveryTest.publish(broker, t, 1, List.of("f-1"));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
          .until(() -> receiver.requests().size() == requests);
    }
  }

  private static Set<String> types(EventStreamClient events, String subscription) {
    return events.deliveries().stream().map(EventStreamClient.Event::json)
        .filter(json -> json.get("event").get("data").get("subscription").asText().equals(subscription))
        .map(json -> json.get("event").get("type").asText()).collect(Collectors.toSet());
  }
}
