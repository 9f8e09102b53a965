package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.ReconnectingPublisher;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An authenticated TCP connection that goes quiet, or holds a frame it never finishes, is told
 * why and closed, over real sockets; a connection that keeps publishing is not, and others go on.
 */
class TcpTimeoutsTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(1);
  private static TestBroker broker;
  private static TestBroker.Tenancy tenant;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.tcp.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms",
        "tollgate.tcp.frame-timeout", FRAME_TIMEOUT.toMillis() + "ms"));
    tenant = broker.tenancy("timeouts", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static Socket authenticated() throws Exception {
    Socket socket = new Socket("127.0.0.1", broker.tcpPort());
    socket.setSoTimeout(15_000);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(tenant.producerKey())).build());
    assertTrue(read(socket).hasAuthenticated());
    return socket;
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
  }

  private static void publishes(Socket socket) throws Exception {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
        .setCorrelationId(5).setTopic(tenant.topic())
        .addEvents(Events.event("/timeouts", "e-" + System.nanoTime(), null, "{}"))).build());
    ServerFrame ack = read(socket);
    assertTrue(ack.hasAck(), ack.toString());
  }

  /** The fatal frame with {@code code}, then the close; returns how long after {@code since} it came. */
  private static Duration assertClosedAfterFatal(Socket socket, String code, long since) throws Exception {
    ServerFrame error = read(socket);
    Duration after = Duration.ofNanos(System.nanoTime() - since);
    assertEquals(code, error.getError().getCode(), error.toString());
    assertTrue(error.getError().getFatal());
    assertEquals(-1, socket.getInputStream().read(), "the broker closes the connection");
    return after;
  }

  @Test
  void theSdksReconnectingPublisherPublishesAgainAfterTheBrokerClosedItsIdleConnection() throws Exception {
    try (ReconnectingPublisher publisher = ReconnectingPublisher.connect("127.0.0.1", broker.tcpPort(),
        tenant.producerKey(), 16, null)) {
      assertEquals(1, publisher.publishAndWait(tenant.topic(), List.of(Events.event("/timeouts", "r-1", null, "{}"))).accepted());
      await().atMost(IDLE_TIMEOUT.multipliedBy(4)).until(() -> !publisher.isOpen());
      assertEquals(1, publisher.publishAndWait(tenant.topic(), List.of(Events.event("/timeouts", "r-2", null, "{}"))).accepted(),
          "the next publish opens a new connection");
    }
  }

  @Test
  void anAuthenticatedConnectionThatSendsNothingIsClosedWithIdleTimeout() throws Exception {
    try (Socket idle = authenticated()) {
      long since = System.nanoTime();
      Duration after = assertClosedAfterFatal(idle, "idle_timeout", since);
      assertTrue(after.compareTo(IDLE_TIMEOUT.minusMillis(100)) >= 0, "closed after " + after);
    }
    try (Socket other = authenticated()) {
      publishes(other);
    }
  }

  @Test
  void aConnectionThatKeepsPublishingOutlivesTheIdleTimeout() throws Exception {
    try (Socket busy = authenticated()) {
      long since = System.nanoTime();
      // A publish every half second for twice the idle timeout: each frame starts the wait again.
      await().pollInterval(Duration.ofMillis(500)).atMost(IDLE_TIMEOUT.multipliedBy(4)).until(() -> {
        publishes(busy);
        return Duration.ofNanos(System.nanoTime() - since).compareTo(IDLE_TIMEOUT.multipliedBy(2)) > 0;
      });
      publishes(busy);
    }
  }

  @Test
  void aFrameBegunAndNeverFinishedIsClosedWithFrameStalledAndOthersGoOn() throws Exception {
    try (Socket bystander = authenticated(); Socket stalled = authenticated()) {
      OutputStream out = stalled.getOutputStream();
      out.write(ByteBuffer.allocate(4).putInt(1000).array());
      out.write(new byte[10]);
      out.flush();
      long since = System.nanoTime();
      Duration after = assertClosedAfterFatal(stalled, "frame_stalled", since);
      assertTrue(after.compareTo(FRAME_TIMEOUT.minusMillis(100)) >= 0
          && after.compareTo(IDLE_TIMEOUT) < 0, "closed after " + after + ", before it could be idle");
      publishes(bystander);
    }
  }

  @Test
  void halfALengthPrefixIsAFrameInProgressToo() throws Exception {
    try (Socket stalled = authenticated()) {
      stalled.getOutputStream().write(new byte[] {0, 0});
      stalled.getOutputStream().flush();
      assertClosedAfterFatal(stalled, "frame_stalled", System.nanoTime());
    }
  }
}
