package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.CloudEvent;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HttpPublisherTest {
  private static final String ACCEPTED_TWO = """
      {"accepted": 2, "positions": [
        {"partition": 0, "offset": 41, "cursor": "commerce.orders:0:17:3", "duplicate": false},
        {"partition": 1, "offset": 7, "cursor": "commerce.orders:1:2:0", "duplicate": true}]}""";

  @Test
  void publishesABatchAsOneRequestAndReadsThePositions() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> reply.status(202, ACCEPTED_TWO))) {
      List<CloudEvent> events = TestEvents.events("e", 2);
      PublishResult result = new HttpPublisher(server.url(), "k3y").publishAndWait("commerce.orders", events);

      FakeHttpServer.Request request = server.requests.get(0);
      assertEquals("POST", request.method());
      assertEquals("/v1/topics/commerce.orders/events", request.path());
      assertEquals("application/cloudevents-batch+json", request.contentType());
      assertEquals("Bearer k3y", request.authorization());
      assertEquals(events, CloudEventJson.parseBatch(Json.MAPPER.readTree(request.body())));

      assertEquals(2, result.accepted());
      assertEquals(List.of(
          new Position(0, 41, "commerce.orders:0:17:3", false),
          new Position(1, 7, "commerce.orders:1:2:0", true)), result.positions());
    }
  }

  @Test
  void publishesOneEventInStructuredMode() throws Exception {
    String reply = "{\"accepted\":1,\"positions\":[{\"partition\":2,\"offset\":0,\"cursor\":\"c\",\"duplicate\":false}]}";
    try (FakeHttpServer server = new FakeHttpServer((request, r) -> r.status(202, reply))) {
      CloudEvent event = TestEvents.event("one");
      PublishResult result = new HttpPublisher(URI.create(server.url() + "/"), "k")
          .publish("a b", event).get(5, TimeUnit.SECONDS);

      FakeHttpServer.Request request = server.requests.get(0);
      assertEquals("/v1/topics/a%20b/events", request.path());
      assertEquals("application/cloudevents+json", request.contentType());
      assertEquals(event, CloudEventJson.parseStructured(Json.MAPPER.readTree(request.body())));
      assertEquals(2, result.positions().get(0).partition());
    }
  }

  @Test
  void theBrokersErrorBecomesATypedException() throws Exception {
    String error = "{\"error\":{\"code\":\"unknown_topic\",\"message\":\"no topic commerce.nope\"}}";
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> reply.status(404, error))) {
      HttpPublisher publisher = new HttpPublisher(server.url(), "k");

      TollgateException sync = assertThrows(TollgateException.class,
          () -> publisher.publishAndWait("commerce.nope", TestEvents.events("e", 1)));
      assertEquals("unknown_topic", sync.code());
      assertEquals(404, sync.httpStatus());
      assertEquals("no topic commerce.nope", sync.detail());

      CompletableFuture<PublishResult> async = publisher.publish("commerce.nope", TestEvents.event("e"));
      ExecutionException e = assertThrows(ExecutionException.class, () -> async.get(5, TimeUnit.SECONDS));
      assertEquals("unknown_topic", assertInstanceOf(TollgateException.class, e.getCause()).code());
    }
  }

  @Test
  void anErrorWithoutTheBrokersBodyGetsACodeFromTheStatus() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> reply.status(502, "<html>Bad gateway</html>"))) {
      TollgateException e = assertThrows(TollgateException.class,
          () -> new HttpPublisher(server.url(), "k").publishAndWait("t", TestEvents.events("e", 1)));
      assertEquals("http_502", e.code());
      assertEquals(502, e.httpStatus());
      assertTrue(e.detail().contains("Bad gateway"), e.detail());
    }
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> reply.status(401, ""))) {
      TollgateException e = assertThrows(TollgateException.class,
          () -> new HttpPublisher(server.url(), "k").publishAndWait("t", TestEvents.events("e", 1)));
      assertEquals("unauthorized", e.code());
    }
  }

  @Test
  void anUnreachableBrokerIsAConnectionFailure() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    TollgateException e = assertThrows(TollgateException.class,
        () -> new HttpPublisher(URI.create("http://127.0.0.1:" + port), "k").publishAndWait("t", TestEvents.events("e", 1)));
    assertEquals(TollgateException.CONNECTION_FAILED, e.code());
    assertEquals(0, e.httpStatus());
  }

  @Test
  void adminCallsSendJsonAndReturnTheReply() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> {
      JsonNode body = Json.MAPPER.readTree(request.body());
      reply.status(201, Json.object().put("id", "acc_1").put("name", body.path("name").asText()).toString());
    })) {
      TollgateAdmin admin = new TollgateAdmin(server.url(), "admin");
      assertEquals("acc_1", admin.createAccount("acme").path("id").asText());
      admin.createKey("acc_1", List.of("publish", "subscribe"));
      admin.createPerUnitPlan("prod_1", "basic", "EUR", "0.001");
      admin.createSubscription("acc_1", "prod_1", "plan_1", "end");

      assertEquals("/v1/accounts", server.requests.get(0).path());
      assertEquals("Bearer admin", server.requests.get(0).authorization());
      assertEquals(Json.MAPPER.readTree("{\"scopes\":[\"publish\",\"subscribe\"]}"), Json.MAPPER.readTree(server.requests.get(1).body()));
      assertEquals("/v1/accounts/acc_1/keys", server.requests.get(1).path());
      assertEquals(Json.MAPPER.readTree("{\"name\":\"basic\",\"currency\":\"EUR\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.001\"}}"),
          Json.MAPPER.readTree(server.requests.get(2).body()));
      assertEquals("/v1/products/prod_1/plans", server.requests.get(2).path());
      assertEquals(Json.MAPPER.readTree("{\"account\":\"acc_1\",\"product\":\"prod_1\",\"plan\":\"plan_1\",\"delivery\":{\"type\":\"websocket\"},\"start\":\"end\"}"),
          Json.MAPPER.readTree(server.requests.get(3).body()));
    }
    try (FakeHttpServer server = new FakeHttpServer((request, reply) ->
        reply.status(409, "{\"error\":{\"code\":\"already_exists\",\"message\":\"domain commerce exists\"}}"))) {
      TollgateException e = assertThrows(TollgateException.class,
          () -> new TollgateAdmin(server.url(), "admin").createDomain("commerce", "acc_1"));
      assertEquals("already_exists", e.code());
      assertEquals(409, e.httpStatus());
    }
  }
}
