package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PRODUCT.md "What bad input gets", over real sockets: each case gets its own error code, and
 * the broker goes on serving everyone else.
 */
class BadInputTest {
  private static final int WINDOW = 5;
  private static final int MAX_MESSAGE_BYTES = 1024;
  private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(2);
  private static TestBroker broker;
  private static TestBroker.Tenancy tenant;
  private static TestBroker.Tenancy otherTenant;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.limits.max-event-bytes", 2048, "tollgate.subscriptions.window", WINDOW,
        "tollgate.tcp.max-frame-bytes", 65536, "tollgate.subscriptions.max-message-bytes", MAX_MESSAGE_BYTES,
        "tollgate.tcp.auth-timeout", AUTH_TIMEOUT.toMillis() + "ms"));
    tenant = broker.tenancy("badinput", 1);
    otherTenant = broker.tenancy("othertenant", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static String eventsPath(String topic) {
    return "/v1/topics/" + topic + "/events";
  }

  /** After every refusal the broker still takes a good publish. */
  private static void stillServing() throws Exception {
    TestBroker.Reply good = broker.post(eventsPath(otherTenant.topic()), otherTenant.producerKey(),
        "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"" + System.nanoTime()
            + "\",\"source\":\"/ok\",\"type\":\"t\",\"data\":1}");
    assertEquals(202, good.status(), String.valueOf(good.body()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "malformed JSON|application/cloudevents+json|{\"specversion\":|400|malformed_json",
      "missing id|application/cloudevents+json|{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"t\"}|400|invalid_cloudevent",
      "attribute of an unknown type|application/cloudevents+json|{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"subject\":{\"a\":1}}|400|invalid_cloudevent",
      "wrong spec version|application/cloudevents+json|{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}|400|invalid_cloudevent",
      "batch that is not an array|application/cloudevents-batch+json|{\"specversion\":\"1.0\"}|400|invalid_cloudevent",
      "empty batch|application/cloudevents-batch+json|[]|400|empty_batch",
      "plain JSON without ce- headers|application/json|{\"a\":1}|415|unsupported_media_type",
  })
  void aMalformedPublishIsRefusedWithItsOwnCode(String name, String contentType, String body, int status, String code)
      throws Exception {
    TestBroker.Reply reply = broker.post(eventsPath(tenant.topic()), tenant.producerKey(), contentType, body);
    assertEquals(status, reply.status(), String.valueOf(reply.body()));
    assertEquals(code, reply.errorCode());
    stillServing();
  }

  @Test
  void anOversizeEventIsRefused() throws Exception {
    String big = "x".repeat(4096);
    TestBroker.Reply reply = broker.post(eventsPath(tenant.topic()), tenant.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"big\",\"source\":\"/s\",\"type\":\"t\",\"data\":\"" + big + "\"}");
    assertEquals(413, reply.status());
    assertEquals("event_too_large", reply.errorCode());
    stillServing();
  }

  @Test
  void aBatchOfMoreEventsThanThePublishLimitIsRefusedWhole() throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i <= 1000; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"many").append(i)
          .append("\",\"source\":\"/s\",\"type\":\"t\"}");
    }
    TestBroker.Reply reply = broker.post(eventsPath(tenant.topic()), tenant.producerKey(),
        "application/cloudevents-batch+json", batch.append(']').toString());
    assertEquals(413, reply.status(), String.valueOf(reply.body()));
    assertEquals("batch_too_large", reply.errorCode());
    stillServing();
  }

  @Test
  void aBodyAboveSixteenMebibytesIsRefusedAsPayloadTooLarge() throws Exception {
    byte[] body = new byte[16 * 1024 * 1024 + 1];
    java.util.Arrays.fill(body, (byte) ' ');
    TestBroker.Reply reply = broker.send("POST", eventsPath(tenant.topic()), tenant.producerKey(),
        "application/cloudevents+json", body);
    assertEquals(413, reply.status(), String.valueOf(reply.body()));
    assertEquals("payload_too_large", reply.errorCode());
    stillServing();
  }

  /**
   * The refusal of a body above 16 MiB reaches a client that sends all of it before reading: the
   * broker reads the rest, answers, and keeps the connection. Answered at once, the connection was
   * closed while the body came, and the client's write met a reset instead of the 413.
   */
  @Test
  void aBodyAboveSixteenMebibytesIsReadToItsEndThenRefusedOnAConnectionThatStays() throws Exception {
    byte[] body = new byte[16 * 1024 * 1024 + 1];
    java.util.Arrays.fill(body, (byte) ' ');
    try (Socket socket = new Socket("127.0.0.1", broker.baseUrl().getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(publishHead(body.length, "").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      RawResponse refused = RawResponse.read(socket.getInputStream());
      assertEquals(413, refused.status(), refused.head());
      assertEquals("payload_too_large", refused.errorCode());
      out.write("GET /healthz HTTP/1.1\r\nHost: tollgate\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, RawResponse.read(socket.getInputStream()).status());
    }
    stillServing();
  }

  /** A client that waits for 100 Continue before sending a body above 16 MiB is refused before it sends any. */
  @Test
  void aBodyAboveSixteenMebibytesAwaitingContinueIsRefusedBeforeItIsSent() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", broker.baseUrl().getPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(publishHead(16 * 1024 * 1024 + 1, "Expect: 100-continue\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      RawResponse refused = RawResponse.read(socket.getInputStream());
      assertEquals(413, refused.status(), refused.head());
      assertEquals("payload_too_large", refused.errorCode());
    }
    stillServing();
  }

  private static String publishHead(long contentLength, String moreHeaders) {
    return "POST " + eventsPath(tenant.topic()) + " HTTP/1.1\r\nHost: tollgate\r\nAuthorization: Bearer "
        + tenant.producerKey() + "\r\nContent-Type: application/cloudevents+json\r\nContent-Length: " + contentLength
        + "\r\n" + moreHeaders + "\r\n";
  }

  @Test
  void anUnknownTopicIsRefused() throws Exception {
    TestBroker.Reply reply = broker.post(eventsPath("badinput.nope"), tenant.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}");
    assertEquals(404, reply.status());
    assertEquals("topic_not_found", reply.errorCode());
  }

  @Test
  void missingWrongAndForeignKeysAreRefused() throws Exception {
    String event = "{\"specversion\":\"1.0\",\"id\":\"k\",\"source\":\"/s\",\"type\":\"t\"}";
    assertEquals("unauthenticated", broker.post(eventsPath(tenant.topic()), null, "application/cloudevents+json", event).errorCode());
    TestBroker.Reply wrong = broker.post(eventsPath(tenant.topic()), "key_0000000000000000.bogus", "application/cloudevents+json", event);
    assertEquals(401, wrong.status());
    assertEquals("invalid_key", wrong.errorCode());
    TestBroker.Reply foreign = broker.post(eventsPath(tenant.topic()), otherTenant.producerKey(), "application/cloudevents+json", event);
    assertEquals(403, foreign.status());
    assertEquals("forbidden", foreign.errorCode());
    TestBroker.Reply consumerPublishing = broker.post(eventsPath(tenant.topic()), tenant.consumerKey(), "application/cloudevents+json", event);
    assertEquals("forbidden", consumerPublishing.errorCode());
    assertEquals("subscription_not_found", broker.get("/v1/subscriptions/" + tenant.subscription(), otherTenant.consumerKey()).errorCode());
    assertEquals("forbidden", broker.post("/v1/accounts", tenant.producerKey(), "application/json", "{\"name\":\"x\"}").errorCode());
    stillServing();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown field|/v1/accounts|{\"name\":\"a\",\"colour\":\"red\"}|400|unknown_field",
      "malformed JSON|/v1/accounts|{\"name\"|400|malformed_json",
      "field of the wrong type|/v1/accounts|{\"name\":7}|400|invalid_field",
      "missing field|/v1/accounts|{}|400|missing_field",
      "unknown owner|/v1/domains|{\"name\":\"ghost\",\"owner\":\"acc_nobody\"}|404|account_not_found",
      "topic outside its domain|/v1/topics|{\"name\":\"elsewhere.x\",\"domain\":\"badinput\"}|400|invalid_request",
      "too many partitions|/v1/topics|{\"name\":\"badinput.wide\",\"domain\":\"badinput\",\"partitions\":100000}|400|invalid_field",
      "existing domain|/v1/domains|{\"name\":\"badinput\",\"owner\":\"OWNER\"}|409|domain_name_unavailable",
      "unknown route|/v1/nothing|{}|404|not_found",
  })
  void aMalformedManagementRequestIsRefusedWithItsOwnCode(String name, String path, String body, int status, String code)
      throws Exception {
    TestBroker.Reply reply = broker.post(path, broker.adminKey(), "application/json", body.replace("OWNER", tenant.producer()));
    assertEquals(status, reply.status(), String.valueOf(reply.body()));
    assertEquals(code, reply.errorCode());
  }

  @Test
  void invalidPriceTablesAndForeignPlansAreRefused() throws Exception {
    String plans = "/v1/products/" + tenant.product() + "/plans";
    TestBroker.Reply unordered = broker.post(plans, tenant.producerKey(), "application/json",
        "{\"name\":\"x\",\"currency\":\"USD\",\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":100,\"unit_amount\":\"1\"},{\"up_to\":10,\"unit_amount\":\"1\"},{\"up_to\":null,\"unit_amount\":\"1\"}]}}");
    assertEquals("invalid_price", unordered.errorCode());
    TestBroker.Reply currency = broker.post(plans, tenant.producerKey(), "application/json",
        "{\"name\":\"x\",\"currency\":\"XYZ\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"1\"}}");
    assertEquals("invalid_price", currency.errorCode());
    TestBroker.Reply decimals = broker.post(plans, tenant.producerKey(), "application/json",
        "{\"name\":\"x\",\"currency\":\"JPY\",\"price\":{\"model\":\"package\",\"package_size\":10,\"package_amount\":\"1.5\"}}");
    assertEquals("invalid_price", decimals.errorCode());
    TestBroker.Reply foreignPlan = broker.post("/v1/subscriptions", tenant.consumerKey(), "application/json",
        "{\"account\":\"" + tenant.consumer() + "\",\"product\":\"" + tenant.product() + "\",\"plan\":\"" + otherTenant.plan() + "\"}");
    assertEquals(400, foreignPlan.status());
    assertEquals("plan_not_in_product", foreignPlan.errorCode());
  }

  // ---- TCP ------------------------------------------------------------------------------

  private static Socket tcp() throws IOException {
    Socket socket = new Socket("127.0.0.1", broker.tcpPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static ServerFrame read(Socket socket) throws IOException {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), Frames.DEFAULT_MAX_FRAME_BYTES));
  }

  private static void assertClosedAfterFatal(Socket socket, String code) throws IOException {
    ServerFrame error = read(socket);
    assertTrue(error.hasError(), error.toString());
    assertEquals(code, error.getError().getCode());
    assertTrue(error.getError().getFatal());
    assertEquals(-1, socket.getInputStream().read(), "the broker closes the connection");
  }

  private static Socket authenticated(String key) throws IOException {
    Socket socket = tcp();
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setAuthenticate(Authenticate.newBuilder().setApiKey(key)).build());
    assertTrue(read(socket).hasAuthenticated());
    return socket;
  }

  @Test
  void aTwoGigabyteLengthPrefixClosesOnlyThatConnection() throws Exception {
    try (Socket bystander = authenticated(tenant.producerKey()); Socket socket = authenticated(tenant.producerKey())) {
      socket.getOutputStream().write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
      socket.getOutputStream().flush();
      assertClosedAfterFatal(socket, "frame_too_large");
      publishOk(bystander, 7);
    }
  }

  @Test
  void aTruncatedFrameIsReported() throws Exception {
    try (Socket socket = authenticated(tenant.producerKey())) {
      OutputStream out = socket.getOutputStream();
      out.write(ByteBuffer.allocate(4).putInt(100).array());
      out.write(new byte[10]);
      out.flush();
      socket.shutdownOutput();
      assertClosedAfterFatal(socket, "truncated_frame");
    }
    stillServing();
  }

  @Test
  void garbageBytesAreAMalformedFrame() throws Exception {
    try (Socket socket = tcp()) {
      socket.getOutputStream().write(new byte[] {0, 0, 0, 6, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      socket.getOutputStream().flush();
      assertClosedAfterFatal(socket, "malformed_frame");
    }
    stillServing();
  }

  @Test
  void aPublishBeforeAuthenticatingOrWithAWrongKeyIsRefused() throws Exception {
    try (Socket socket = tcp()) {
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder().setCorrelationId(1)).build());
      assertClosedAfterFatal(socket, "unauthenticated");
    }
    try (Socket socket = tcp()) {
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setAuthenticate(Authenticate.newBuilder().setApiKey("nope")).build());
      assertClosedAfterFatal(socket, "invalid_key");
    }
  }

  @Test
  void aRefusedPublishLeavesTheConnectionUsable() throws Exception {
    try (Socket socket = authenticated(tenant.producerKey())) {
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
          .setCorrelationId(41).setTopic("badinput.nope").addEvents(Events.event("/tcp", "x", null, "{}"))).build());
      ServerFrame refused = read(socket);
      assertEquals(41, refused.getError().getCorrelationId());
      assertEquals("topic_not_found", refused.getError().getCode());
      assertFalse(refused.getError().getFatal());
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
          .setCorrelationId(42).setTopic(tenant.topic()).addEvents(Events.event("/tcp", "x", null, "{}").toBuilder().setId(""))).build());
      assertEquals("invalid_cloudevent", read(socket).getError().getCode());
      publishOk(socket, 43);
    }
  }

  private static void publishOk(Socket socket, long correlationId) throws IOException {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
        .setCorrelationId(correlationId).setTopic(tenant.topic())
        .addEvents(Events.event("/tcp-ok", "ok-" + System.nanoTime(), null, "{}"))).build());
    ServerFrame ack = read(socket);
    assertTrue(ack.hasAck(), ack.toString());
    assertEquals(correlationId, ack.getAck().getCorrelationId());
  }

  // ---- WebSocket ------------------------------------------------------------------------

  @Test
  void aConsumerThatNeverAcksGetsOneWindowAndOthersKeepReceiving() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("slowconsumer", 1);
    String fast = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int i = 0; i < 4; i++) {
        publisher.publish(t.topic(), Events.numbered("/slow", i * 10, 10)).get(10, TimeUnit.SECONDS);
      }
    }
    List<Delivery> fastReceived = new CopyOnWriteArrayList<>();
    try (RawWebSocket neverAcks = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey());
         Subscriber acking = Subscriber.builder(broker.baseUrl(), t.consumerKey(), fast).onDelivery(fastReceived::add).connect()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> fastReceived.size() == 40);
      await().atMost(Duration.ofSeconds(10)).until(() -> neverAcks.events().size() == WINDOW);
      assertEquals(WINDOW, neverAcks.events().size(), "no more than the window while nothing is acked");

      neverAcks.ack(neverAcks.events().get(1).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> neverAcks.events().size() == WINDOW + 2);
      assertEquals("e" + (WINDOW + 1), neverAcks.events().get(WINDOW + 1).get("event").get("id").asText());
    }
  }

  @Test
  void aBadFrameOnAStreamGetsAnErrorFrameAndTheStreamGoesOn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("badframes", 1);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/f", 0, 3)).get(10, TimeUnit.SECONDS);
    }
    try (RawWebSocket socket = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> socket.events().size() == 3);
      socket.send("{not json");
      socket.send("{\"type\":\"nack\"}");
      socket.ack(t.topic() + ":0:99:0");
      socket.ack("garbage");
      await().atMost(Duration.ofSeconds(10)).until(() -> socket.notices().size() == 4);
      assertEquals(List.of("malformed_json", "unknown_frame_type", "unknown_cursor", "malformed_cursor"),
          socket.notices().stream().map(n -> n.get("code").asText()).toList());
      socket.ack(socket.events().get(2).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() ->
          broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("acked").size() == 1);
      assertFalse(socket.closed().isDone());
    }
  }

  @Test
  void aTooLargeMessageOnAStreamGetsFrameTooLargeAndClosesOnlyThatStream() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("bigframes", 1);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/big", 0, 2)).get(10, TimeUnit.SECONDS);
    }
    try (RawWebSocket whole = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> whole.events().size() == 2);
      whole.send("{\"type\":\"ack\",\"cursor\":\"" + "x".repeat(MAX_MESSAGE_BYTES) + "\"}");
      assertClosedWithFrameTooLarge(whole);
    }
    try (RawWebSocket endless = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> endless.events().size() == 2);
      for (int fragment = 0; fragment < 3; fragment++) {
        endless.sendBinary(new byte[MAX_MESSAGE_BYTES / 2], false);
      }
      assertClosedWithFrameTooLarge(endless);
    }
    try (RawWebSocket next = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> next.events().size() == 2);
      next.ack(next.events().get(1).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() ->
          broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("acked").size() == 1);
    }
    stillServing();
  }

  private static void assertClosedWithFrameTooLarge(RawWebSocket socket) throws Exception {
    socket.closed().get(10, TimeUnit.SECONDS);
    assertEquals(List.of("frame_too_large"), socket.notices().stream().map(n -> n.get("code").asText()).toList());
  }

  @Test
  void aStreamWithAWrongOrForeignKeyIsRefusedAtTheHandshake() throws Exception {
    for (String key : List.of("key_0000000000000000.bogus", otherTenant.consumerKey(), tenant.producerKey())) {
      int status = RawWebSocket.refusedHandshake(broker.baseUrl(), tenant.subscription(), key);
      assertTrue(status == 401 || status == 403 || status == 404, "status " + status + " for key " + key);
    }
  }

  @Test
  void aConnectionThatNeverAuthenticatesIsClosedWithAuthTimeout() throws Exception {
    try (Socket silent = tcp(); Socket halfFrame = tcp(); Socket prompt = authenticated(tenant.producerKey())) {
      halfFrame.getOutputStream().write(new byte[] {0, 0});
      halfFrame.getOutputStream().flush();
      long started = System.nanoTime();
      assertClosedAfterFatal(silent, "auth_timeout");
      assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(AUTH_TIMEOUT.minusMillis(500)) > 0,
          "not before the configured timeout");
      assertClosedAfterFatal(halfFrame, "auth_timeout");
      publishOk(prompt, 51);
    }
    stillServing();
  }

  @Test
  void eofBeforeAnyFrameIsNotAnError() throws Exception {
    try (Socket socket = tcp()) {
      socket.shutdownOutput();
      try {
        read(socket);
        throw new AssertionError("expected the connection to close without a frame");
      } catch (EOFException closed) {
        stillServing();
      }
    }
  }

  @Test
  void anEventThatBreaksItsTopicsSchemaIsRefusedNamingThePathOverHttpAndTcp() throws Exception {
    String schema = "{\"type\":\"object\",\"required\":[\"total\"],\"properties\":{\"total\":{\"type\":\"number\"}}}";
    assertEquals(201, broker.post("/v1/topics", tenant.producerKey(), "application/json",
        "{\"name\":\"badinput.invoices\",\"domain\":\"badinput\",\"schema\":" + schema + "}").status());
    String path = eventsPath("badinput.invoices");
    assertEquals(202, broker.post(path, tenant.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"s1\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"total\":12.5}}").status());
    TestBroker.Reply wrongType = broker.post(path, tenant.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"s2\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"total\":\"12.5\"}}");
    assertEquals(400, wrongType.status());
    assertEquals("schema_violation", wrongType.errorCode());
    assertTrue(wrongType.body().get("error").get("message").asText().contains("total"), wrongType.body().toString());

    String narrower = "{\"type\":\"object\",\"required\":[\"total\",\"currency\"]}";
    TestBroker.Reply incompatible = broker.post("/v1/topics/badinput.invoices/schemas", tenant.producerKey(),
        "application/json", "{\"schema\":" + narrower + "}");
    assertEquals(409, incompatible.status(), String.valueOf(incompatible.body()));
    assertEquals("incompatible_schema", incompatible.errorCode());
    assertTrue(incompatible.body().get("error").get("message").asText().contains("#/required"), incompatible.body().toString());
    TestBroker.Reply version2 = broker.post("/v1/topics/badinput.invoices/schemas", tenant.producerKey(), "application/json",
        "{\"schema\":" + narrower + ",\"compatibility\":\"none\"}");
    assertEquals(201, version2.status(), String.valueOf(version2.body()));
    assertEquals(2, version2.body().get("schema_version").asInt());
    assertEquals("schema_violation", broker.post(path, tenant.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"s3\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"total\":1}}").errorCode(),
        "events published after a new version must satisfy it");
    assertEquals("invalid_schema", broker.post("/v1/topics/badinput.invoices/schemas", tenant.producerKey(), "application/json",
        "{\"schema\":{\"type\":42}}").errorCode());

    try (Socket socket = authenticated(tenant.producerKey())) {
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
          .setCorrelationId(77).setTopic("badinput.invoices").addEvents(Events.event("/tcp", "s4", null, "{\"total\":1}"))).build());
      ServerFrame refused = read(socket);
      assertEquals("schema_violation", refused.getError().getCode());
      assertFalse(refused.getError().getFatal());
    }
    stillServing();
  }
}
