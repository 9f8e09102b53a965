package io.tollgate.client;

import io.tollgate.client.BatchAccumulator.Batch;
import io.tollgate.client.BatchAccumulator.Pending;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * others are acked, after the batches that were already in flight. Any other refusal, and a lost
 * connection, fails every event of the batches it concerns.
 *
 * <p>Events awaiting their ack hold at most {@link BatchSettings#bufferBytes()}; a send that finds
 * no room waits up to {@link BatchSettings#maxBlock()}, which is how a producer faster than the
 * broker is slowed down, then fails with {@code buffer_full}. Futures complete on the transport's
 * thread: a callback on them should be quick and must not wait for another send's ack.
 * Thread-safe. Events sent to one topic from one thread go out in call order; over TCP the
 * broker stores them in that order, over HTTP batches in flight together may be stored in any
 * order (as with {@link HttpPublisher}), and a batch split after a refusal is sent again after
 * the batches already in flight.
 */
public final class BatchingPublisher implements AutoCloseable {
  /** Broker codes that refuse a publish because of one of its events; everything else is about the whole publish. */
  public static final Set<String> EVENT_REFUSALS = Set.of("malformed_json", "duplicate_key", "trailing_json",
      "too_deep", "schema_violation", "schema_too_complex", "invalid_cloudevent", "event_too_large");

  private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final Publisher transport;
  private final BatchSettings settings;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final BatchAccumulator accumulator;
  /** Halves of refused batches: they go before anything still waiting in the accumulator. */
  private final ArrayDeque<Batch> resends = new ArrayDeque<>();
  private final Set<Batch> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Semaphore buffer;
  private final Semaphore inFlightPermits;
  private final Thread sender;
  private int flushes;
  private boolean closing;
  /** Set when the sender thread has ended: a refused batch can no longer be split and sent again. */
  private boolean senderStopped;

  /** Batches over {@code transport}, which this publisher owns and closes. */
  public BatchingPublisher(Publisher transport, BatchSettings settings) {
    this(transport, settings, System::nanoTime);
  }

  BatchingPublisher(Publisher transport, BatchSettings settings, LongSupplier nanoTime) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nanoTime = nanoTime;
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
        Batch batch = nextBatch();
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

  /** Waits for a batch to send; null once closing and nothing is left to send or to answer. */
  private Batch nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        Batch batch = resends.poll();
        if (batch == null) {
          batch = accumulator.poll(nanoTime.getAsLong(), flushes > 0 || closing);
        }
        if (batch != null) {
          inFlight.add(batch);
          return batch;
        }
        if (closing && accumulator.isEmpty() && inFlight.isEmpty()) {
          return null;
        }
        OptionalLong deadline = accumulator.nextDeadline();
        if (deadline.isPresent()) {
          changed.awaitNanos(deadline.getAsLong() - nanoTime.getAsLong());
        } else {
          changed.await();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void transmit(Batch batch) {
    CompletableFuture<PublishResult> reply;
    try {
      reply = transport.publish(batch.topic(), batch.cloudEvents());
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((result, failure) -> {
      inFlightPermits.release();
      answered(batch, result, failure);
    });
  }

  private void answered(Batch batch, PublishResult result, Throwable failure) {
    List<Pending> events = batch.events();
    if (failure == null && result.positions().size() != events.size()) {
      failure = new TollgateException(TollgateException.PROTOCOL_ERROR, "the broker returned "
          + result.positions().size() + " positions for a publish of " + events.size() + " events");
    }
    TollgateException error = failure == null ? null : TollgateException.unwrap(failure);
    boolean split = error != null && events.size() > 1 && EVENT_REFUSALS.contains(error.code());
    lock.lock();
    try {
      inFlight.remove(batch);
      split = split && !senderStopped;
      if (split) {
        List<Batch> halves = batch.halves();
        resends.addFirst(halves.get(1));
        resends.addFirst(halves.get(0));
      }
      changed.signal();
    } finally {
      lock.unlock();
    }
    if (split) {
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

  /** The futures of every event not yet answered: queued, waiting to be sent again, or in flight. */
  private List<CompletableFuture<Position>> unanswered() {
    List<CompletableFuture<Position>> acks = accumulator.acks();
    for (Batch batch : resends) {
      batch.events().forEach(pending -> acks.add(pending.ack()));
    }
    for (Batch batch : inFlight) {
      batch.events().forEach(pending -> acks.add(pending.ack()));
    }
    return acks;
  }

  /** After a close that timed out: what was never sent fails; the transport's close fails what is in flight. */
  private void failEverythingQueued() {
    List<Batch> unsent;
    lock.lock();
    try {
      senderStopped = true;
      unsent = new ArrayList<>(resends);
      resends.clear();
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
