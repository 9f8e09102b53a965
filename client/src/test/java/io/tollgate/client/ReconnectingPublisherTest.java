package io.tollgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.protocols.v1.ClientFrame;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReconnectingPublisherTest {
  private static final String TOPIC = "commerce.orders";

  @Test
  void aPublishAfterTheBrokerEndedTheConnectionGoesOutOnANewOne() throws Exception {
    try (FakeFrameServer first = FakeFrameServer.authenticating(); FakeFrameServer second = FakeFrameServer.acking()) {
      Iterator<Integer> ports = List.of(first.port(), second.port()).iterator();
      try (ReconnectingPublisher publisher = new ReconnectingPublisher(
          () -> TcpPublisher.connect("127.0.0.1", ports.next(), "key"))) {
        first.next();
        CompletableFuture<PublishResult> inFlight = publisher.publish(TOPIC, TestEvents.events("a", 1));
        first.next();
        first.disconnect();

        ExecutionException ended = assertThrows(ExecutionException.class, () -> inFlight.get(5, TimeUnit.SECONDS));
        assertEquals(TollgateException.CONNECTION_CLOSED, assertInstanceOf(TollgateException.class, ended.getCause()).code(),
            "what was in flight fails, to be sent again");
        assertEquals(2, publisher.publish(TOPIC, TestEvents.events("a", 2)).get(5, TimeUnit.SECONDS).accepted());
        assertEquals(ClientFrame.FrameCase.AUTHENTICATE, second.next().getFrameCase());
        assertEquals(2, second.next().getPublish().getEventsCount());
      }
    }
  }

  @Test
  void aConnectionThatCannotBeMadeFailsThatPublishAndTheNextOneTriesAgain() throws Exception {
    int closedPort;
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = unused.getLocalPort();
    }
    try (FakeFrameServer first = FakeFrameServer.authenticating(); FakeFrameServer later = FakeFrameServer.acking()) {
      Iterator<Integer> ports = List.of(first.port(), closedPort, later.port()).iterator();
      try (ReconnectingPublisher publisher = new ReconnectingPublisher(
          () -> TcpPublisher.connect("127.0.0.1", ports.next(), "key"))) {
        first.next();
        first.disconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> !publisher.isOpen());

        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> publisher.publish(TOPIC, TestEvents.events("b", 1)).get(5, TimeUnit.SECONDS));
        assertEquals(TollgateException.CONNECTION_FAILED, assertInstanceOf(TollgateException.class, refused.getCause()).code());
        assertEquals(1, publisher.publish(TOPIC, TestEvents.events("b", 1)).get(5, TimeUnit.SECONDS).accepted());
      }
    }
  }

  @Test
  void aClosedPublisherDoesNotConnectAgain() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating()) {
      ReconnectingPublisher publisher = new ReconnectingPublisher(() -> TcpPublisher.connect("127.0.0.1", server.port(), "key"));
      publisher.close();
      ExecutionException closed = assertThrows(ExecutionException.class,
          () -> publisher.publish(TOPIC, TestEvents.events("c", 1)).get(5, TimeUnit.SECONDS));
      assertEquals(TollgateException.CONNECTION_CLOSED, assertInstanceOf(TollgateException.class, closed.getCause()).code());
    }
  }
}
