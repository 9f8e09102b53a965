package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TcpPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Editing and retiring products, plans and topics over real sockets: each refusal with its own
 * code, and what the subscriptions already made keep (docs/ARCHITECTURE.md, "Editing and
 * retiring the catalog").
 */
class CatalogLifecycleTest {
  private static TestBroker broker;
  /** An account that subscribes to nothing: what the catalog shows everyone else. */
  private static String outsiderKey;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    String outsider = broker.admin().createAccount("outsider").get("id").asText();
    outsiderKey = broker.admin().createKey(outsider, List.of("subscribe", "read")).get("secret").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aProducerEditsItsProductAndPlanNameAndTheAuditLogNamesIt() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("edits", 1);
    TestBroker.Reply edited = patch("/v1/products/" + t.product(), t.producerKey(),
        "{\"description\":\"Every order, as placed\",\"visibility\":\"private\"}");
    assertEquals(200, edited.status(), String.valueOf(edited.body()));
    assertEquals("Every order, as placed", edited.body().get("description").asText());
    assertEquals("private", edited.body().get("visibility").asText());
    assertEquals("edits orders", edited.body().get("name").asText(), "what the edit does not give stays");
    assertEquals(200, broker.get("/v1/products/" + t.product(), t.consumerKey()).status(),
        "a private product stays visible to its subscriber");
    assertEquals("product_not_found", broker.get("/v1/products/" + t.product(), outsiderKey).errorCode());

    TestBroker.Reply renamed = patch("/v1/plans/" + t.plan(), t.producerKey(), "{\"name\":\"basic (2026)\"}");
    assertEquals(200, renamed.status(), String.valueOf(renamed.body()));
    assertEquals("basic (2026)", renamed.body().get("name").asText());
    assertEquals("0.001", renamed.body().at("/price/unit_amount").asText(), "a rename leaves the terms");
    assertEquals("unknown_field", patch("/v1/plans/" + t.plan(), t.producerKey(),
        "{\"name\":\"x\",\"currency\":\"EUR\"}").errorCode(), "terms are not edited: new terms are a new plan");
    assertEquals("product_not_found", patch("/v1/products/" + t.product(), outsiderKey, "{\"description\":\"x\"}")
        .errorCode());

    assertEquals(200, patch("/v1/products/" + t.product(), t.producerKey(), "{}").status(), "an edit of nothing");

    JsonNode audit = broker.get("/v1/audit?limit=1000", t.producerKey()).body().get("data");
    assertTrue(audit.toString().contains("\"action\":\"plan_renamed\""), audit.toString());
    int updates = 0;
    for (JsonNode entry : audit) {
      if (entry.get("action").asText().equals("product_updated")) {
        updates++;
        assertEquals(t.producer(), entry.get("actor").asText());
        assertEquals("private", entry.get("visibility").asText());
      }
    }
    assertEquals(1, updates, "the edit, and no entry for the edit of nothing");
  }

  @Test
  void aRetiredProductTakesNoNewSubscriptionsWhileItsSubscriberStreamsOn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("sunset", 1);
    publish(t.producerKey(), t.topic(), 0, 3);
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 3);
      TestBroker.Reply retired = broker.post("/v1/products/" + t.product() + "/retire", t.producerKey(),
          "application/json", "");
      assertEquals(200, retired.status(), String.valueOf(retired.body()));
      assertTrue(retired.body().has("retired_at"));
      publish(t.producerKey(), t.topic(), 3, 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 5);
      assertFalse(stream.closed().isDone(), "the subscription runs on");
    }
    assertEquals("product_retired", subscribe(t.consumerKey(), t.consumer(), t.product(), t.plan()).errorCode());
    assertEquals(409, subscribe(t.consumerKey(), t.consumer(), t.product(), t.plan()).status());
    assertEquals("product_retired", broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(),
        "application/json", "{\"name\":\"late\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\","
            + "\"unit_amount\":\"0.01\"}}").errorCode());
    assertEquals("product_retired", broker.post("/v1/products/" + t.product() + "/retire", t.producerKey(),
        "application/json", "").errorCode());
    assertEquals(200, broker.get("/v1/products/" + t.product(), t.consumerKey()).status(), "its subscriber sees it");
    assertEquals("product_not_found", broker.get("/v1/products/" + t.product(), outsiderKey).errorCode(),
        "it left the catalog for everyone else");
    assertFalse(broker.get("/v1/catalog?q=sunset", outsiderKey).body().toString().contains(t.product()));
    try (RawWebSocket again = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      assertFalse(again.closed().isDone(), "a new stream of an existing subscription opens");
    }
  }

  @Test
  void aRetiredPlanTakesNoNewSubscriptionsNorPlanChangesOntoIt() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("vintage", 1);
    String other = broker.admin().createPerUnitPlan(t.product(), "other", "USD", "0.002").get("id").asText();
    TestBroker.Reply retired = broker.post("/v1/plans/" + t.plan() + "/retire", t.producerKey(), "application/json", "");
    assertEquals(200, retired.status(), String.valueOf(retired.body()));
    assertTrue(retired.body().has("retired_at"));
    assertEquals("plan_retired", subscribe(t.consumerKey(), t.consumer(), t.product(), t.plan()).errorCode());
    assertEquals(t.plan(), broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("plan")
        .asText(), "its subscription stays on it");
    assertEquals(200, changePlan(t, other).status());
    assertEquals("plan_retired", changePlan(t, t.plan()).errorCode());
    assertEquals(409, changePlan(t, t.plan()).status());
    assertEquals("plan_retired", broker.post("/v1/plans/" + t.plan() + "/retire", t.producerKey(), "application/json",
        "").errorCode());
    assertEquals(201, subscribe(t.consumerKey(), t.consumer(), t.product(), other).status());
  }

  @Test
  void aTopicJoinsAProductForNewStreamsAndLeavesItOnlyWhenNoSubscriptionRuns() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("growing", 1);
    broker.admin().createTopic("growing.refunds", "growing", 1);
    publish(t.producerKey(), "growing.refunds", 0, 2);
    TestBroker.Reply grown = patch("/v1/products/" + t.product(), t.producerKey(),
        "{\"topics\":[\"growing.orders\",\"growing.refunds\"]}");
    assertEquals(200, grown.status(), String.valueOf(grown.body()));
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 2);
      assertEquals("growing.refunds", stream.events().get(0).get("topic").asText(),
          "a stream opened after the edit reads the added topic from its oldest event");
    }
    String shrink = "{\"topics\":[\"growing.orders\"]}";
    TestBroker.Reply refused = patch("/v1/products/" + t.product(), t.producerKey(), shrink);
    assertEquals(409, refused.status());
    assertEquals("product_topic_in_use", refused.errorCode());
    assertEquals(200, broker.post("/v1/subscriptions/" + t.subscription() + "/cancel", t.consumerKey(),
        "application/json", "{\"at\":\"now\"}").status());
    await().atMost(Duration.ofSeconds(30)).until(() -> patch("/v1/products/" + t.product(), t.producerKey(), shrink)
        .status() == 200);
    assertEquals(List.of("growing.orders"), List.of(broker.get("/v1/products/" + t.product(), t.producerKey()).body()
        .get("topics").get(0).asText()));
  }

  @Test
  void aRetiredTopicJoinsNoProductButIsStillPublishedTo() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("archive", 1);
    broker.admin().createTopic("archive.legacy", "archive", 1);
    TestBroker.Reply retired = broker.post("/v1/topics/archive.legacy/retire", t.producerKey(), "application/json", "");
    assertEquals(200, retired.status(), String.valueOf(retired.body()));
    assertTrue(retired.body().has("retired_at"));
    assertEquals("topic_retired", broker.post("/v1/products", t.producerKey(), "application/json",
        "{\"name\":\"legacy\",\"owner\":\"" + t.producer() + "\",\"topics\":[\"archive.legacy\"]}").errorCode());
    TestBroker.Reply added = patch("/v1/products/" + t.product(), t.producerKey(),
        "{\"topics\":[\"archive.orders\",\"archive.legacy\"]}");
    assertEquals(409, added.status());
    assertEquals("topic_retired", added.errorCode());
    assertEquals("topic_retired", broker.post("/v1/topics/archive.legacy/retire", t.producerKey(), "application/json",
        "").errorCode());
    publish(t.producerKey(), "archive.legacy", 0, 1);
  }

  private static TestBroker.Reply patch(String path, String key, String body) throws Exception {
    return broker.send("PATCH", path, key, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static TestBroker.Reply subscribe(String key, String account, String product, String plan) throws Exception {
    return broker.post("/v1/subscriptions", key, "application/json", "{\"account\":\"" + account + "\",\"product\":\""
        + product + "\",\"plan\":\"" + plan + "\"}");
  }

  private static TestBroker.Reply changePlan(TestBroker.Tenancy t, String plan) throws Exception {
    return broker.post("/v1/subscriptions/" + t.subscription() + "/plan", t.consumerKey(), "application/json",
        "{\"plan\":\"" + plan + "\"}");
  }

  private static void publish(String key, String topic, int from, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), key)) {
      publisher.publish(topic, Events.numbered("/lifecycle", from, count)).get(10, TimeUnit.SECONDS);
    }
  }
}
