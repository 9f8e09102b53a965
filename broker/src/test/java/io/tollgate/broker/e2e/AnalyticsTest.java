package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Subscriber;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /v1/analytics/{dimension} over a real socket: what the read side made of the journals
 * and of the nodes' minute records, seen by the operator, the producer and the consumer each as
 * they may; every bound and bad parameter with its own code; and a read side that goes on after
 * a restart without counting anything twice.
 */
class AnalyticsTest {
  private static final Map<String, Object> FAST = Map.of("tollgate.analytics.read-interval", "200ms",
      "tollgate.analytics.record-interval", "500ms");
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static Path dataDir;
  private static TestBroker broker;
  private static TestBroker.Tenancy t;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("tollgate-analytics");
    broker = TestBroker.startIn(dataDir, FAST, Clock.systemUTC());
    t = broker.tenancy("analytics", 2);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static String range() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    return "from=" + now.minus(Duration.ofHours(1)) + "&to=" + now.plus(Duration.ofHours(1));
  }

  private static TestBroker.Reply analytics(String query, String key) throws Exception {
    return broker.get("/v1/analytics/" + query, key);
  }

  /** The sum of one field over every bucket of every key of the answer. */
  private static long total(JsonNode answer, String field) {
    long total = 0;
    for (JsonNode entry : answer.get("data")) {
      for (JsonNode bucket : entry.get("series")) {
        total += bucket.get(field).asLong();
      }
    }
    return total;
  }

  private static void publish(int count, String prefix) throws Exception {
    publish(t, count, prefix);
  }

  private static void publish(TestBroker.Tenancy t, int count, String prefix) throws Exception {
    for (int i = 0; i < count; i++) {
      TestBroker.Reply published = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
          "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"" + prefix + i
              + "\",\"source\":\"/analytics\",\"type\":\"order.placed\",\"data\":{\"n\":" + i + "}}");
      assertEquals(202, published.status(), String.valueOf(published.body()));
    }
  }

  @Test
  void publishDeliveryAndAcksShowForEachPartyAsItMaySeeThem() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("counted", 2);
    publish(t, 3, "a");
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(3).connect()) {
      consumer.closed().get(20, TimeUnit.SECONDS);
    }
    String topics = "topics?resolution=minute&" + range();
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode answer = analytics(topics + "&key=" + t.topic(), t.producerKey()).body();
      assertEquals(3, total(answer, "published_events"), answer.toString());
    });
    JsonNode answer = analytics(topics + "&key=" + t.topic(), t.producerKey()).body();
    assertEquals("topics", answer.get("dimension").asText());
    assertEquals("minute", answer.get("resolution").asText());
    assertEquals(t.topic(), answer.get("data").get(0).get("key").asText());
    assertTrue(total(answer, "published_bytes") > 0);

    String subscription = "subscriptions?resolution=hour&key=" + t.subscription() + "&" + range();
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode own = analytics(subscription, t.consumerKey()).body();
      assertEquals(3, total(own, "acknowledged_events"), own.toString());
      assertEquals(3, total(own, "delivered_events"), own.toString());
    });
    JsonNode bucket = analytics(subscription, t.consumerKey()).body().get("data").get(0).get("series").get(0);
    assertTrue(bucket.get("latency_ms").get("p99").isNumber(), bucket.toString());
    assertTrue(bucket.get("delivered_bytes").asLong() > 0);

    JsonNode producerView = analytics(subscription, t.producerKey()).body();
    assertEquals(3, total(producerView, "acknowledged_events"), "the producer sees the subscriptions to its products");
    JsonNode operatorView = analytics("products?resolution=day&key=" + t.product() + "&" + range(), broker.adminKey())
        .body();
    assertEquals(3, total(operatorView, "published_events"));
    assertEquals(3, total(operatorView, "acknowledged_events"));
  }

  @Test
  void filteredAndRedactedEventsAreCountedForTheSubscription() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("shaped", 1);
    TestBroker.Reply plan = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json",
        "{\"name\":\"masked\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0\"},"
            + "\"redact\":[{\"pointer\":\"/secret\",\"action\":\"mask\"}]}");
    assertEquals(201, plan.status(), String.valueOf(plan.body()));
    TestBroker.Reply subscribed = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\""
            + plan.body().get("id").asText() + "\",\"start\":\"beginning\",\"filter\":{\"data.n\":{\"$gte\":1}}}");
    assertEquals(201, subscribed.status(), String.valueOf(subscribed.body()));
    String subscription = subscribed.body().get("id").asText();
    for (int n = 0; n < 3; n++) {
      assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), "application/cloudevents+json",
          "{\"specversion\":\"1.0\",\"id\":\"s" + n + "\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"n\":" + n
              + ",\"secret\":\"x\"}}").status());
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), subscription)
        .onDelivery(delivery -> { }).maxEvents(2).connect()) {
      consumer.closed().get(20, TimeUnit.SECONDS);
    }
    String query = "subscriptions?resolution=hour&key=" + subscription + "&" + range();
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode answer = analytics(query, t.consumerKey()).body();
      assertEquals(1, total(answer, "filtered_events"), answer.toString());
      assertEquals(3, total(answer, "redacted_events"), answer.toString());
      assertEquals(2, total(answer, "delivered_events"), answer.toString());
    });
  }

  @Test
  void eachTenantSeesOnlyItsOwnKeys() throws Exception {
    publish(1, "own");
    await().atMost(PATIENCE).until(() -> total(analytics("topics?" + range(), broker.adminKey()).body(),
        "published_events") > 0);
    TestBroker.Reply consumerTopics = analytics("topics?" + range(), t.consumerKey());
    assertEquals(200, consumerTopics.status());
    assertEquals(0, consumerTopics.body().get("data").size(), "a consumer owns no topic: " + consumerTopics.body());
    assertEquals("analytics_key_not_found", analytics("topics?key=" + t.topic() + "&" + range(), t.consumerKey())
        .errorCode());
    assertEquals("analytics_key_not_found", analytics("accounts?key=" + t.producer() + "&" + range(), t.consumerKey())
        .errorCode());
    for (JsonNode entry : analytics("accounts?" + range(), t.producerKey()).body().get("data")) {
      assertEquals(t.producer(), entry.get("key").asText());
    }
  }

  @Test
  void failedAuthenticationsOnEveryEdgeCountForTheOperatorOnly() throws Exception {
    assertEquals(401, broker.get("/v1/topics", "tg_not_a_key").status());
    try (Socket socket = new Socket("127.0.0.1", broker.tcpPort())) {
      socket.setSoTimeout(10_000);
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
          .setAuthenticate(Authenticate.newBuilder().setApiKey("tg_not_a_key_either")).build());
      ServerFrame reply = ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
      assertEquals("invalid_key", reply.getError().getCode());
    }
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode answer = analytics("accounts?key=-&" + range(), broker.adminKey()).body();
      assertEquals(2, total(answer, "auth_failures"), "one over HTTP, one over TCP: " + answer);
    });
    assertEquals("analytics_key_not_found", analytics("accounts?key=-&" + range(), t.producerKey()).errorCode());
  }

  @Test
  void everyBadQueryIsRefusedWithItsOwnCode() throws Exception {
    String admin = broker.adminKey();
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    assertRefused(404, "unknown_dimension", analytics("domains?" + range(), admin));
    assertRefused(400, "invalid_range", analytics("topics?to=" + now, admin));
    assertRefused(400, "invalid_range", analytics("topics?from=yesterday&to=" + now, admin));
    assertRefused(400, "invalid_range", analytics("topics?from=" + now + "&to=" + now, admin));
    assertRefused(400, "invalid_resolution", analytics("topics?resolution=week&" + range(), admin));
    assertRefused(400, "range_too_long", analytics("topics?resolution=day&from=" + now.minus(Duration.ofDays(401))
        + "&to=" + now, admin));
    assertRefused(400, "too_many_buckets", analytics("topics?resolution=minute&from=" + now.minus(Duration.ofDays(32))
        + "&to=" + now, admin));
    TestBroker.Reply month = analytics("topics?resolution=minute&from=" + now.minus(Duration.ofDays(30)) + "&to=" + now,
        admin);
    assertEquals(200, month.status(), "30 days of minutes is within the bounds");
    assertRefused(401, "unauthenticated", analytics("topics?" + range(), null));
  }

  private static void assertRefused(int status, String code, TestBroker.Reply reply) {
    assertEquals(code, reply.errorCode(), String.valueOf(reply.body()));
    assertEquals(status, reply.status());
  }

  @Test
  void aNodeWithAnalyticsOffSaysSo() throws Exception {
    try (TestBroker off = TestBroker.start(Map.of("tollgate.analytics.enabled", false))) {
      TestBroker.Reply reply = off.get("/v1/analytics/topics?" + range(), off.adminKey());
      assertRefused(503, "analytics_disabled", reply);
    }
  }

  @Test
  void theReadSideGoesOnAfterARestartWithoutCountingTwice() throws Exception {
    TestBroker.Tenancy restarted = broker.tenancy("restarted", 1);
    String query = "topics?resolution=day&key=" + restarted.topic() + "&" + range();
    broker.post("/v1/topics/" + restarted.topic() + "/events", restarted.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"r1\",\"source\":\"/r\",\"type\":\"t\",\"data\":{}}");
    await().atMost(PATIENCE).until(() -> total(analytics(query, broker.adminKey()).body(), "published_events") == 1);
    broker.close();
    broker = TestBroker.startIn(dataDir, FAST, Clock.systemUTC());
    assertEquals(202, broker.post("/v1/topics/" + restarted.topic() + "/events", restarted.producerKey(),
        "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"r2\",\"source\":\"/r\",\"type\":\"t\","
            + "\"data\":{}}").status());
    await().atMost(PATIENCE).until(() -> total(analytics(query, broker.adminKey()).body(), "published_events") == 2);
    assertFalse(total(analytics(query, broker.adminKey()).body(), "published_events") > 2);
  }
}
