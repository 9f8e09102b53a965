package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/subscriptions/{id}/preview} over a real socket: the newest events as the
 * subscription's consumer would receive them (redacted, filtered), while nothing is acknowledged
 * or billed; and {@code GET /v1/me}, which the console asks after sign-in.
 */
class PreviewApiTest {
  private static final String CARD = "4111111111111111";
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static void publish(TestBroker.Tenancy t, List<io.tollgate.protocols.v1.CloudEvent> events) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), events).get(10, TimeUnit.SECONDS);
    }
  }

  private static List<String> ids(JsonNode preview) {
    List<String> ids = new ArrayList<>();
    preview.get("data").forEach(event -> ids.add(event.at("/event/id").asText()));
    return ids;
  }

  @Test
  void thePreviewShowsTheNewestEventsOfEveryPartitionAndNeitherAcknowledgesNorBills() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("previewed", 3);
    publish(t, Events.numbered("/orders", 0, 30));
    JsonNode before = broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body();

    TestBroker.Reply preview = broker.get("/v1/subscriptions/" + t.subscription() + "/preview?limit=5", t.consumerKey());
    assertEquals(200, preview.status(), String.valueOf(preview.body()));
    assertEquals(t.subscription(), preview.body().get("subscription").asText());
    assertEquals(5, preview.body().get("data").size(), preview.body().toString());
    JsonNode first = preview.body().get("data").get(0);
    assertEquals(t.topic(), first.get("topic").asText());
    assertTrue(first.get("cursor").asText().startsWith(t.topic() + ":"), first.toString());
    assertTrue(ids(preview.body()).stream().allMatch(id -> Integer.parseInt(id.substring(1)) >= 0), preview.body().toString());

    List<String> all = ids(broker.get("/v1/subscriptions/" + t.subscription() + "/preview?limit=100", t.consumerKey()).body());
    assertEquals(30, all.size(), "every event, at most the limit: " + all);
    assertEquals(20, broker.get("/v1/subscriptions/" + t.subscription() + "/preview", t.consumerKey()).body()
        .get("data").size(), "20 by default");

    JsonNode after = broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body();
    assertEquals(before.get("acked"), after.get("acked"), "nothing acknowledged");
    assertEquals(0, after.at("/usage/events").asLong(), "nothing billed");
    JsonNode usage = broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body();
    assertEquals(0, usage.get("data").size(), usage.toString());
  }

  @Test
  void thePreviewRedactsAndFiltersAsTheStreamDoes() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("previewredact", 1);
    TestBroker.Reply plan = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"redacted","currency":"USD","price":{"model":"per_unit","unit_amount":"0.001"},
         "redact":[{"pointer":"/card/number","action":"mask"}]}""");
    assertEquals(201, plan.status(), String.valueOf(plan.body()));
    TestBroker.Reply subscribed = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\""
            + plan.body().get("id").asText() + "\",\"filter\":{\"data.amount\":{\"$gte\":20}}}");
    assertEquals(201, subscribed.status(), String.valueOf(subscribed.body()));
    publish(t, List.of(
        Events.event("/pay", "p-1", null, "{\"card\":{\"number\":\"" + CARD + "\"},\"amount\":10}"),
        Events.event("/pay", "p-2", null, "{\"card\":{\"number\":\"" + CARD + "\"},\"amount\":20}")));

    JsonNode preview = broker.get("/v1/subscriptions/" + subscribed.body().get("id").asText() + "/preview",
        broker.adminKey()).body();
    assertEquals(List.of("p-2"), ids(preview), "the subscription's filter holds: " + preview);
    assertFalse(preview.toString().contains(CARD), preview.toString());
    assertEquals("***", preview.at("/data/0/event/data/card/number").asText(), preview.toString());
  }

  @Test
  void theConsumerSeesWhatFlowsButNotTheDataItWouldBeBilledFor() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("previewunbilled", 1);
    publish(t, List.of(Events.event("/flow", "f-1", null, "{\"secret\":\"paid-for\"}")));
    JsonNode preview = broker.get("/v1/subscriptions/" + t.subscription() + "/preview", t.consumerKey()).body();
    assertEquals(List.of("f-1"), ids(preview), preview.toString());
    assertFalse(preview.toString().contains("paid-for"), "the data is left out: " + preview);
    assertTrue(preview.at("/data/0/event").has("type"), preview.toString());
    assertEquals("{\"secret\":\"paid-for\"}".length(), preview.at("/data/0/data_bytes").asInt(), preview.toString());
  }

  @Test
  void aPreviewLimitOutsideOneToAHundredIsRefused() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("previewlimit", 1);
    for (String limit : List.of("0", "101", "ten")) {
      TestBroker.Reply refused = broker.get("/v1/subscriptions/" + t.subscription() + "/preview?limit=" + limit,
          t.consumerKey());
      assertEquals(400, refused.status(), limit);
      assertEquals("invalid_limit", refused.errorCode(), limit);
    }
  }

  @Test
  void aCancelledSubscriptionShowsNoPreview() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("previewcancel", 1);
    assertEquals(200, broker.post("/v1/subscriptions/" + t.subscription() + "/cancel", t.consumerKey(), "application/json",
        "{\"at\":\"now\"}").status());
    await().atMost(Duration.ofSeconds(30)).until(() -> "subscription_cancelled".equals(
        broker.get("/v1/subscriptions/" + t.subscription() + "/preview", t.consumerKey()).errorCode()));
  }

  @Test
  void meSaysWhoTheCredentialIs() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("whoami", 1);
    JsonNode operator = broker.get("/v1/me", broker.adminKey()).body();
    assertTrue(operator.get("operator").asBoolean());
    assertTrue(operator.get("account").isNull());
    JsonNode consumer = broker.get("/v1/me", t.consumerKey()).body();
    assertFalse(consumer.get("operator").asBoolean());
    assertEquals(t.consumer(), consumer.get("account").asText());
    assertEquals("[\"subscribe\",\"read\"]", consumer.get("scopes").toString());
    assertEquals("key", consumer.get("kind").asText());
    assertEquals("invalid_key", broker.get("/v1/me", "key_nobody.nothing").errorCode());
  }
}
