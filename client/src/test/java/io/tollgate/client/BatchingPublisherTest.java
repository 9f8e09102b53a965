package io.tollgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.PublishAck;
import io.tollgate.protocols.v1.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BatchingPublisherTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** A linger no test waits for: batches leave by size, flush or close. */
  private static final BatchSettings NO_LINGER_WAIT = BatchSettings.DEFAULTS.withLinger(Duration.ofHours(1));
  /** Retries after 10 ms, doubling to 40 ms: short enough that no test waits long for one. */
  private static final BatchSettings QUICK_RETRIES = NO_LINGER_WAIT.withRetryBackoff(Duration.ofMillis(10),
      Duration.ofMillis(40));

  /** A transport the test answers by hand, or with a responder: records every publish it is given. */
  static final class FakeTransport implements Publisher {
    record Call(String topic, List<CloudEvent> events, CompletableFuture<PublishResult> reply) {
      List<String> ids() {
        return events.stream().map(CloudEvent::getId).toList();
      }

      void ack() {
        List<Position> positions = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
          positions.add(new Position(0, offsetOf(events.get(i)), "c-" + events.get(i).getId(), false));
        }
        reply.complete(new PublishResult(positions.size(), positions));
      }

      void refuse(String code) {
        reply.completeExceptionally(new TollgateException(code, "refused"));
      }
    }

    final BlockingQueue<Call> unanswered = new LinkedBlockingQueue<>();
    final List<Call> all = new CopyOnWriteArrayList<>();
    private final Function<Call, Boolean> responder;
    volatile boolean closed;

    FakeTransport() {
      this(call -> false);
    }

    /** {@code responder} answers a call and returns true, or leaves it to the test. */
    FakeTransport(Function<Call, Boolean> responder) {
      this.responder = responder;
    }

    @Override
    public CompletableFuture<PublishResult> publish(String topic, List<CloudEvent> events) {
      Call call = new Call(topic, List.copyOf(events), new CompletableFuture<>());
      all.add(call);
      if (closed) {
        call.refuse(TollgateException.CONNECTION_CLOSED);
      } else if (!responder.apply(call)) {
        unanswered.add(call);
      }
      return call.reply;
    }

    Call next() throws InterruptedException {
      Call call = unanswered.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (call == null) {
        throw new AssertionError("no publish within " + WAIT);
      }
      return call;
    }

    @Override
    public void close() {
      closed = true;
      all.stream().filter(call -> !call.reply().isDone()).forEach(call -> call.refuse(TollgateException.CONNECTION_CLOSED));
    }
  }

  private static long offsetOf(CloudEvent event) {
    return Long.parseLong(event.getId().replaceAll("\\D", "0"));
  }

  private static CloudEvent event(String id) {
    return TestEvents.event(id);
  }

  private static String failureCode(CompletableFuture<?> future) {
    try {
      future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return "none";
    } catch (Exception e) {
      return TollgateException.unwrap(e.getCause() == null ? e : e.getCause()).code();
    }
  }

  @Test
  void singleSendsGoOutAsOnePublishOnceTheBatchIsFullAndEachFutureGetsItsOwnPosition() throws Exception {
    FakeTransport transport = new FakeTransport();
    try (BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT.withMaxEvents(3))) {
      CompletableFuture<Position> a = publisher.send("t", event("1"));
      CompletableFuture<Position> b = publisher.send("t", event("2"));
      CompletableFuture<Position> c = publisher.send("t", event("3"));

      FakeTransport.Call call = transport.next();
      assertEquals("t", call.topic());
      assertEquals(List.of("1", "2", "3"), call.ids());
      call.ack();
      assertEquals("c-1", a.get(5, TimeUnit.SECONDS).cursor());
      assertEquals("c-2", b.get(5, TimeUnit.SECONDS).cursor());
      assertEquals(3, c.get(5, TimeUnit.SECONDS).offset());
      assertEquals(1, transport.all.size());
    }
  }

  @Test
  void aBatchThatIsNotFullLeavesWhenItsLingerHasPassed() throws Exception {
    FakeTransport transport = new FakeTransport(call -> {
      call.ack();
      return true;
    });
    try (BatchingPublisher publisher = new BatchingPublisher(transport, BatchSettings.DEFAULTS.withLinger(Duration.ofMillis(20)))) {
      CompletableFuture<Position> ack = publisher.send("t", event("1"));
      assertEquals("c-1", ack.get(5, TimeUnit.SECONDS).cursor());
      assertEquals(1, transport.all.size());
    }
  }

  @Test
  void lingerIsCountedOnTheInjectedClockFromTheBatchsFirstEvent() throws Exception {
    FakeTransport transport = new FakeTransport();
    AtomicLong now = new AtomicLong();
    try (BatchingPublisher publisher = new BatchingPublisher(transport,
        BatchSettings.DEFAULTS.withLinger(Duration.ofMillis(10)), now::get)) {
      publisher.send("t", event("1"));
      now.addAndGet(Duration.ofMillis(9).toNanos());
      publisher.send("t", event("2"));
      assertEquals(null, transport.unanswered.poll(200, TimeUnit.MILLISECONDS),
          "real time passes, but on the publisher's clock the linger has not");
      now.addAndGet(Duration.ofMillis(1).toNanos());
      FakeTransport.Call call = transport.next();
      assertEquals(List.of("1", "2"), call.ids());
      call.ack();
    }
  }

  @Test
  void flushSendsTheOpenBatchAtOnceAndReturnsWhenItIsAcked() throws Exception {
    FakeTransport transport = new FakeTransport();
    try (BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT)) {
      CompletableFuture<Position> a = publisher.send("t", event("1"));
      CompletableFuture<Position> b = publisher.send("u", event("2"));
      CompletableFuture<Void> flushed = CompletableFuture.runAsync(publisher::flush);

      List<FakeTransport.Call> calls = List.of(transport.next(), transport.next());
      assertFalse(flushed.isDone(), "flush waits for the acks");
      calls.forEach(FakeTransport.Call::ack);
      flushed.get(5, TimeUnit.SECONDS);
      assertTrue(a.isDone() && b.isDone());
    }
  }

  @Test
  void anEventTheBrokerRefusesFailsOnlyItsOwnFutureAndTheOthersAreStored() throws Exception {
    FakeTransport transport = new FakeTransport(call -> {
      if (call.ids().contains("bad")) {
        call.refuse("schema_violation");
      } else {
        call.ack();
      }
      return true;
    });
    try (BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT)) {
      List<CompletableFuture<Position>> acks = new ArrayList<>();
      List<String> ids = List.of("0", "1", "2", "3", "4", "bad", "6", "7");
      for (String id : ids) {
        acks.add(publisher.send("t", event(id)));
      }
      publisher.flush();

      for (int i = 0; i < ids.size(); i++) {
        assertEquals(ids.get(i).equals("bad") ? "schema_violation" : "none", failureCode(acks.get(i)), ids.get(i));
      }
      List<String> stored = transport.all.stream().filter(call -> !call.reply().isCompletedExceptionally())
          .flatMap(call -> call.ids().stream()).toList();
      assertEquals(List.of("0", "1", "2", "3", "4", "6", "7"), stored, "each good event stored once, in order");
    }
  }

  @Test
  void aRefusalOfTheWholePublishFailsEveryEventOfTheBatchWithoutSplitting() throws Exception {
    FakeTransport transport = new FakeTransport(call -> {
      call.refuse("forbidden");
      return true;
    });
    try (BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT)) {
      CompletableFuture<Position> a = publisher.send("t", event("1"));
      CompletableFuture<Position> b = publisher.send("t", event("2"));
      publisher.flush();
      assertEquals("forbidden", failureCode(a));
      assertEquals("forbidden", failureCode(b));
      assertEquals(1, transport.all.size());
    }
  }

  @Test
  void atMostMaxInFlightBatchesAwaitTheirAck() throws Exception {
    FakeTransport transport = new FakeTransport();
    try (BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT.withMaxEvents(1).withMaxInFlight(2))) {
      for (int i = 1; i <= 3; i++) {
        publisher.send("t", event(String.valueOf(i)));
      }
      FakeTransport.Call first = transport.next();
      FakeTransport.Call second = transport.next();
      assertEquals(null, transport.unanswered.poll(200, TimeUnit.MILLISECONDS), "the third waits for an ack");
      first.ack();
      FakeTransport.Call third = transport.next();
      assertEquals(List.of("3"), third.ids());
      second.ack();
      third.ack();
    }
  }

  @Test
  void aSendIntoAFullBufferFailsWithBufferFullAfterMaxBlock() throws Exception {
    FakeTransport transport = new FakeTransport();
    int size = event("1").getSerializedSize();
    BatchSettings settings = NO_LINGER_WAIT.withMaxEvents(1).withBufferBytes(2L * size).withMaxBlock(Duration.ZERO);
    try (BatchingPublisher publisher = new BatchingPublisher(transport, settings)) {
      publisher.send("t", event("1"));
      publisher.send("t", event("2"));
      assertEquals(TollgateException.BUFFER_FULL, failureCode(publisher.send("t", event("3"))));

      transport.next().ack();
      CompletableFuture<Position> fourth = publisher.send("t", event("4"));
      transport.next().ack();
      transport.next().ack();
      assertEquals(4, fourth.get(5, TimeUnit.SECONDS).offset(), "an ack frees room");
    }
  }

  @Test
  void aSendIntoAFullBufferWaitsUntilAnAckFreesRoom() throws Exception {
    FakeTransport transport = new FakeTransport();
    int size = event("1").getSerializedSize();
    BatchSettings settings = NO_LINGER_WAIT.withMaxEvents(1).withBufferBytes(size).withMaxBlock(Duration.ofSeconds(30));
    try (BatchingPublisher publisher = new BatchingPublisher(transport, settings)) {
      publisher.send("t", event("1"));
      CompletableFuture<CompletableFuture<Position>> blocked = CompletableFuture.supplyAsync(() -> publisher.send("t", event("2")));
      FakeTransport.Call first = transport.next();
      assertEquals(null, transport.unanswered.poll(200, TimeUnit.MILLISECONDS));
      assertFalse(blocked.isDone(), "the send blocks while the buffer is full");
      first.ack();
      transport.next().ack();
      assertEquals(2, blocked.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS).offset());
    }
  }

  @Test
  void anEventLargerThanTheWholeBufferFailsAtOnce() {
    FakeTransport transport = new FakeTransport();
    try (BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT.withBufferBytes(10))) {
      assertEquals(TollgateException.EVENT_TOO_LARGE, failureCode(publisher.send("t", event("1"))));
    }
  }

  @Test
  void closeSendsWhatIsQueuedWaitsForTheAcksAndThenRefusesSends() throws Exception {
    FakeTransport transport = new FakeTransport();
    BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT);
    CompletableFuture<Position> queued = publisher.send("t", event("1"));
    CompletableFuture<Void> closed = CompletableFuture.runAsync(publisher::close);

    FakeTransport.Call call = transport.next();
    assertFalse(closed.isDone(), "close waits for the ack");
    call.ack();
    closed.get(5, TimeUnit.SECONDS);
    assertEquals("c-1", queued.get().cursor());
    assertTrue(transport.closed, "the transport is closed after the drain");
    assertEquals(TollgateException.CONNECTION_CLOSED, failureCode(publisher.send("t", event("2"))));
  }

  @Test
  void aCloseThatTimesOutFailsWhatIsStillUnanswered() throws Exception {
    FakeTransport transport = new FakeTransport();
    BatchingPublisher publisher = new BatchingPublisher(transport, NO_LINGER_WAIT.withMaxEvents(1).withMaxInFlight(1));
    CompletableFuture<Position> inFlight = publisher.send("t", event("1"));
    CompletableFuture<Position> queued = publisher.send("t", event("2"));
    transport.next();

    publisher.close(Duration.ofMillis(100));
    assertEquals(TollgateException.CONNECTION_CLOSED, failureCode(inFlight));
    assertEquals(TollgateException.CONNECTION_CLOSED, failureCode(queued));
  }

  @Test
  void overTcpALostConnectionFailsTheEventsInFlightAndThoseSentAfter() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.authenticating();
         BatchingPublisher publisher = new BatchingPublisher(TcpPublisher.connect("127.0.0.1", server.port(), "k"),
             NO_LINGER_WAIT.withMaxEvents(2))) {
      CompletableFuture<Position> a = publisher.send("t", event("1"));
      CompletableFuture<Position> b = publisher.send("t", event("2"));
      server.next();
      assertEquals(2, server.next().getPublish().getEventsCount());
      server.disconnect();
      assertEquals(TollgateException.CONNECTION_CLOSED, failureCode(a));
      assertEquals(TollgateException.CONNECTION_CLOSED, failureCode(b));

      CompletableFuture<Position> later = publisher.send("t", event("3"));
      publisher.send("t", event("4"));
      assertEquals(TollgateException.CONNECTION_CLOSED, failureCode(later));
    }
  }

  @Test
  void overTcpEachFutureGetsThePositionTheBrokerGaveItsEvent() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.withResponder(frame -> {
      if (frame.hasAuthenticate()) {
        return FakeFrameServer.authenticated();
      }
      PublishAck.Builder ack = PublishAck.newBuilder().setCorrelationId(frame.getPublish().getCorrelationId());
      for (CloudEvent e : frame.getPublish().getEventsList()) {
        ack.addPositions(FakeFrameServer.position("t", 1, Long.parseLong(e.getId())));
      }
      return ServerFrame.newBuilder().setAck(ack).build();
    });
         BatchingPublisher publisher = new BatchingPublisher(TcpPublisher.connect("127.0.0.1", server.port(), "k"),
             BatchSettings.DEFAULTS)) {
      List<CompletableFuture<Position>> acks = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        acks.add(publisher.send("t", event(String.valueOf(i))));
      }
      for (int i = 0; i < 50; i++) {
        assertEquals(i, acks.get(i).get(5, TimeUnit.SECONDS).offset());
      }
    }
  }

  @Test
  void overHttpABatchIsOneBatchModeRequest() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> {
      int count = CloudEventJson.parseBatch(Json.MAPPER.readTree(request.body())).size();
      StringBuilder positions = new StringBuilder();
      for (int i = 0; i < count; i++) {
        positions.append(i == 0 ? "" : ",").append("{\"partition\":0,\"offset\":").append(i)
            .append(",\"cursor\":\"c\",\"duplicate\":false}");
      }
      reply.status(202, "{\"accepted\":" + count + ",\"positions\":[" + positions + "]}");
    });
         BatchingPublisher publisher = new BatchingPublisher(new HttpPublisher(server.url(), "k"), NO_LINGER_WAIT)) {
      CompletableFuture<Position> a = publisher.send("t", event("1"));
      CompletableFuture<Position> b = publisher.send("t", event("2"));
      CompletableFuture<Position> c = publisher.send("t", event("3"));
      publisher.flush();

      assertEquals(1, server.requests.size());
      assertEquals(HttpPublisher.BATCH, server.requests.get(0).contentType());
      assertEquals(List.of(0L, 1L, 2L), List.of(a.join().offset(), b.join().offset(), c.join().offset()));
    }
  }

  @Test
  void aProducerFasterThanTheBrokerIsHeldToTheBufferAndLosesNothing() throws Exception {
    FakeTransport transport = new FakeTransport(call -> {
      CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS).execute(call::ack);
      return true;
    });
    int size = event("0000").getSerializedSize();
    try (BatchingPublisher publisher = new BatchingPublisher(transport,
        BatchSettings.DEFAULTS.withMaxEvents(10).withBufferBytes(40L * size).withLinger(Duration.ZERO))) {
      List<CompletableFuture<Position>> acks = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        acks.add(publisher.send("t", event(String.format("%04d", i))));
      }
      publisher.flush();
      for (int i = 0; i < acks.size(); i++) {
        assertEquals(i, acks.get(i).join().offset());
      }
      await().atMost(WAIT).until(() -> transport.all.stream().allMatch(call -> call.reply().isDone()));
      assertTrue(transport.all.stream().allMatch(call -> call.events().size() <= 10));
    } catch (CompletionException e) {
      throw new AssertionError(e.getCause());
    }
  }

  @Test
  void aBatchRefusedAsOverloadedIsSentAgainWithTheSameIdsUntilTheBrokerStoresIt() throws Exception {
    AtomicLong calls = new AtomicLong();
    FakeTransport transport = new FakeTransport(call -> {
      if (calls.incrementAndGet() <= 2) {
        call.refuse("partition_overloaded");
      } else {
        call.ack();
      }
      return true;
    });
    try (BatchingPublisher publisher = new BatchingPublisher(transport, QUICK_RETRIES)) {
      CompletableFuture<Position> a = publisher.send("t", event("1"));
      CompletableFuture<Position> b = publisher.send("t", event("2"));
      publisher.flush();

      assertEquals("c-1", a.get(5, TimeUnit.SECONDS).cursor());
      assertEquals("c-2", b.get(5, TimeUnit.SECONDS).cursor());
      assertEquals(List.of(List.of("1", "2"), List.of("1", "2"), List.of("1", "2")),
          transport.all.stream().map(FakeTransport.Call::ids).toList(), "the same batch, the same ids, three times");
      assertEquals(2, publisher.retriedBatches());
      assertEquals(4, publisher.retriedEvents());
    }
  }

  @Test
  void everyRefusalTheReadmeCallsPassingIsRetriedAndOthersAreNot() throws Exception {
    for (String code : List.of("partition_overloaded", "publish_timeout", "storage_unavailable", "timeout",
        "publish_rate_limited", "not_ready", "forbidden", "topic_not_found")) {
      AtomicLong calls = new AtomicLong();
      FakeTransport transport = new FakeTransport(call -> {
        if (calls.incrementAndGet() == 1) {
          call.refuse(code);
        } else {
          call.ack();
        }
        return true;
      });
      try (BatchingPublisher publisher = new BatchingPublisher(transport, QUICK_RETRIES)) {
        CompletableFuture<Position> ack = publisher.send("t", event("1"));
        publisher.flush();
        boolean retriable = BatchingPublisher.RETRIABLE.contains(code);
        assertEquals(retriable ? "none" : code, failureCode(ack), code);
        assertEquals(retriable ? 2 : 1, transport.all.size(), code);
      }
    }
  }

  @Test
  void aBatchStillRefusedAtItsDeliveryTimeoutFailsWithTheLastRefusal() throws Exception {
    FakeTransport transport = new FakeTransport(call -> {
      call.refuse("partition_overloaded");
      return true;
    });
    BatchSettings settings = QUICK_RETRIES.withDeliveryTimeout(Duration.ofMillis(300));
    try (BatchingPublisher publisher = new BatchingPublisher(transport, settings)) {
      CompletableFuture<Position> ack = publisher.send("t", event("1"));
      publisher.flush();
      assertEquals("partition_overloaded", failureCode(ack));
      // Pauses of 10, 20, 40, 40, ... ms (each at least 0.8 of that) fit at most 10 retries in 300 ms.
      assertTrue(transport.all.size() >= 2 && transport.all.size() <= 11, transport.all.size() + " publishes");
    }
  }

  @Test
  void withNoDeliveryTimeoutARefusedBatchIsNotSentAgain() {
    FakeTransport transport = new FakeTransport(call -> {
      call.refuse("partition_overloaded");
      return true;
    });
    try (BatchingPublisher publisher = new BatchingPublisher(transport, QUICK_RETRIES.withDeliveryTimeout(Duration.ZERO))) {
      CompletableFuture<Position> ack = publisher.send("t", event("1"));
      publisher.flush();
      assertEquals("partition_overloaded", failureCode(ack));
      assertEquals(1, transport.all.size());
    }
  }

  @Test
  void whileABatchWaitsToBeSentAgainNewBatchesOfItsTopicWaitBehindIt() throws Exception {
    FakeTransport transport = new FakeTransport();
    BatchSettings settings = NO_LINGER_WAIT.withMaxEvents(1).withMaxInFlight(4)
        .withRetryBackoff(Duration.ofMillis(200), Duration.ofMillis(200));
    // The pause runs on the publisher's clock, so the retry cannot overtake the sends below on a slow machine.
    AtomicLong now = new AtomicLong();
    try (BatchingPublisher publisher = new BatchingPublisher(transport, settings, now::get, () -> 0.5)) {
      CompletableFuture<Position> first = publisher.send("t", event("1"));
      transport.next().refuse("partition_overloaded");
      CompletableFuture<Position> second = publisher.send("t", event("2"));
      CompletableFuture<Position> elsewhere = publisher.send("u", event("3"));

      FakeTransport.Call otherTopic = transport.next();
      assertEquals(List.of("3"), otherTopic.ids(), "another topic does not wait");
      otherTopic.ack();
      now.addAndGet(Duration.ofSeconds(1).toNanos());
      FakeTransport.Call retry = transport.next();
      assertEquals(List.of("1"), retry.ids(), "the retry goes before the batch sent after it");
      assertEquals(null, transport.unanswered.poll(100, TimeUnit.MILLISECONDS), "and the next waits for its answer");
      retry.ack();
      FakeTransport.Call next = transport.next();
      assertEquals(List.of("2"), next.ids());
      next.ack();
      assertEquals(1, first.get(5, TimeUnit.SECONDS).offset());
      assertEquals(2, second.get(5, TimeUnit.SECONDS).offset());
      assertEquals(3, elsewhere.get(5, TimeUnit.SECONDS).offset());
    }
  }

  @Test
  void aTopicsRetriesGoInTheOrderItsBatchesWereFirstSent() throws Exception {
    FakeTransport transport = new FakeTransport();
    double[] draws = {0.99, 0.0};
    AtomicLong draw = new AtomicLong();
    BatchSettings settings = NO_LINGER_WAIT.withMaxEvents(1).withMaxInFlight(2)
        .withRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(50));
    try (BatchingPublisher publisher = new BatchingPublisher(transport, settings, System::nanoTime,
        () -> draws[(int) (draw.getAndIncrement() % 2)])) {
      publisher.send("t", event("1"));
      publisher.send("t", event("2"));
      FakeTransport.Call one = transport.next();
      FakeTransport.Call two = transport.next();
      one.refuse("partition_overloaded");
      two.refuse("partition_overloaded");

      FakeTransport.Call firstRetry = transport.next();
      assertEquals(List.of("1"), firstRetry.ids(), "the second batch's shorter pause does not put it first");
      FakeTransport.Call secondRetry = transport.next();
      assertEquals(List.of("2"), secondRetry.ids());
      firstRetry.ack();
      secondRetry.ack();
    }
  }

  @Test
  void overAReconnectingTransportTheBatchALostConnectionTookIsSentAgainOnTheNextOne() throws Exception {
    try (FakeFrameServer first = FakeFrameServer.authenticating(); FakeFrameServer second = FakeFrameServer.acking()) {
      java.util.Iterator<Integer> ports = List.of(first.port(), second.port()).iterator();
      try (BatchingPublisher publisher = new BatchingPublisher(
          new ReconnectingPublisher(() -> TcpPublisher.connect("127.0.0.1", ports.next(), "k")),
          QUICK_RETRIES.withMaxEvents(2))) {
        first.next();
        CompletableFuture<Position> a = publisher.send("t", event("1"));
        CompletableFuture<Position> b = publisher.send("t", event("2"));
        assertEquals(2, first.next().getPublish().getEventsCount());
        first.disconnect();

        assertEquals(0, a.get(5, TimeUnit.SECONDS).offset());
        assertEquals(0, b.get(5, TimeUnit.SECONDS).offset());
        second.next();
        assertEquals(List.of("1", "2"), second.next().getPublish().getEventsList().stream().map(CloudEvent::getId).toList());
        assertEquals(1, publisher.retriedBatches());
      }
    }
  }
}
