package io.tollgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.Error;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.PublishAck;
import io.tollgate.protocols.v1.ServerFrame;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpPublisherTest {
  private static final String TOPIC = "commerce.orders";

  @Test
  void authenticatesFirstThenSendsEachPublishAsOneFrame() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "s3cret")) {
      ClientFrame first = server.next();
      assertEquals(ClientFrame.FrameCase.AUTHENTICATE, first.getFrameCase());
      assertEquals("s3cret", first.getAuthenticate().getApiKey());
      assertEquals("acc_test", publisher.accountId());

      List<CloudEvent> events = TestEvents.events("e", 3);
      CompletableFuture<PublishResult> reply = publisher.publish(TOPIC, events);
      Publish publish = server.next().getPublish();
      assertEquals(TOPIC, publish.getTopic());
      assertEquals(events, publish.getEventsList());
      assertTrue(publish.getCorrelationId() != 0, "0 is reserved for errors about no publish");

      server.send(ack(publish.getCorrelationId(), 0, 3));
      PublishResult result = reply.get(5, TimeUnit.SECONDS);
      assertEquals(3, result.accepted());
      assertEquals(new Position(0, 1, TOPIC + ":0:1", false), result.positions().get(1));
    }
  }

  @Test
  void pipelinesPublishesAndMatchesAcksThatArriveOutOfOrder() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key")) {
      server.next();
      CompletableFuture<PublishResult> a = publisher.publish(TOPIC, TestEvents.events("a", 1));
      CompletableFuture<PublishResult> b = publisher.publish(TOPIC, TestEvents.events("b", 2));
      CompletableFuture<PublishResult> c = publisher.publish(TOPIC, TestEvents.events("c", 3));
      // All three are on the wire before the broker has answered any of them.
      Publish pa = server.next().getPublish();
      Publish pb = server.next().getPublish();
      Publish pc = server.next().getPublish();
      assertEquals(3, List.of(pa.getCorrelationId(), pb.getCorrelationId(), pc.getCorrelationId()).stream().distinct().count());

      server.send(ack(pc.getCorrelationId(), 300, 3));
      assertEquals(300, c.get(5, TimeUnit.SECONDS).positions().get(0).offset());
      assertFalse(a.isDone() || b.isDone());
      server.send(ack(pa.getCorrelationId(), 100, 1));
      server.send(ack(pb.getCorrelationId(), 200, 2));
      assertEquals(100, a.get(5, TimeUnit.SECONDS).positions().get(0).offset());
      assertEquals(List.of(200L, 201L), b.get(5, TimeUnit.SECONDS).positions().stream().map(Position::offset).toList());
    }
  }

  @Test
  void anErrorForOnePublishFailsOnlyThatOne() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key")) {
      server.next();
      CompletableFuture<PublishResult> bad = publisher.publish("nope", TestEvents.events("x", 1));
      CompletableFuture<PublishResult> good = publisher.publish(TOPIC, TestEvents.events("y", 1));
      long badId = server.next().getPublish().getCorrelationId();
      long goodId = server.next().getPublish().getCorrelationId();

      server.send(error(badId, "unknown_topic", "topic nope does not exist", false));
      server.send(ack(goodId, 0, 1));

      TollgateException failure = failure(bad);
      assertEquals("unknown_topic", failure.code());
      assertEquals("topic nope does not exist", failure.detail());
      assertEquals(0, failure.httpStatus());
      assertEquals(1, good.get(5, TimeUnit.SECONDS).accepted());

      CompletableFuture<PublishResult> after = publisher.publish(TOPIC, TestEvents.events("z", 1));
      server.send(ack(server.next().getPublish().getCorrelationId(), 1, 1));
      assertEquals(1, after.get(5, TimeUnit.SECONDS).accepted());
    }
  }

  @Test
  void aFatalErrorFailsEveryPendingPublishAndEveryLaterOne() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key")) {
      server.next();
      List<CompletableFuture<PublishResult>> pending = List.of(
          publisher.publish(TOPIC, TestEvents.events("a", 1)),
          publisher.publish(TOPIC, TestEvents.events("b", 1)),
          publisher.publish(TOPIC, TestEvents.events("c", 1)));
      for (int i = 0; i < pending.size(); i++) {
        server.next();
      }
      server.send(error(0, "malformed_frame", "cannot parse", true));

      for (CompletableFuture<PublishResult> reply : pending) {
        assertEquals("malformed_frame", failure(reply).code());
      }
      assertEquals("malformed_frame", failure(publisher.publish(TOPIC, TestEvents.events("d", 1))).code());
    }
  }

  @Test
  void aDroppedConnectionFailsPendingPublishes() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key")) {
      server.next();
      CompletableFuture<PublishResult> reply = publisher.publish(TOPIC, TestEvents.events("a", 1));
      server.next();
      server.disconnect();
      assertEquals(TollgateException.CONNECTION_CLOSED, failure(reply).code());
    }
  }

  @Test
  void anAckForNoPendingPublishIsAProtocolError() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key")) {
      server.next();
      CompletableFuture<PublishResult> reply = publisher.publish(TOPIC, TestEvents.events("a", 1));
      long id = server.next().getPublish().getCorrelationId();
      server.send(ack(id + 1000, 0, 1));
      assertEquals(TollgateException.PROTOCOL_ERROR, failure(reply).code());
    }
  }

  @Test
  void aRejectedKeyFailsConnectWithTheBrokersCode() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.withResponder(
        frame -> error(0, "unauthenticated", "unknown API key", true))) {
      TollgateException e = assertThrows(TollgateException.class,
          () -> TcpPublisher.connect("127.0.0.1", server.port(), "wrong"));
      assertEquals("unauthenticated", e.code());
      assertEquals("unknown API key", e.detail());
    }
  }

  @Test
  void anUnreachableBrokerFailsConnect() throws Exception {
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    TollgateException e = assertThrows(TollgateException.class, () -> TcpPublisher.connect("127.0.0.1", port, "key"));
    assertEquals(TollgateException.CONNECTION_FAILED, e.code());
  }

  @Test
  void publishBlocksWhileMaxInFlightPublishesAreUnanswered() throws Exception {
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key", 2)) {
      server.next();
      CompletableFuture<PublishResult> first = publisher.publish(TOPIC, TestEvents.events("a", 1));
      CompletableFuture<PublishResult> second = publisher.publish(TOPIC, TestEvents.events("b", 1));
      long firstId = server.next().getPublish().getCorrelationId();
      long secondId = server.next().getPublish().getCorrelationId();

      Thread[] callerThread = new Thread[1];
      CompletableFuture<CompletableFuture<PublishResult>> third = CompletableFuture.supplyAsync(() -> {
        callerThread[0] = Thread.currentThread();
        return publisher.publish(TOPIC, TestEvents.events("c", 1));
      }, caller);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> callerThread[0] != null && callerThread[0].getState() == Thread.State.WAITING);
      assertFalse(third.isDone());
      assertEquals(0, server.receivedCount());

      server.send(ack(firstId, 0, 1));
      first.get(5, TimeUnit.SECONDS);
      CompletableFuture<PublishResult> thirdReply = third.get(5, TimeUnit.SECONDS);
      server.send(ack(server.next().getPublish().getCorrelationId(), 2, 1));
      assertEquals(1, thirdReply.get(5, TimeUnit.SECONDS).accepted());
      server.send(ack(secondId, 1, 1));
      second.get(5, TimeUnit.SECONDS);
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void closeWaitsForThePublishesInFlight() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating()) {
      TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", server.port(), "key");
      server.next();
      CompletableFuture<PublishResult> reply = publisher.publish(TOPIC, TestEvents.events("a", 1));
      long id = server.next().getPublish().getCorrelationId();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(publisher::close);
      server.send(ack(id, 7, 1));
      closing.get(5, TimeUnit.SECONDS);
      assertEquals(7, reply.get().positions().get(0).offset());
      assertEquals(TollgateException.CONNECTION_CLOSED, failure(publisher.publish(TOPIC, TestEvents.events("b", 1))).code());
    }
  }

  private static ServerFrame ack(long correlationId, long firstOffset, int count) {
    PublishAck.Builder ack = PublishAck.newBuilder().setCorrelationId(correlationId);
    for (int i = 0; i < count; i++) {
      ack.addPositions(FakeFrameServer.position(TOPIC, 0, firstOffset + i));
    }
    return ServerFrame.newBuilder().setAck(ack).build();
  }

  private static ServerFrame error(long correlationId, String code, String message, boolean fatal) {
    return ServerFrame.newBuilder().setError(Error.newBuilder()
        .setCorrelationId(correlationId).setCode(code).setMessage(message).setFatal(fatal)).build();
  }

  static TollgateException failure(CompletableFuture<PublishResult> reply) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> reply.get(5, TimeUnit.SECONDS));
    return assertInstanceOf(TollgateException.class, e.getCause());
  }
}
