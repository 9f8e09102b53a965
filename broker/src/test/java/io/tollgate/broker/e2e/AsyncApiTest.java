package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A product's AsyncAPI document (WebSocket and server-sent event channels, and publishing for
 * the owner), fetched from a running node, checked against the official
 * AsyncAPI 3.0.0 JSON Schema (vendored in src/test/resources/asyncapi/, see its README), and
 * hidden like its product.
 */
class AsyncApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ORDER_V1 = "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"string\"}}}";
  private static final String ORDER_V2 = "{\"type\":\"object\",\"required\":[\"total\"],"
      + "\"properties\":{\"total\":{\"type\":\"string\"},\"currency\":{\"type\":\"string\"}}}";
  private static TestBroker broker;
  private static Schema asyncApi300;
  private static TestBroker.Tenancy shop;
  private static String product;

  @BeforeAll
  static void start() throws Exception {
    try (InputStream schema = AsyncApiTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
      asyncApi300 = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(schema);
    }
    broker = TestBroker.start();
    shop = broker.tenancy("atelier", 2);
    post("/v1/topics", shop.producerKey(), "{\"name\":\"atelier.shipments\",\"domain\":\"atelier\",\"partitions\":3,"
        + "\"schema\":" + ORDER_V1 + "}");
    post("/v1/topics/atelier.shipments/schemas", shop.producerKey(), "{\"schema\":" + ORDER_V2
        + ",\"compatibility\":\"none\"}");
    product = post("/v1/products", shop.producerKey(), "{\"name\":\"Atelier logistics\",\"owner\":\"" + shop.producer()
        + "\",\"topics\":[\"atelier.orders\",\"atelier.shipments\"],\"visibility\":\"public\","
        + "\"description\":\"Orders and their shipments\"}").get("id").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aConsumerGetsAValidAsyncApi300DocumentToReceiveEveryTopic() throws Exception {
    JsonNode document = document(product, shop.consumerKey());
    assertEquals(List.of(), asyncApi300.validate(document));

    assertEquals("3.0.0", document.get("asyncapi").asText());
    assertEquals("Atelier logistics", document.at("/info/title").asText());
    assertEquals("Orders and their shipments", document.at("/info/description").asText());
    assertEquals("3", document.at("/info/version").asText(), "1 + the two schema versions of atelier.shipments");
    String host = "127.0.0.1:" + broker.baseUrl().getPort();
    assertEquals("ws", document.at("/servers/websocket/protocol").asText());
    assertEquals(host, document.at("/servers/websocket/host").asText());
    assertEquals("http", document.at("/servers/http/protocol").asText());
    assertEquals(host, document.at("/servers/http/host").asText());
    assertEquals("http", document.at("/servers/sse/protocol").asText(), "server-sent events next to the WebSocket");
    assertEquals(host, document.at("/servers/sse/host").asText());
    assertEquals("/v1", document.at("/servers/sse/pathname").asText());

    assertEquals(List.of("atelier.orders", "events_atelier.orders", "atelier.shipments", "events_atelier.shipments"),
        fieldNames(document.get("channels")));
    JsonNode shipments = document.at("/channels/atelier.shipments");
    assertEquals("/subscriptions/{subscription}/stream", shipments.get("address").asText());
    assertEquals("GET", shipments.at("/bindings/ws/method").asText());
    JsonNode shipmentEvents = document.at("/channels/events_atelier.shipments");
    assertEquals("/subscriptions/{subscription}/events", shipmentEvents.get("address").asText(),
        "the address GET /v1/subscriptions/{subscription}/events answers as text/event-stream");
    assertEquals("#/servers/sse", shipmentEvents.at("/servers/0/$ref").asText());
    assertEquals("#/components/messages/atelier.shipments", shipmentEvents.at("/messages/event/$ref").asText());
    JsonNode message = document.at("/components/messages/atelier.shipments");
    assertEquals(JSON.readTree(ORDER_V2), message.at("/payload/schema"), "the topic's latest schema");
    assertEquals("application/schema+json;version=draft-2020-12", message.at("/payload/schemaFormat").asText());
    assertEquals("#/components/schemas/CloudEventAttributes", message.at("/headers/$ref").asText());
    assertTrue(document.at("/components/messages/atelier.orders/payload").isMissingNode(), "a topic without schema");
    assertEquals(List.of("specversion", "id", "source", "type"),
        JSON.convertValue(document.at("/components/schemas/CloudEventAttributes/required"), List.class));

    assertEquals(List.of("receive_atelier.orders", "receive_events_atelier.orders", "receive_atelier.shipments",
            "receive_events_atelier.shipments"), fieldNames(document.get("operations")),
        "a consumer receives, over WebSocket or as server-sent events; it is not shown how to publish");
    assertEquals("#/channels/events_atelier.shipments",
        document.at("/operations/receive_events_atelier.shipments/channel/$ref").asText());
    assertEquals("GET", document.at("/operations/receive_events_atelier.shipments/bindings/http/method").asText());
    assertEquals("receive", document.at("/operations/receive_atelier.shipments/action").asText());
    assertEquals("#/channels/atelier.shipments", document.at("/operations/receive_atelier.shipments/channel/$ref").asText());

    JsonNode schemes = document.at("/components/securitySchemes");
    assertEquals("bearer", schemes.at("/apiKey/scheme").asText());
    assertEquals("httpApiKey", schemes.at("/apiKeyQuery/type").asText());
    assertEquals("query", schemes.at("/apiKeyQuery/in").asText());
    assertEquals("access_token", schemes.at("/apiKeyQuery/name").asText());
  }

  @Test
  void theOwnerAlsoGetsHowToPublishOverHttp() throws Exception {
    JsonNode document = document(product, shop.producerKey());
    assertEquals(List.of(), asyncApi300.validate(document));
    assertEquals("send", document.at("/operations/publish_atelier.orders/action").asText());
    assertEquals("/topics/atelier.orders/events", document.at("/channels/publish_atelier.orders/address").asText());
    assertEquals("#/servers/http", document.at("/channels/publish_atelier.orders/servers/0/$ref").asText());
    assertEquals("POST", document.at("/operations/publish_atelier.orders/bindings/http/method").asText());
    assertEquals(List.of(), asyncApi300.validate(document("prod_tollgate_invoices", shop.consumerKey())),
        "the platform's own product too");
  }

  @Test
  void theSchemaRefusesBrokenDocuments() throws Exception {
    JsonNode valid = document(product, shop.consumerKey());
    assertRefused(valid, document -> document.remove("info"));
    assertRefused(valid, document -> document.put("asyncapi", "2.6.0"));
    assertRefused(valid, document -> ((ObjectNode) document.at("/operations/receive_atelier.orders")).put("action", "subscribe"));
    assertRefused(valid, document -> ((ObjectNode) document.at("/servers/websocket")).remove("protocol"));
    assertRefused(valid, document -> ((ObjectNode) document.at("/channels/atelier.orders/bindings/ws")).put("method", "PUT"));
    assertRefused(valid, document -> ((ObjectNode) document.at("/operations/receive_events_atelier.orders/bindings/http"))
        .put("method", "SUBSCRIBE"));
    assertRefused(valid, document -> ((ObjectNode) document.at("/components/securitySchemes/apiKeyQuery")).put("in", "body"));
  }

  @Test
  void aPrivateProductsDocumentIsNotFoundForAnotherTenant() throws Exception {
    String hidden = post("/v1/products", shop.producerKey(), "{\"name\":\"Atelier internal\",\"owner\":\""
        + shop.producer() + "\",\"topics\":[\"atelier.shipments\"],\"visibility\":\"private\"}").get("id").asText();
    TestBroker.Reply refused = broker.get("/v1/products/" + hidden + "/asyncapi", shop.consumerKey());
    assertEquals(404, refused.status());
    assertEquals("product_not_found", refused.errorCode());
    assertEquals(refused.body().get("error").get("code"),
        broker.get("/v1/products/prod_nothing/asyncapi", shop.consumerKey()).body().get("error").get("code"),
        "the same answer as for a product that does not exist");
    assertEquals(200, broker.get("/v1/products/" + hidden + "/asyncapi", shop.producerKey()).status());
    assertEquals(200, broker.get("/v1/products/" + hidden + "/asyncapi", broker.adminKey()).status());
    assertEquals("unauthenticated", broker.get("/v1/products/" + product + "/asyncapi", null).errorCode());
  }

  private static void assertRefused(JsonNode valid, Consumer<ObjectNode> breakIt) {
    ObjectNode broken = valid.deepCopy();
    breakIt.accept(broken);
    List<Error> errors = asyncApi300.validate(broken);
    assertFalse(errors.isEmpty(), "the schema accepted a broken document: " + broken);
  }

  @Test
  void aRetiredProductAndTopicAreMarkedRetiredForTheSubscriberWhoStillReadsThem() throws Exception {
    TestBroker.Tenancy old = broker.tenancy("bygone", 1);
    assertEquals(200, broker.post("/v1/topics/bygone.orders/retire", old.producerKey(), "application/json", "").status());
    assertEquals(200, broker.post("/v1/products/" + old.product() + "/retire", old.producerKey(), "application/json", "")
        .status());
    JsonNode document = document(old.product(), old.consumerKey());
    assertEquals(List.of(), asyncApi300.validate(document));
    assertEquals("retired", document.at("/info/tags/0/name").asText());
    assertTrue(document.at("/info/x-tollgate-retired-at").isTextual());
    assertEquals("retired", document.at("/channels/bygone.orders/tags/0/name").asText());
  }

  private static JsonNode document(String productId, String key) throws Exception {
    TestBroker.Reply reply = broker.get("/v1/products/" + productId + "/asyncapi", key);
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }

  private static JsonNode post(String path, String key, String body) throws Exception {
    TestBroker.Reply reply = broker.post(path, key, "application/json", body);
    assertEquals(201, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
