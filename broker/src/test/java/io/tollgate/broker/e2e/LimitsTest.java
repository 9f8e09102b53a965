package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every limit on strings and on the catalog, over real sockets, on a node whose limits are
 * lowered through its configuration: each refusal with its code and status, and the node still
 * serving afterwards (docs/security.md, "Every limit", names these tests).
 */
class LimitsTest {
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static TestBroker broker;
  private static TollgateAdmin admin;
  private static TestBroker.Tenancy tenant;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.ofEntries(
        Map.entry("tollgate.limits.max-id-length", 64),
        Map.entry("tollgate.limits.max-name-length", 40),
        Map.entry("tollgate.limits.max-description-length", 100),
        Map.entry("tollgate.limits.max-text-length", 100),
        Map.entry("tollgate.limits.max-filter-length", 200),
        Map.entry("tollgate.limits.max-event-id-length", 64),
        Map.entry("tollgate.limits.max-event-source-length", 100),
        Map.entry("tollgate.limits.max-event-type-length", 100),
        Map.entry("tollgate.limits.max-event-subject-length", 100),
        Map.entry("tollgate.limits.max-event-attribute-length", 100),
        Map.entry("tollgate.limits.max-extensions", 3),
        Map.entry("tollgate.limits.catalog.max-domains-per-account", 2),
        Map.entry("tollgate.limits.catalog.max-topics-per-account", 3),
        Map.entry("tollgate.limits.catalog.max-products-per-account", 3),
        Map.entry("tollgate.limits.catalog.max-plans-per-account", 4),
        Map.entry("tollgate.limits.catalog.max-keys-per-account", 3),
        Map.entry("tollgate.limits.catalog.max-subscriptions-per-account", 2),
        Map.entry("tollgate.limits.catalog.max-topics-per-product", 2),
        Map.entry("tollgate.limits.catalog.max-plans-per-product", 2),
        Map.entry("tollgate.limits.catalog.max-partitions-per-product", 3),
        Map.entry("tollgate.limits.catalog.max-schema-versions-per-topic", 2),
        Map.entry("tollgate.limits.catalog.max-plan-changes-per-subscription", 2),
        Map.entry("tollgate.limits.catalog.max-resources-per-key", 2),
        Map.entry("tollgate.limits.max-request-bytes", "8KiB"),
        Map.entry("tollgate.limits.max-events-per-publish", 5)));
    admin = broker.admin();
    tenant = broker.tenancy("limits", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  // ---- strings --------------------------------------------------------------------------

  @Test
  void aPathParameterLongerThanAnIdIsRefused() throws Exception {
    TestBroker.Reply reply = broker.get("/v1/products/" + "p".repeat(65), tenant.consumerKey());
    assertRefused(400, "field_too_long", reply, "{product}", "tollgate.limits.max-id-length");
    assertEquals(200, broker.get("/v1/products/" + tenant.product(), tenant.consumerKey()).status());
  }

  @Test
  void anIdInABodyLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post("/v1/domains", broker.adminKey(), "application/json",
        "{\"name\":\"longowner\",\"owner\":\"" + "a".repeat(65) + "\"}");
    assertRefused(400, "field_too_long", reply, "\"owner\"", "max-id-length");
    stillServing();
  }

  @Test
  void aNameLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post("/v1/accounts", broker.adminKey(), "application/json",
        "{\"name\":\"" + "n".repeat(41) + "\"}");
    assertRefused(400, "field_too_long", reply, "\"name\" is 41 characters", "max-name-length");
    assertEquals(201, broker.post("/v1/accounts", broker.adminKey(), "application/json",
        "{\"name\":\"" + "n".repeat(40) + "\"}").status());
  }

  @Test
  void aDescriptionLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post("/v1/products", tenant.producerKey(), "application/json",
        "{\"name\":\"described\",\"owner\":\"" + tenant.producer() + "\",\"topics\":[\"" + tenant.topic()
            + "\"],\"description\":\"" + "d".repeat(101) + "\"}");
    assertRefused(400, "field_too_long", reply, "\"description\"", "max-description-length");
    stillServing();
  }

  @Test
  void aFilterLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post("/v1/subscriptions", tenant.consumerKey(), "application/json",
        "{\"account\":\"" + tenant.consumer() + "\",\"product\":\"" + tenant.product() + "\",\"plan\":\"" + tenant.plan()
            + "\",\"filter\":{\"data.sku\":{\"$in\":[" + "\"BK-00000\",".repeat(20) + "\"BK-1\"]}}}");
    assertRefused(400, "field_too_long", reply, "\"filter\"", "max-filter-length");
    stillServing();
  }

  @Test
  void aPlanTermLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post("/v1/products/" + tenant.product() + "/plans", tenant.producerKey(),
        "application/json", "{\"name\":\"masked\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.001\"},"
            + "\"redact\":[{\"pointer\":\"/" + "p".repeat(100) + "\",\"action\":\"mask\"}]}");
    assertRefused(400, "field_too_long", reply, "\"redact[0].pointer\"", "max-text-length");
    stillServing();
  }

  @Test
  void aManagementBodyLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post("/v1/accounts", broker.adminKey(), "application/json",
        "{\"name\":\"padded\"" + " ".repeat(8 * 1024) + "}");
    assertRefused(413, "request_too_large", reply, "tollgate.limits.max-request-bytes");
    stillServing();
  }

  @Test
  void aBatchOfMoreEventsThanTheLimitIsRefused() throws Exception {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      events.add(CloudEventJson.toJson(Events.event("/batch", "batch-" + NEXT.incrementAndGet(), null, "{}")));
    }
    String path = "/v1/topics/" + tenant.topic() + "/events";
    assertRefused(413, "batch_too_large", broker.post(path, tenant.producerKey(), "application/cloudevents-batch+json",
        "[" + String.join(",", events) + "]"), "at most 5");
    assertEquals(202, broker.post(path, tenant.producerKey(), "application/cloudevents-batch+json",
        "[" + String.join(",", events.subList(1, 6)) + "]").status());
  }

  /** The same attribute limits on every edge, checked in one place once the event is decoded. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "structured|source|field_too_long", "structured|subject|field_too_long", "structured|extension|invalid_cloudevent",
      "structured|extensions|too_many_extensions", "structured|id|field_too_long",
      "batch|type|field_too_long", "batch|extensions|too_many_extensions",
      "binary|source|field_too_long", "binary|subject|field_too_long", "binary|extensions|too_many_extensions",
      "tcp|source|field_too_long", "tcp|subject|field_too_long", "tcp|dataschema|field_too_long",
      "tcp|extensions|too_many_extensions", "tcp|extension|invalid_cloudevent",
  })
  void anEventAttributeBeyondItsLimitIsRefusedOnEveryEdge(String edge, String attribute, String code) throws Exception {
    CloudEvent.Builder event = CloudEvent.newBuilder().setSpecVersion("1.0").setId("lim-" + NEXT.incrementAndGet())
        .setSource("/limits").setType("t").setJsonData("{}");
    String tooLong = "x".repeat(101);
    switch (attribute) {
      case "id" -> event.setId("i".repeat(65));
      case "source" -> event.setSource(tooLong);
      case "type" -> event.setType(tooLong);
      case "extension" -> event.putAttributes("e".repeat(21), text("v"));
      case "extensions" -> List.of("ea", "eb", "ec", "ed").forEach(name -> event.putAttributes(name, text("v")));
      default -> event.putAttributes(attribute, text(tooLong));
    }
    String refused = publish(edge, event.build());
    assertEquals(code, refused);
    assertEquals("ok", publish(edge, event.clearAttributes().setId("ok-" + NEXT.incrementAndGet()).setSource("/ok")
        .setType("t").build()), "the same edge takes an event within the limits");
  }

  @Test
  void aTcpConnectionOutlivesARefusedEventAndATopicNameLongerThanAnId() throws Exception {
    try (Socket socket = authenticated()) {
      CloudEvent bad = Events.event("x".repeat(101), "tcp-bad", null, "{}");
      ServerFrame refused = tcpPublish(socket, 7, bad);
      assertEquals("field_too_long", refused.getError().getCode());
      assertFalse(refused.getError().getFatal());
      assertTrue(refused.getError().getMessage().contains("\"source\""), refused.getError().getMessage());
      assertTrue(tcpPublish(socket, 8, Events.event("/ok", "tcp-good", null, "{}")).hasAck());
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder().setCorrelationId(9)
          .setTopic("limits." + "t".repeat(200)).addEvents(Events.event("/ok", "tcp-topic", null, "{}"))).build());
      ServerFrame longTopic = read(socket);
      assertEquals("field_too_long", longTopic.getError().getCode());
      assertTrue(longTopic.getError().getMessage().contains("max-id-length"), longTopic.getError().getMessage());
      assertTrue(tcpPublish(socket, 10, Events.event("/ok", "tcp-good-2", null, "{}")).hasAck());
    }
  }

  // ---- the catalog ----------------------------------------------------------------------

  @Test
  void anAccountMayCreateAsManyDomainsAsItsLimit() throws Exception {
    String account = account();
    admin.createDomain(unique("d"), account);
    admin.createDomain(unique("d"), account);
    TestBroker.Reply reply = broker.post("/v1/domains", broker.adminKey(), "application/json",
        "{\"name\":\"" + unique("d") + "\",\"owner\":\"" + account + "\"}");
    assertRefused(409, "too_many_domains", reply, account, "max-domains-per-account");
    admin.createDomain(unique("d"), account());
  }

  @Test
  void anAccountMayCreateAsManyTopicsAsItsLimitAcrossItsDomains() throws Exception {
    String account = account();
    String first = admin.createDomain(unique("d"), account).get("name").asText();
    String second = admin.createDomain(unique("d"), account).get("name").asText();
    admin.createTopic(first + ".a", first, 1);
    admin.createTopic(first + ".b", first, 1);
    admin.createTopic(second + ".a", second, 1);
    TestBroker.Reply reply = broker.post("/v1/topics", broker.adminKey(), "application/json",
        "{\"name\":\"" + second + ".b\",\"domain\":\"" + second + "\"}");
    assertRefused(409, "too_many_topics", reply, account, "max-topics-per-account");
    stillServing();
  }

  @Test
  void aProductBundlesAtMostItsLimitOfTopics() throws Exception {
    String account = account();
    String domain = admin.createDomain(unique("d"), account).get("name").asText();
    List<String> topics = List.of(domain + ".a", domain + ".b", domain + ".c");
    topics.forEach(topic -> admin.createTopic(topic, domain, 1));
    TestBroker.Reply reply = broker.post("/v1/products", broker.adminKey(), "application/json",
        "{\"name\":\"all\",\"owner\":\"" + account + "\",\"topics\":[\"" + String.join("\",\"", topics) + "\"]}");
    assertRefused(409, "too_many_topics_in_product", reply, "max-topics-per-product");
    admin.createProduct("two", account, topics.subList(0, 2));
  }

  @Test
  void aProductCoversAtMostItsLimitOfPartitions() throws Exception {
    String account = account();
    String domain = admin.createDomain(unique("d"), account).get("name").asText();
    admin.createTopic(domain + ".wide", domain, 4);
    TestBroker.Reply reply = broker.post("/v1/products", broker.adminKey(), "application/json",
        "{\"name\":\"wide\",\"owner\":\"" + account + "\",\"topics\":[\"" + domain + ".wide\"]}");
    assertRefused(409, "too_many_partitions_in_product", reply, "max-partitions-per-product");
    stillServing();
  }

  @Test
  void aTopicKeepsAtMostItsLimitOfSchemaVersions() throws Exception {
    String topic = topicOf(account());
    String schema = "{\"schema\":{\"type\":\"object\"}}";
    assertEquals(201, broker.post("/v1/topics/" + topic + "/schemas", broker.adminKey(), "application/json", schema).status());
    assertEquals(201, broker.post("/v1/topics/" + topic + "/schemas", broker.adminKey(), "application/json", schema).status());
    assertRefused(409, "too_many_schema_versions",
        broker.post("/v1/topics/" + topic + "/schemas", broker.adminKey(), "application/json", schema), topic,
        "max-schema-versions-per-topic");
    stillServing();
  }

  @Test
  void aSubscriptionChangesPlanAtMostItsLimitOfTimes() throws Exception {
    String account = account();
    String product = admin.createProduct("p", account, List.of(topicOf(account))).get("id").asText();
    String first = admin.createPerUnitPlan(product, "one", "USD", "0.001").get("id").asText();
    String second = admin.createPerUnitPlan(product, "two", "USD", "0.001").get("id").asText();
    String subscription = admin.createSubscription(account(), product, first, "beginning").get("id").asText();
    String path = "/v1/subscriptions/" + subscription + "/plan";
    assertEquals(200, broker.post(path, broker.adminKey(), "application/json", "{\"plan\":\"" + second + "\"}").status());
    assertEquals(200, broker.post(path, broker.adminKey(), "application/json", "{\"plan\":\"" + first + "\"}").status());
    assertRefused(409, "too_many_plan_changes",
        broker.post(path, broker.adminKey(), "application/json", "{\"plan\":\"" + second + "\"}"), subscription,
        "max-plan-changes-per-subscription");
    stillServing();
  }

  @Test
  void anAccountMayCreateAsManyProductsAsItsLimit() throws Exception {
    String account = account();
    String topic = topicOf(account);
    for (int i = 0; i < 3; i++) {
      admin.createProduct("p" + i, account, List.of(topic));
    }
    TestBroker.Reply reply = broker.post("/v1/products", broker.adminKey(), "application/json",
        "{\"name\":\"p3\",\"owner\":\"" + account + "\",\"topics\":[\"" + topic + "\"]}");
    assertRefused(409, "too_many_products", reply, account, "max-products-per-account");
    stillServing();
  }

  @Test
  void aProductOffersAtMostItsLimitOfPlansAndADeletedPlanFreesItsPlace() throws Exception {
    String account = account();
    String product = admin.createProduct("p", account, List.of(topicOf(account))).get("id").asText();
    String first = admin.createPerUnitPlan(product, "one", "USD", "0.001").get("id").asText();
    admin.createPerUnitPlan(product, "two", "USD", "0.001");
    assertRefused(409, "too_many_plans_in_product", createPlan(product, "three"), product, "max-plans-per-product");
    assertEquals(204, broker.send("DELETE", "/v1/plans/" + first, broker.adminKey(), null, null).status());
    assertEquals(201, createPlan(product, "three").status());
  }

  @Test
  void anAccountMayCreateAsManyPlansAsItsLimitAcrossItsProducts() throws Exception {
    String account = account();
    String topic = topicOf(account);
    List<String> products = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      products.add(admin.createProduct("p" + i, account, List.of(topic)).get("id").asText());
    }
    admin.createPerUnitPlan(products.get(0), "a", "USD", "0.001");
    admin.createPerUnitPlan(products.get(0), "b", "USD", "0.001");
    admin.createPerUnitPlan(products.get(1), "a", "USD", "0.001");
    admin.createPerUnitPlan(products.get(1), "b", "USD", "0.001");
    assertRefused(409, "too_many_plans", createPlan(products.get(2), "a"), account, "max-plans-per-account");
    stillServing();
  }

  @Test
  void anAccountMayHoldAsManyKeysAsItsLimitAndADeletedKeyFreesItsPlace() throws Exception {
    String account = account();
    String first = admin.createKey(account, List.of("read")).get("id").asText();
    admin.createKey(account, List.of("read"));
    admin.createKey(account, List.of("read"));
    TestBroker.Reply reply = broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"read\"]}");
    assertRefused(409, "too_many_keys", reply, account, "max-keys-per-account");
    assertEquals(204, broker.send("DELETE", "/v1/accounts/" + account + "/keys/" + first, broker.adminKey(), null, null).status());
    assertEquals(201, broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"read\"]}").status());
  }

  @Test
  void aKeyIsLimitedToAtMostItsLimitOfResources() throws Exception {
    String account = account();
    TestBroker.Reply reply = broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"read\"],\"resources\":[\"a.b\",\"a.c\",\"a.d\"]}");
    assertRefused(409, "too_many_resources", reply, "max-resources-per-key");
    assertEquals(201, broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"read\"],\"resources\":[\"a.b\",\"a.c\"]}").status());
  }

  @Test
  void anAccountMayHoldAsManySubscriptionsAsItsLimit() throws Exception {
    String consumer = account();
    admin.createSubscription(consumer, tenant.product(), tenant.plan(), "beginning");
    admin.createSubscription(consumer, tenant.product(), tenant.plan(), "end");
    TestBroker.Reply reply = broker.post("/v1/subscriptions", broker.adminKey(), "application/json",
        "{\"account\":\"" + consumer + "\",\"product\":\"" + tenant.product() + "\",\"plan\":\"" + tenant.plan() + "\"}");
    assertRefused(409, "too_many_subscriptions", reply, consumer, "max-subscriptions-per-account");
    admin.createSubscription(account(), tenant.product(), tenant.plan(), "end");
  }

  // ---- lists ----------------------------------------------------------------------------

  @Test
  void aListComesAPageAtATimeAndFollowingNextAfterVisitsEveryItemOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      account();
    }
    Set<String> seen = new HashSet<>();
    int pages = 0;
    String path = "/v1/accounts?limit=2";
    while (path != null) {
      JsonNode page = broker.get(path, broker.adminKey()).body();
      page.get("data").forEach(item -> assertTrue(seen.add(item.get("id").asText()), "twice: " + item));
      assertTrue(page.get("data").size() <= 2);
      pages++;
      path = page.has("next_after") ? "/v1/accounts?limit=2&after=" + page.get("next_after").asText() : null;
    }
    JsonNode whole = broker.get("/v1/accounts", broker.adminKey()).body();
    assertEquals(whole.get("data").size(), seen.size(), "the default page holds them all");
    assertFalse(whole.has("next_after"));
    assertTrue(pages >= 3, pages + " pages");
    assertRefused(400, "invalid_limit", broker.get("/v1/products?limit=1001", tenant.consumerKey()), "1000");
    assertRefused(400, "invalid_after", broker.get("/v1/products?after=%25%25", tenant.consumerKey()), "next_after");
    stillServing();
  }

  @Test
  void theProductsOfEveryTenantComeAPageAtATime() throws Exception {
    String account = account();
    String topic = topicOf(account);
    admin.createProduct("one", account, List.of(topic));
    admin.createProduct("two", account, List.of(topic));
    JsonNode page = broker.get("/v1/products?limit=1", tenant.consumerKey()).body();
    assertEquals(1, page.get("data").size());
    assertTrue(page.has("next_after"), page.toString());
  }

  // ---- helpers --------------------------------------------------------------------------

  private static void assertRefused(int status, String code, TestBroker.Reply reply, String... inMessage) {
    assertEquals(status, reply.status(), String.valueOf(reply.body()));
    assertEquals(code, reply.errorCode());
    String message = reply.body().get("error").get("message").asText();
    for (String part : inMessage) {
      assertTrue(message.contains(part), "\"" + part + "\" in: " + message);
    }
  }

  /** After a refusal the node still takes a good publish. */
  private static void stillServing() throws Exception {
    assertEquals("ok", publish("structured", Events.event("/ok", "serving-" + NEXT.incrementAndGet(), null, "{}")));
  }

  private static String unique(String prefix) {
    return prefix + NEXT.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100_000, 36);
  }

  private static String account() {
    return admin.createAccount("limits " + NEXT.incrementAndGet()).get("id").asText();
  }

  private static String topicOf(String account) {
    String domain = admin.createDomain(unique("d"), account).get("name").asText();
    return admin.createTopic(domain + ".orders", domain, 1).get("name").asText();
  }

  private static TestBroker.Reply createPlan(String product, String name) throws Exception {
    return broker.post("/v1/products/" + product + "/plans", broker.adminKey(), "application/json",
        "{\"name\":\"" + name + "\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.001\"}}");
  }

  private static AttributeValue text(String value) {
    return AttributeValue.newBuilder().setCeString(value).build();
  }

  /** Publishes one event to the tenant's topic by {@code edge}: "ok", or the refusal's code. */
  private static String publish(String edge, CloudEvent event) throws Exception {
    String path = "/v1/topics/" + tenant.topic() + "/events";
    return switch (edge) {
      case "structured" -> outcome(broker.post(path, tenant.producerKey(), "application/cloudevents+json",
          CloudEventJson.toJson(event)));
      case "batch" -> outcome(broker.post(path, tenant.producerKey(), "application/cloudevents-batch+json",
          "[" + CloudEventJson.toJson(event) + "]"));
      case "binary" -> binary(path, event);
      case "tcp" -> {
        try (Socket socket = authenticated()) {
          ServerFrame answer = tcpPublish(socket, 1, event);
          yield answer.hasAck() ? "ok" : answer.getError().getCode();
        }
      }
      default -> throw new IllegalArgumentException(edge);
    };
  }

  private static String outcome(TestBroker.Reply reply) {
    return reply.status() == 202 ? "ok" : reply.errorCode();
  }

  private static String binary(String path, CloudEvent event) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(broker.baseUrl().resolve(path)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + tenant.producerKey()).header("Content-Type", "application/json")
        .header("ce-specversion", "1.0").header("ce-id", event.getId()).header("ce-source", event.getSource())
        .header("ce-type", event.getType())
        .POST(HttpRequest.BodyPublishers.ofString(event.getJsonData(), StandardCharsets.UTF_8));
    event.getAttributesMap().forEach((name, value) -> request.header("ce-" + name, CloudEventJson.attributeText(value)));
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 202 ? "ok"
        : new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("error").get("code").asText();
  }

  private static Socket authenticated() throws Exception {
    Socket socket = new Socket("127.0.0.1", broker.tcpPort());
    socket.setSoTimeout(10_000);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(tenant.producerKey())).build());
    assertTrue(read(socket).hasAuthenticated());
    return socket;
  }

  private static ServerFrame tcpPublish(Socket socket, long correlationId, CloudEvent event) throws Exception {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
        .setCorrelationId(correlationId).setTopic(tenant.topic()).addEvents(event)).build());
    return read(socket);
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), Frames.DEFAULT_MAX_FRAME_BYTES));
  }
}
