package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * JSON meant to stop the node or to be read two ways, over real sockets: every edge reads JSON
 * strictly (one value, no repeated key, bounded depth), refuses the rest with its own code at
 * publish, and goes on serving.
 */
class HostileJsonTest {
  private static final int MAX_DEPTH = 64;
  private static final String STRUCTURED = "application/cloudevents+json";
  private static final String BATCH = "application/cloudevents-batch+json";
  private static TestBroker broker;
  private static TestBroker.Tenancy tenant;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.limits.max-json-depth", MAX_DEPTH, "tollgate.limits.max-schema-bytes", 4096));
    tenant = broker.tenancy("hostile", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /** {@code {"a":{"a":...{}...}}}: objects nested {@code depth} deep. */
  private static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  private static String event(String id, String data) {
    return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/hostile\",\"type\":\"t\",\"data\":" + data + "}";
  }

  private static TestBroker.Reply publish(String topic, String contentType, String body) throws Exception {
    return broker.post("/v1/topics/" + topic + "/events", tenant.producerKey(), contentType, body);
  }

  private static Socket authenticated() throws IOException {
    return authenticated(tenant.producerKey());
  }

  private static Socket authenticated(String key) throws IOException {
    Socket socket = new Socket("127.0.0.1", broker.tcpPort());
    socket.setSoTimeout(10_000);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(key)).build());
    assertTrue(read(socket).hasAuthenticated());
    return socket;
  }

  private static ServerFrame read(Socket socket) throws IOException {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), Frames.DEFAULT_MAX_FRAME_BYTES));
  }

  private static ServerFrame publishOverTcp(Socket socket, String topic, long correlationId, String jsonData) throws IOException {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
        .setCorrelationId(correlationId).setTopic(topic)
        .addEvents(Events.event("/tcp", "tcp-" + correlationId, null, jsonData))).build());
    return read(socket);
  }

  @Test
  void oneDeepEventAgainstASelfReferringSchemaIsRefusedAndTheNodeGoesOnServingAndStreaming() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("recursive", 1);
    assertEquals(201, broker.post("/v1/topics/" + t.topic() + "/schemas", t.producerKey(), "application/json",
        "{\"schema\":{\"additionalProperties\":{\"$ref\":\"#\"}}}").status());

    TestBroker.Reply attack = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), STRUCTURED,
        event("deep", nested(990)));
    assertEquals(400, attack.status(), String.valueOf(attack.body()));
    assertEquals("too_deep", attack.errorCode());
    try (Socket socket = authenticated(t.producerKey())) {
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
          .setCorrelationId(9).setTopic(t.topic()).addEvents(Events.event("/tcp", "deep", null, nested(5000)))).build());
      ServerFrame refused = read(socket);
      assertEquals("too_deep", refused.getError().getCode());
      assertFalse(refused.getError().getFatal());
    }

    TestBroker.Reply atTheLimit = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), STRUCTURED,
        event("at-limit", nested(MAX_DEPTH)));
    assertEquals(202, atTheLimit.status(), String.valueOf(atTheLimit.body()));
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 1);
      assertEquals("at-limit", stream.events().get(0).get("event").get("id").asText());
      assertEquals(nested(MAX_DEPTH), stream.events().get(0).get("event").get("data").toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "repeated key in the data    | `{\"card\":{\"number\":\"4111\"},\"card\":1}` | duplicate_key",
      "repeated key under escape   | `{\"k\":1,\"\\u006b\":2}`                      | duplicate_key",
      "data nested too deep        | DEEP                                            | too_deep",
  })
  void dataThatIsNotStrictJsonIsRefusedOnEveryHttpMode(String name, String data, String code) throws Exception {
    String json = data.equals("DEEP") ? nested(MAX_DEPTH + 1) : data;
    TestBroker.Reply structured = publish(tenant.topic(), STRUCTURED, event("s", json));
    assertEquals(400, structured.status(), String.valueOf(structured.body()));
    assertEquals(code, structured.errorCode(), "structured");
    assertEquals(code, publish(tenant.topic(), BATCH, "[" + event("b1", "1") + "," + event("b2", json) + "]").errorCode(), "batch");
    assertEquals(code, binary(json).errorCode(), "binary");
    assertEquals(202, publish(tenant.topic(), STRUCTURED, event("good-" + System.nanoTime(), "{\"ok\":1}")).status());
  }

  private static TestBroker.Reply binary(String body) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(broker.baseUrl().resolve("/v1/topics/" + tenant.topic() + "/events"))
            .header("Authorization", "Bearer " + tenant.producerKey()).header("Content-Type", "application/json")
            .header("ce-specversion", "1.0").header("ce-id", "bin").header("ce-source", "/hostile").header("ce-type", "t")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return new TestBroker.Reply(response.statusCode(),
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "repeated envelope attribute | application/cloudevents+json       | `{\"specversion\":\"1.0\",\"id\":\"1\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"t\"}` | duplicate_key",
      "a second event after one    | application/cloudevents+json       | `{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"} {\"x\":1}`     | trailing_json",
      "text after the batch        | application/cloudevents-batch+json | `[] garbage`                                                                           | trailing_json",
      "binary body of two values   | application/json                   | `{\"a\":1}{\"a\":2}`                                                                     | trailing_json",
      "binary body that is no JSON | application/json                   | `card=4111`                                                                            | malformed_json",
      "a decimal no BigDecimal holds | application/cloudevents+json     | `{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":1E1444444444444444444444444441}` | malformed_json",
  })
  void aBodyThatIsNotExactlyOneJsonValueIsRefused(String name, String contentType, String body, String code) throws Exception {
    TestBroker.Reply reply = contentType.equals("application/json") ? binary(body) : publish(tenant.topic(), contentType, body);
    assertEquals(400, reply.status(), String.valueOf(reply.body()));
    assertEquals(code, reply.errorCode());
  }

  @Test
  void bytesThatDecodeToNoTextAreMalformedJsonNotAnInternalError() throws Exception {
    byte[] ucs4WithAnOddByteOrder = {0, 0, (byte) 0xff, (byte) 0xfe, '{', '}'};
    for (String contentType : java.util.List.of(STRUCTURED, BATCH, "application/json")) {
      TestBroker.Reply reply = broker.send("POST", contentType.equals("application/json") ? "/v1/accounts"
          : "/v1/topics/" + tenant.topic() + "/events", contentType.equals("application/json") ? broker.adminKey()
          : tenant.producerKey(), contentType, ucs4WithAnOddByteOrder);
      assertEquals(400, reply.status(), contentType + " " + reply.body());
      assertEquals("malformed_json", reply.errorCode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "not JSON at all           | `card=4111111111111111`          | malformed_json",
      "cut short                 | `{\"card\":`                     | malformed_json",
      "empty                     | ``                               | malformed_json",
      "two values                | `{\"a\":1} {\"card\":\"4111\"}`  | trailing_json",
      "repeated key              | `{\"card\":{\"number\":\"4111\"},\"card\":1}` | duplicate_key",
      "nested too deep           | DEEP                             | too_deep",
      "a decimal no BigDecimal holds | `{\"n\":1E1444444444444444444444444441}` | malformed_json",
  })
  void tcpJsonDataThatIsNotStrictJsonIsRefusedAtPublishAndTheConnectionGoesOn(String name, String data, String code)
      throws Exception {
    try (Socket socket = authenticated()) {
      ServerFrame refused = publishOverTcp(socket, tenant.topic(), 1, data.equals("DEEP") ? nested(MAX_DEPTH + 1) : data);
      assertTrue(refused.hasError(), refused.toString());
      assertEquals(code, refused.getError().getCode());
      assertEquals(1, refused.getError().getCorrelationId());
      assertFalse(refused.getError().getFatal());
      assertTrue(publishOverTcp(socket, tenant.topic(), 2, "{\"ok\":true}").hasAck());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "repeated field          | /v1/accounts | `{\"name\":\"a\",\"name\":\"b\"}` | 400 | duplicate_key",
      "two bodies              | /v1/accounts | `{\"name\":\"a\"} {\"name\":\"b\"}` | 400 | trailing_json",
      "nested too deep         | /v1/accounts | DEEP                              | 400 | too_deep",
  })
  void aManagementBodyIsReadAsStrictly(String name, String path, String body, int status, String code) throws Exception {
    String json = body.equals("DEEP") ? "{\"name\":\"a\",\"x\":" + nested(200) + "}" : body;
    TestBroker.Reply reply = broker.post(path, broker.adminKey(), "application/json", json);
    assertEquals(status, reply.status(), String.valueOf(reply.body()));
    assertEquals(code, reply.errorCode());
  }

  @Test
  void aSchemaThatRecursesWithoutGoingIntoTheDataIsRefusedWhenGivenAndTheNodeGoesOn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("looping", 1);
    for (String loop : java.util.List.of("{\"$ref\":\"#\"}", "{\"allOf\":[{\"$ref\":\"#\"}]}")) {
      TestBroker.Reply refused = broker.post("/v1/topics/" + t.topic() + "/schemas", t.producerKey(), "application/json",
          "{\"schema\":" + loop + "}");
      assertEquals(400, refused.status(), String.valueOf(refused.body()));
      assertEquals("schema_too_complex", refused.errorCode());
    }
    assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), STRUCTURED,
        event("after-loop", "{\"a\":1}")).status());
  }

  @Test
  void validationThatWouldTakeTooLongIsRefusedOverHttpAndTcpAndTheNodeGoesOn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("costly", 1);
    StringBuilder fanningOut = new StringBuilder("{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
    for (int i = 0; i < 20; i++) {
      String next = "{\"$ref\":\"#/$defs/d" + (i + 1) + "\"}";
      fanningOut.append("\"d").append(i).append("\":{\"allOf\":[").append(next).append(',').append(next).append("]},");
    }
    fanningOut.append("\"d20\":{\"type\":\"object\"}}}");
    TestBroker.Reply refused = broker.post("/v1/topics/" + t.topic() + "/schemas", t.producerKey(), "application/json",
        "{\"schema\":" + fanningOut + "}");
    assertEquals(400, refused.status(), String.valueOf(refused.body()));
    assertEquals("schema_too_complex", refused.errorCode());

    String twiceIntoA = "{\"allOf\":[{\"properties\":{\"a\":{\"$ref\":\"#\"}}},{\"properties\":{\"a\":{\"$ref\":\"#\"}}}]}";
    assertEquals(201, broker.post("/v1/topics/" + t.topic() + "/schemas", t.producerKey(), "application/json",
        "{\"schema\":" + twiceIntoA + "}").status());
    TestBroker.Reply costly = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), STRUCTURED,
        event("costly", nested(MAX_DEPTH)));
    assertEquals(400, costly.status(), String.valueOf(costly.body()));
    assertEquals("schema_too_costly", costly.errorCode());
    try (Socket socket = authenticated(t.producerKey())) {
      ServerFrame overTcp = publishOverTcp(socket, t.topic(), 11, nested(MAX_DEPTH));
      assertEquals("schema_too_costly", overTcp.getError().getCode());
      assertFalse(overTcp.getError().getFatal());
      assertTrue(publishOverTcp(socket, t.topic(), 12, nested(6)).hasAck());
    }
    assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), STRUCTURED,
        event("shallow", nested(6))).status());
  }

  @Test
  void aSchemaLongerThanTheLimitIsRefused() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("longschema", 1);
    String properties = "{\"p\":{\"type\":\"string\",\"description\":\"" + "d".repeat(5000) + "\"}}";
    TestBroker.Reply reply = broker.post("/v1/topics/" + t.topic() + "/schemas", t.producerKey(),
        "application/json", "{\"schema\":{\"type\":\"object\",\"properties\":" + properties + "}}");
    assertEquals(413, reply.status(), String.valueOf(reply.body()));
    assertEquals("schema_too_large", reply.errorCode());
  }

  @Test
  void aDeepOrRepeatedKeyFrameOnAStreamGetsItsCodeAndTheStreamGoesOn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("hostileframes", 1);
    assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), STRUCTURED,
        event("one", "1")).status());
    try (RawWebSocket socket = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> socket.events().size() == 1);
      String cursor = socket.events().get(0).get("cursor").asText();
      socket.send("{\"type\":\"ack\",\"cursor\":" + "[".repeat(100) + "]".repeat(100) + "}");
      socket.send("{\"type\":\"ack\",\"cursor\":\"" + cursor + "\",\"cursor\":\"other\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> socket.notices().size() == 2);
      assertEquals(java.util.List.of("too_deep", "duplicate_key"),
          socket.notices().stream().map(n -> n.get("code").asText()).toList());
      socket.ack(cursor);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("acked").size() == 1);
      assertFalse(socket.closed().isDone());
    }
  }
}
