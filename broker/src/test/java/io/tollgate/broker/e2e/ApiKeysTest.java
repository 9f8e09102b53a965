package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateAdmin;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keys limited to resources, keys that expire, and rotation with an overlap in which both work. */
class ApiKeysTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of(), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static String key(TestBroker.Tenancy t, String body) throws Exception {
    TestBroker.Reply created = broker.post("/v1/accounts/" + t.producer() + "/keys", t.producerKey(), "application/json", body);
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return created.body().get("secret").asText();
  }

  private static int publish(String topic, String key) throws Exception {
    return broker.post("/v1/topics/" + topic + "/events", key, "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"" + System.nanoTime() + "\",\"source\":\"/keys\",\"type\":\"t\"}").status();
  }

  @Test
  void aKeyLimitedToResourcesReachesOnlyThose() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("scoped", 1);
    assertEquals(201, broker.post("/v1/topics", t.producerKey(), "application/json",
        "{\"name\":\"scoped.refunds\",\"domain\":\"scoped\"}").status());
    String ordersOnly = key(t, "{\"scopes\":[\"publish\"],\"resources\":[\"scoped.ord*\"]}");
    assertEquals(202, publish("scoped.orders", ordersOnly));
    assertEquals(403, publish("scoped.refunds", ordersOnly));

    String limitedAdmin = key(t, "{\"scopes\":[\"admin\"],\"resources\":[\"scoped.orders\"]}");
    assertEquals("forbidden", broker.post("/v1/accounts/" + t.producer() + "/keys", limitedAdmin, "application/json",
        "{\"scopes\":[\"admin\"]}").errorCode(), "a limited key cannot mint an unlimited one");
    assertEquals("invalid_field", broker.post("/v1/accounts/" + t.producer() + "/keys", t.producerKey(), "application/json",
        "{\"scopes\":[\"publish\"],\"resources\":[\"sc*oped\"]}").errorCode());
  }

  @Test
  void aReadOnlyKeyOfOneProductReadsThatProductsSubscriptionsAndUsageAndNothingAccountWide() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("analytics", 1);
    TollgateAdmin admin = broker.admin();
    String otherProduct = admin.createProduct("analytics refunds", t.producer(), List.of(t.topic()), "public")
        .get("id").asText();
    String otherPlan = admin.createPerUnitPlan(otherProduct, "basic", "USD", "0.001").get("id").asText();
    String otherSubscription = admin.createSubscription(t.consumer(), otherProduct, otherPlan, "beginning")
        .get("id").asText();
    TestBroker.Reply created = broker.post("/v1/accounts/" + t.consumer() + "/keys", broker.adminKey(),
        "application/json", "{\"scopes\":[\"read\"],\"resources\":[\"" + t.product() + "\"]}");
    String readOne = created.body().get("secret").asText();

    assertEquals(200, broker.get("/v1/subscriptions/" + t.subscription(), readOne).status());
    assertEquals("forbidden", broker.get("/v1/subscriptions/" + otherSubscription, readOne).errorCode());
    String listed = broker.get("/v1/subscriptions", readOne).body().toString();
    assertTrue(listed.contains(t.subscription()) && !listed.contains(otherSubscription), listed);
    assertEquals(202, publish(t.topic(), t.producerKey()));
    for (String subscription : List.of(t.subscription(), otherSubscription)) {
      try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), subscription).maxEvents(1)
          .onDelivery(delivery -> { }).connect()) {
        consumer.closed().get(30, TimeUnit.SECONDS);
      }
    }
    String usagePath = "/v1/accounts/" + t.consumer() + "/usage";
    await().atMost(Duration.ofSeconds(30)).until(() -> broker.get(usagePath, t.consumerKey()).body().toString()
        .contains(otherSubscription));
    TestBroker.Reply usage = broker.get(usagePath, readOne);
    assertEquals(200, usage.status());
    assertTrue(usage.body().toString().contains(t.subscription()) && !usage.body().toString().contains(otherSubscription),
        usage.body().toString());
    for (String accountWide : List.of("invoices", "invoices/upcoming", "statements", "wallet", "keys")) {
      assertEquals("forbidden", broker.get("/v1/accounts/" + t.consumer() + "/" + accountWide, readOne).errorCode(),
          accountWide);
    }
    assertEquals(403, broker.post("/v1/subscriptions/" + t.subscription() + "/plan", readOne, "application/json",
        "{\"plan\":\"" + t.plan() + "\"}").status(), "reading is not changing");

    String subscribeOnly = broker.post("/v1/accounts/" + t.consumer() + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"subscribe\"]}").body().get("secret").asText();
    assertEquals("forbidden", broker.get("/v1/subscriptions/" + t.subscription(), subscribeOnly).errorCode());
    assertEquals("forbidden", broker.get("/v1/accounts/" + t.consumer() + "/usage", subscribeOnly).errorCode());
    assertTrue(!broker.get("/v1/subscriptions", subscribeOnly).body().toString().contains(t.subscription()),
        "a key without the read scope lists none of the account's subscriptions");
  }

  @Test
  void anExpiredKeyIsRefusedEverywhere() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("expiring", 1);
    String shortLived = key(t, "{\"scopes\":[\"publish\",\"read\"],\"expires_at\":\"" + clock.instant().plus(Duration.ofMinutes(10)) + "\"}");
    assertEquals(202, publish(t.topic(), shortLived));
    clock.advance(Duration.ofMinutes(11));
    assertEquals(401, publish(t.topic(), shortLived));
    assertEquals("invalid_key", broker.get("/v1/topics/" + t.topic(), shortLived).errorCode());
    assertEquals("invalid_field", broker.post("/v1/accounts/" + t.producer() + "/keys", t.producerKey(), "application/json",
        "{\"scopes\":[\"publish\"],\"expires_at\":\"2020-01-01T00:00:00Z\"}").errorCode());
    String expiredId = broker.get("/v1/accounts/" + t.producer() + "/keys", t.producerKey()).body().get("data").findValues("id")
        .stream().map(JsonNode::asText).filter(id -> shortLived.startsWith(id + ".")).findFirst().orElseThrow();
    assertEquals("key_expired", broker.post("/v1/accounts/" + t.producer() + "/keys/" + expiredId + "/rotate", t.producerKey(),
        "application/json", "{}").errorCode(), "rotation cannot bring an expired key back");
  }

  @Test
  void aRotatedKeyKeepsWorkingForTheOverlapThenOnlyTheNewOneDoes() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("rotating", 1);
    TestBroker.Reply original = broker.post("/v1/accounts/" + t.producer() + "/keys", t.producerKey(), "application/json",
        "{\"scopes\":[\"publish\"],\"resources\":[\"rotating.*\"]}");
    String oldSecret = original.body().get("secret").asText();
    JsonNode rotated = broker.post("/v1/accounts/" + t.producer() + "/keys/" + original.body().get("id").asText()
        + "/rotate", t.producerKey(), "application/json", "{\"overlap_seconds\":600}").body();
    assertEquals(original.body().get("id").asText(), rotated.get("replaces").asText());
    assertEquals("rotating.*", rotated.get("resources").get(0).asText(), "the new key has the same limits");
    String newSecret = rotated.get("secret").asText();
    assertEquals(202, publish(t.topic(), oldSecret));
    assertEquals(202, publish(t.topic(), newSecret));
    clock.advance(Duration.ofMinutes(11));
    assertEquals(401, publish(t.topic(), oldSecret));
    assertEquals(202, publish(t.topic(), newSecret));
  }
}
