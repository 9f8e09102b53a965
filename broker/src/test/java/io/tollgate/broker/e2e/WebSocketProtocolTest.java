package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.http.websocket.Frame;
import io.tollgate.client.TcpPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stream endpoint's own WebSocket layer (RFC 6455) over a plain socket, frame by frame: the
 * handshake's accept key, pings answered, fragmented acks with a control frame between them,
 * the close handshake from either side and its timeout, and the frames a server must refuse,
 * each closing only its own connection with its own code while the node goes on serving.
 */
class WebSocketProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE_BYTES = 1024;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.subscriptions.max-batch", 1,
        "tollgate.subscriptions.max-message-bytes", MAX_MESSAGE_BYTES,
        "tollgate.subscriptions.websocket-close-timeout", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void theHandshakeAnswersTheKeysAcceptValue() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wshandshake", 1);
    try (RawHandshake stream = open(t)) {
      // RFC 6455, section 1.3: the sample nonce's accept value.
      assertTrue(stream.head().contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), stream.head());
      assertTrue(stream.head().toLowerCase().contains("upgrade: websocket\r\n"), stream.head());
    }
  }

  @Test
  void aPingIsAnsweredWithItsPayloadAndAnAckInFragmentsWithAPingBetweenThemIsCommitted() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wsfragments", 1);
    publish(t, 2);
    try (RawHandshake stream = open(t)) {
      List<JsonNode> events = events(stream, 2);
      stream.send(true, Frame.PING, new byte[] {1, 2, 3}, true);
      RawHandshake.ServerFrame pong = stream.nextFrameOtherThanPong();
      assertEquals(Frame.PONG, pong.opcode());
      assertArrayEquals(new byte[] {1, 2, 3}, pong.payload());

      String ack = "{\"type\":\"ack\",\"cursor\":\"" + events.get(1).get("cursor").asText() + "\"}";
      stream.sendText(false, Frame.TEXT, ack.substring(0, 10));
      stream.send(true, Frame.PING, new byte[] {9}, true);
      stream.sendText(false, Frame.CONTINUATION, ack.substring(10, 20));
      stream.sendText(true, Frame.CONTINUATION, ack.substring(20));
      assertArrayEquals(new byte[] {9}, stream.nextFrameOtherThanPong().payload());
      await().atMost(Duration.ofSeconds(10)).until(() -> acked(t) == 1);
    }
  }

  @Test
  void anAckSentJustBeforeTheConsumerShutsItsSocketWithoutACloseIsStillCommitted() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wsabrupt", 1);
    publish(t, 3);
    try (RawHandshake stream = open(t)) {
      List<JsonNode> events = events(stream, 3);
      stream.sendText(true, Frame.TEXT, "{\"type\":\"ack\",\"cursor\":\"" + events.get(2).get("cursor").asText() + "\"}");
      stream.socket().shutdownOutput();
      assertNull(stream.nextFrameOtherThanPong(), "the server closes a connection whose peer closed");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> acked(t) == 1);
  }

  @Test
  void theConsumersCloseIsAnsweredWithItsCodeAndTheServerClosesTheSocket() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wsclientclose", 1);
    try (RawHandshake stream = open(t)) {
      stream.send(true, Frame.CLOSE, new byte[] {0x0F, (byte) 0xA0, 'b', 'y', 'e'}, true);
      RawHandshake.ServerFrame close = stream.nextFrameOtherThanPong();
      assertEquals(Frame.CLOSE, close.opcode());
      assertEquals(4000, close.closeCode());
      assertNull(stream.nextFrame(), "the server closes the connection after its close frame");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sessionsOf(t).isEmpty());
  }

  @Test
  void aStreamTheServerEndsSaysWhyClosesAndClosesTheSocketWhenTheConsumerNeverAnswers() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wsserverclose", 1);
    try (RawHandshake stream = open(t)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> sessionsOf(t).size() == 1);
      assertEquals(200, broker.post("/v1/subscriptions/" + t.subscription() + "/cancel", t.consumerKey(),
          "application/json", "{\"at\":\"now\"}").status());
      RawHandshake.ServerFrame notice = stream.nextFrameOtherThanPong();
      assertEquals("subscription_cancelled", JSON.readTree(notice.text()).get("code").asText());
      RawHandshake.ServerFrame close = stream.nextFrameOtherThanPong();
      assertEquals(Frame.CLOSE, close.opcode());
      assertEquals(1000, close.closeCode());
      long closeSeen = System.nanoTime();
      assertNull(stream.nextFrame(), "closed after the close timeout, unanswered");
      long waitedMillis = (System.nanoTime() - closeSeen) / 1_000_000;
      assertTrue(waitedMillis >= 500, "the server waited for the consumer's close, " + waitedMillis + " ms");
    }
  }

  @Test
  void aMessageAboveTheLimitGetsFrameTooLargeThenACloseWithMessageTooBig() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wstoobig", 1);
    try (RawHandshake stream = open(t)) {
      stream.send(false, Frame.BINARY, new byte[MAX_MESSAGE_BYTES - 10], true);
      stream.send(false, Frame.CONTINUATION, new byte[20], true);
      RawHandshake.ServerFrame notice = stream.nextFrameOtherThanPong();
      assertEquals("frame_too_large", JSON.readTree(notice.text()).get("code").asText());
      RawHandshake.ServerFrame close = stream.nextFrameOtherThanPong();
      assertEquals(1009, close.closeCode());
      stream.send(true, Frame.CLOSE, new byte[] {0x03, (byte) 0xF1}, true);
      assertNull(stream.nextFrame());
    }
    stillStreams();
  }

  @Test
  void framesAServerMustRefuseCloseTheirConnectionAtOnceWithTheirCode() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wsviolations", 1);
    try (RawHandshake unmasked = open(t)) {
      unmasked.send(true, Frame.TEXT, "{}".getBytes(StandardCharsets.UTF_8), false);
      assertClosedAtOnce(unmasked, 1002);
    }
    try (RawHandshake notUtf8 = open(t)) {
      notUtf8.send(true, Frame.TEXT, new byte[] {(byte) 0xC3, 0x28}, true);
      assertClosedAtOnce(notUtf8, 1007);
    }
    try (RawHandshake outOfOrder = open(t)) {
      outOfOrder.send(true, Frame.CONTINUATION, new byte[] {1}, true);
      assertClosedAtOnce(outOfOrder, 1002);
    }
    try (RawHandshake reservedOpcode = open(t)) {
      reservedOpcode.send(true, 0x3, new byte[] {1}, true);
      assertClosedAtOnce(reservedOpcode, 1002);
    }
    stillStreams();
  }

  private static void assertClosedAtOnce(RawHandshake stream, int code) throws Exception {
    RawHandshake.ServerFrame close = stream.nextFrameOtherThanPong();
    assertEquals(Frame.CLOSE, close.opcode());
    assertEquals(code, close.closeCode(), close.text());
    long closeSeen = System.nanoTime();
    assertNull(stream.nextFrame());
    assertTrue((System.nanoTime() - closeSeen) / 1_000_000 < 500, "not held open for a close handshake");
  }

  /** A new stream still opens and receives. */
  private static void stillStreams() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("wsstill" + System.nanoTime() % 100_000, 1);
    publish(t, 1);
    try (RawHandshake stream = open(t)) {
      assertEquals(1, events(stream, 1).size());
    }
  }

  private static RawHandshake open(TestBroker.Tenancy t) throws Exception {
    RawHandshake stream = RawHandshake.open(broker, "127.0.0.1", t.subscription(), t.consumerKey());
    assertEquals(101, stream.status(), stream.body());
    return stream;
  }

  private static List<JsonNode> events(RawHandshake stream, int count) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    while (events.size() < count) {
      RawHandshake.ServerFrame frame = stream.nextFrameOtherThanPong();
      assertEquals(Frame.TEXT, frame.opcode());
      JsonNode json = JSON.readTree(frame.text());
      assertEquals("event", json.get("type").asText(), frame.text());
      events.add(json);
    }
    return events;
  }

  private static void publish(TestBroker.Tenancy t, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/ws", 0, count)).get(10, TimeUnit.SECONDS);
    }
  }

  private static int acked(TestBroker.Tenancy t) throws Exception {
    return broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("acked").size();
  }

  private static List<JsonNode> sessionsOf(TestBroker.Tenancy t) throws Exception {
    List<JsonNode> sessions = new ArrayList<>();
    broker.get("/v1/accounts/" + t.consumer() + "/sessions", broker.adminKey()).body().get("data").forEach(sessions::add);
    return sessions;
  }
}
