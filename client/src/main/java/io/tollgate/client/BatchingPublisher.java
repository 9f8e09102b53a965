package io.tollgate.client;

import io.tollgate.client.BatchAccumulator.Batch;
import io.tollgate.client.BatchAccumulator.Pending;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Publishes events one at a time as Kafka's producer does: {@link #send} returns at once with a
 * future for that event's ack, and a sender thread gathers the events into batches (per topic,
 * by {@link BatchSettings}) that it publishes over the {@link Publisher} it owns, TCP or HTTP.
 * One publish per batch is what makes single sends fast: the broker's cost is per publish.
 *
 * <p>Each event's future completes with its own {@link Position}, or fails with its own error.
 * When the broker refuses a batch because of one event (malformed data, a schema violation, an
 * event too large: {@link #EVENT_REFUSALS}), the broker stored none of it, and the batch is
 * split in halves and sent again until the refused event is alone, so only its future fails; the
 * others are acked, after the batches that were already in flight.
 *
 * <p>A refusal that passes ({@link #RETRIABLE}: an overloaded partition, a write not confirmed in
 * time, a rate limit; a connection lost after it was made, {@code connection_closed}, when the
 * transport {@link Publisher#reconnects()}) is retried as Kafka's producer retries: the same
 * batch, with the same event ids, which the partition stores once however often it comes, after
 * a pause that doubles with each retry
 * ({@link BatchSettings#retryBackoff()}, with jitter), until {@link BatchSettings#deliveryTimeout()}
 * after its first send; then its events fail with the last refusal. While a batch of a topic
 * waits to be sent again or is on its way again, no new batch of that topic is sent, and a
 * topic's retries go in the order the batches were first sent. Any other refusal fails every
 * event of the batch at once.
 *
 * <p>Order: events sent to one topic from one thread go out in call order. With one batch in
 * flight ({@link BatchSettings#maxInFlight()} 1) the broker stores them in that order, retries
 * included, over TCP and HTTP. With several in flight, over TCP, they are stored in that order
 * unless a batch is refused and sent again: the batches already in flight behind it may be
 * stored before it (Kafka's idempotent producer prevents that with sequence numbers the broker
 * checks; Tollgate's publish carries none), and over HTTP batches in flight together may be
 * stored in any order (as with {@link HttpPublisher}). Each event is stored once either way,
 * within the partition's deduplication window, and a batch split after a refusal is sent again
 * after the batches already in flight.
 *
 * <p>Events awaiting their ack hold at most {@link BatchSettings#bufferBytes()}, retries
 * included; a send that finds no room waits up to {@link BatchSettings#maxBlock()}, which is how
 * a producer faster than the broker is slowed down, then fails with {@code buffer_full}. Futures
 * complete on the transport's thread: a callback on them should be quick and must not wait for
 * another send's ack. Thread-safe.
 */
public final class BatchingPublisher implements AutoCloseable {
  /** Broker codes that refuse a publish because of one of its events; everything else is about the whole publish. */
  public static final Set<String> EVENT_REFUSALS = Set.of("malformed_json", "duplicate_key", "trailing_json",
      "too_deep", "schema_violation", "schema_too_complex", "invalid_cloudevent", "event_too_large");

  /**
   * Broker codes that refuse a publish for a reason that passes, as the README's error table
   * says (retry with the same event ids); a batch so refused is sent again.
   */
  public static final Set<String> RETRIABLE = Set.of("partition_overloaded", "publish_timeout", "storage_unavailable",
      "timeout", "publish_rate_limited");

  /**
   * The client's code for a connection lost after it was made: retriable when the transport
   * reconnects. A broker that cannot be reached at all ({@code connection_failed}) fails the batch
   * at once, so that a wrong address shows at once rather than after the delivery timeout.
   */
  private static final String CONNECTION_LOST = TollgateException.CONNECTION_CLOSED;

  private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A batch on its way: its place in the order batches were first sent (halves of a split
   * share their parent's), how often it was sent again, and until when it may be.
   */
  private record Outgoing(Batch batch, long order, int retries, long deadlineNanos) {
    String topic() {
      return batch.topic();
    }
  }

  /** A refused batch waiting for its pause to end. */
  private record Retry(Outgoing outgoing, long dueNanos) {}

  private final Publisher transport;
  private final BatchSettings settings;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final BatchAccumulator accumulator;
  /** Halves of refused batches: they go before anything still waiting in the accumulator. */
  private final ArrayDeque<Outgoing> resends = new ArrayDeque<>();
  /** Batches refused for a reason that passes, by first-send order: each topic's first goes when due. */
  private final List<Retry> retries = new ArrayList<>();
  private final Set<Outgoing> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
  private final RetryBackoff backoff;
  private final DoubleSupplier random;
  private final LongAdder retriedBatches = new LongAdder();
  private final LongAdder retriedEvents = new LongAdder();
  /** Batches sent for the first time so far: the next one's place in {@link Outgoing#order}. */
  private long sent;
  private final Semaphore buffer;
  private final Semaphore inFlightPermits;
  private final Thread sender;
  private int flushes;
  private boolean closing;
  /** Set when the sender thread has ended: a refused batch can no longer be split or sent again. */
  private boolean senderStopped;

  /** Batches over {@code transport}, which this publisher owns and closes. */
  public BatchingPublisher(Publisher transport, BatchSettings settings) {
    this(transport, settings, System::nanoTime);
  }

  BatchingPublisher(Publisher transport, BatchSettings settings, LongSupplier nanoTime) {
    this(transport, settings, nanoTime, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code random}: the draws in [0, 1) that jitter the retry pauses. */
  BatchingPublisher(Publisher transport, BatchSettings settings, LongSupplier nanoTime, DoubleSupplier random) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nanoTime = nanoTime;
    this.random = random;
    this.backoff = new RetryBackoff(settings.retryBackoff(), settings.retryBackoffMax());
    this.accumulator = new BatchAccumulator(settings.maxEvents(), settings.maxBytes(), settings.linger().toNanos());
    this.buffer = new Semaphore((int) settings.bufferBytes(), true);
    this.inFlightPermits = new Semaphore(settings.maxInFlight());
    this.sender = new Thread(this::sendBatches, "tollgate-batch-sender");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  public BatchSettings settings() {
    return settings;
  }

  /** How many times a refused batch was sent again so far (see {@link #RETRIABLE}). */
  public long retriedBatches() {
    return retriedBatches.sum();
  }

  /** The events of those batches, counted once per retry. */
  public long retriedEvents() {
    return retriedEvents.sum();
  }

  /**
   * Queues one event for {@code topic}; the future completes with its position once the broker
   * has stored it durably, or fails with a {@link TollgateException}: the broker's refusal of
   * this event or of its batch, {@code buffer_full}, {@code event_too_large} (larger than the
   * whole buffer), {@code connection_closed}.
   */
  public CompletableFuture<Position> send(String topic, CloudEvent event) {
    Objects.requireNonNull(topic, "topic");
    int bytes = event.getSerializedSize();
    if (bytes > settings.bufferBytes()) {
      return CompletableFuture.failedFuture(new TollgateException(TollgateException.EVENT_TOO_LARGE, "event " + event.getId()
          + " is " + bytes + " bytes, more than the whole send buffer of " + settings.bufferBytes()));
    }
    if (isClosing()) {
      return CompletableFuture.failedFuture(closed());
    }
    try {
      if (!buffer.tryAcquire(bytes, settings.maxBlock().toNanos(), TimeUnit.NANOSECONDS)) {
        return CompletableFuture.failedFuture(new TollgateException(TollgateException.BUFFER_FULL, "no room for event "
            + event.getId() + " within " + settings.maxBlock().toMillis() + " ms: " + settings.bufferBytes()
            + " bytes of events await their ack"));
      }
    } catch (InterruptedException e) {
      return CompletableFuture.failedFuture(TollgateException.interrupted(e));
    }
    CompletableFuture<Position> ack = new CompletableFuture<>();
    lock.lock();
    try {
      if (closing) {
        buffer.release(bytes);
        return CompletableFuture.failedFuture(closed());
      }
      if (accumulator.add(topic, new Pending(event, bytes, ack), nanoTime.getAsLong())) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    return ack;
  }

  /**
   * Sends everything queued without waiting for linger, and waits until every event sent before
   * this call is acked or has failed (each future says which).
   */
  public void flush() {
    List<CompletableFuture<Position>> acks;
    lock.lock();
    try {
      flushes++;
      acks = unanswered();
      changed.signal();
    } finally {
      lock.unlock();
    }
    try {
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).get();
    } catch (InterruptedException e) {
      throw TollgateException.interrupted(e);
    } catch (ExecutionException e) {
      throw TollgateException.unwrap(e.getCause());
    } finally {
      lock.lock();
      try {
        flushes--;
      } finally {
        lock.unlock();
      }
    }
  }

  /** {@link #close(Duration)} with 30 s. */
  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Refuses new sends, sends what is queued and waits up to {@code timeout} for the acks, then
   * closes the transport; events still unanswered then fail with {@code connection_closed}.
   */
  public void close(Duration timeout) {
    lock.lock();
    try {
      closing = true;
      changed.signal();
    } finally {
      lock.unlock();
    }
    try {
      sender.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
    transport.close();
    try {
      sender.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean isClosing() {
    lock.lock();
    try {
      return closing;
    } finally {
      lock.unlock();
    }
  }

  private void sendBatches() {
    try {
      while (true) {
        Outgoing batch = nextBatch();
        if (batch == null) {
          return;
        }
        try {
          inFlightPermits.acquire();
        } catch (InterruptedException e) {
          answered(batch, null, closed());
          throw e;
        }
        transmit(batch);
      }
    } catch (InterruptedException e) {
      failEverythingQueued();
    }
  }

  /**
   * Waits for a batch to send: halves of a split batch first, then a retry that is due (the first
   * waiting of its topic, so that a topic's retries go in first-send order), then a new batch of
   * a topic with no retry waiting or on its way. Null once closing and nothing is left to send
   * or to answer.
   */
  private Outgoing nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        long now = nanoTime.getAsLong();
        Outgoing next = resends.poll();
        if (next == null) {
          next = dueRetry(now);
        }
        if (next == null) {
          Batch batch = accumulator.poll(now, flushes > 0 || closing, retryingTopics());
          if (batch != null) {
            next = new Outgoing(batch, sent++, 0, now + settings.deliveryTimeout().toNanos());
          }
        }
        if (next != null) {
          inFlight.add(next);
          return next;
        }
        if (closing && accumulator.isEmpty() && inFlight.isEmpty() && retries.isEmpty()) {
          return null;
        }
        OptionalLong deadline = earliest(accumulator.nextDeadline(retryingTopics()), nextRetryDue());
        if (deadline.isPresent()) {
          changed.awaitNanos(deadline.getAsLong() - now);
        } else {
          changed.await();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The first retry of its topic whose pause has ended, taken out; null when none is due. */
  private Outgoing dueRetry(long now) {
    Set<String> behindAnother = new HashSet<>();
    for (int i = 0; i < retries.size(); i++) {
      Retry retry = retries.get(i);
      if (behindAnother.add(retry.outgoing().topic()) && retry.dueNanos() - now <= 0) {
        retries.remove(i);
        return retry.outgoing();
      }
    }
    return null;
  }

  /** When the first waiting retry of a topic is due; empty when none waits. */
  private OptionalLong nextRetryDue() {
    Set<String> seen = new HashSet<>();
    OptionalLong due = OptionalLong.empty();
    for (Retry retry : retries) {
      if (seen.add(retry.outgoing().topic())) {
        due = earliest(due, OptionalLong.of(retry.dueNanos()));
      }
    }
    return due;
  }

  /** Topics with a batch waiting to be sent again or on its way again: their new batches wait. */
  private Set<String> retryingTopics() {
    Set<String> topics = new HashSet<>();
    for (Outgoing outgoing : inFlight) {
      if (outgoing.retries() > 0) {
        topics.add(outgoing.topic());
      }
    }
    retries.forEach(retry -> topics.add(retry.outgoing().topic()));
    return topics;
  }

  private static OptionalLong earliest(OptionalLong a, OptionalLong b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.getAsLong() - b.getAsLong() <= 0 ? a : b;
  }

  private void transmit(Outgoing batch) {
    CompletableFuture<PublishResult> reply;
    try {
      reply = transport.publish(batch.topic(), batch.batch().cloudEvents());
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((result, failure) -> {
      inFlightPermits.release();
      answered(batch, result, failure);
    });
  }

  private void answered(Outgoing outgoing, PublishResult result, Throwable failure) {
    Batch batch = outgoing.batch();
    List<Pending> events = batch.events();
    if (failure == null && result.positions().size() != events.size()) {
      failure = new TollgateException(TollgateException.PROTOCOL_ERROR, "the broker returned "
          + result.positions().size() + " positions for a publish of " + events.size() + " events");
    }
    TollgateException error = failure == null ? null : TollgateException.unwrap(failure);
    boolean split = error != null && events.size() > 1 && EVENT_REFUSALS.contains(error.code());
    boolean retry = error != null && !split && retriable(error);
    lock.lock();
    try {
      inFlight.remove(outgoing);
      split = split && !senderStopped;
      if (split) {
        List<Batch> halves = batch.halves();
        resends.addFirst(new Outgoing(halves.get(1), outgoing.order(), outgoing.retries(), outgoing.deadlineNanos()));
        resends.addFirst(new Outgoing(halves.get(0), outgoing.order(), outgoing.retries(), outgoing.deadlineNanos()));
      }
      retry = retry && !senderStopped && scheduleRetry(outgoing);
      changed.signal();
    } finally {
      lock.unlock();
    }
    if (split || retry) {
      return;
    }
    buffer.release((int) batch.bytes());
    for (int i = 0; i < events.size(); i++) {
      if (error == null) {
        events.get(i).ack().complete(result.positions().get(i));
      } else {
        events.get(i).ack().completeExceptionally(error);
      }
    }
  }

  private boolean retriable(TollgateException error) {
    return RETRIABLE.contains(error.code()) || (CONNECTION_LOST.equals(error.code()) && transport.reconnects());
  }

  /**
   * Puts a refused batch among the retries, after those first sent before it, due after its
   * pause; false when the pause would end past its delivery timeout (its events then fail).
   */
  private boolean scheduleRetry(Outgoing refused) {
    long now = nanoTime.getAsLong();
    long due = now + backoff.pauseNanos(refused.retries(), random.getAsDouble());
    if (due - refused.deadlineNanos() > 0) {
      return false;
    }
    Outgoing again = new Outgoing(refused.batch(), refused.order(), refused.retries() + 1, refused.deadlineNanos());
    int place = 0;
    while (place < retries.size() && retries.get(place).outgoing().order() <= again.order()) {
      place++;
    }
    retries.add(place, new Retry(again, due));
    retriedBatches.increment();
    retriedEvents.add(refused.batch().events().size());
    return true;
  }

  /** The futures of every event not yet answered: queued, waiting to be sent again, or in flight. */
  private List<CompletableFuture<Position>> unanswered() {
    List<CompletableFuture<Position>> acks = accumulator.acks();
    for (Outgoing outgoing : resends) {
      outgoing.batch().events().forEach(pending -> acks.add(pending.ack()));
    }
    for (Retry retry : retries) {
      retry.outgoing().batch().events().forEach(pending -> acks.add(pending.ack()));
    }
    for (Outgoing outgoing : inFlight) {
      outgoing.batch().events().forEach(pending -> acks.add(pending.ack()));
    }
    return acks;
  }

  /** After a close that timed out: what was never sent fails; the transport's close fails what is in flight. */
  private void failEverythingQueued() {
    List<Batch> unsent;
    lock.lock();
    try {
      senderStopped = true;
      unsent = new ArrayList<>();
      resends.forEach(outgoing -> unsent.add(outgoing.batch()));
      resends.clear();
      retries.forEach(retry -> unsent.add(retry.outgoing().batch()));
      retries.clear();
      unsent.addAll(accumulator.drain());
    } finally {
      lock.unlock();
    }
    TollgateException error = closed();
    for (Batch batch : unsent) {
      buffer.release((int) batch.bytes());
      batch.events().forEach(pending -> pending.ack().completeExceptionally(error));
    }
  }

  private static TollgateException closed() {
    return new TollgateException(TollgateException.CONNECTION_CLOSED, "the publisher is closed");
  }
}
