package io.tollgate.cli;

import io.tollgate.client.Position;
import io.tollgate.client.PublishResult;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer as an application writes one: it publishes numbered events ({@code e0}, {@code e1},
 * ...) over TCP in batches at a steady rate, one batch at a time, and retries a batch that was not
 * acknowledged with the same ids, reconnecting as often as it takes. An event counts as
 * acknowledged once the broker answered its publish with positions; those positions go to the
 * {@link DeliveryLedger.Positions} the readers check, so an event the broker placed in one
 * position and delivers from another shows. An event answered as a duplicate was stored by an
 * earlier attempt whose answer the crash took away: the deduplication window at work.
 *
 * <p>Steady, not as fast as the broker takes it: after a restart it does not catch up in a
 * burst, so the loop measures the restart, not a backlog.
 */
final class SteadyProducer implements AutoCloseable {
  static final int BATCH = 10;
  private static final long PUBLISH_TIMEOUT_SECONDS = 30;
  private final String source;
  private final String topic;
  private final String key;
  private final int tcpPort;
  private final long batchIntervalNanos;
  private final BitSet acked = new BitSet();
  private final DeliveryLedger.Positions positions;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  /** When each connection had its first publish acknowledged: after a restart, when publishing resumed. */
  private final ConcurrentLinkedQueue<Long> firstAckOfConnection = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean stopping;

  SteadyProducer(String source, String topic, String key, int tcpPort, double eventsPerSecond,
                 DeliveryLedger.Positions positions) {
    this.source = source;
    this.positions = positions;
    this.topic = topic;
    this.key = key;
    this.tcpPort = tcpPort;
    this.batchIntervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) * BATCH / eventsPerSecond);
    this.thread = new Thread(this::run, "crashloop-producer");
    thread.start();
  }

  private void run() {
    int next = 0;
    TcpPublisher publisher = null;
    boolean ackedOnConnection = false;
    long due = System.nanoTime();
    while (!stopping) {
      due = Math.max(due + batchIntervalNanos, System.nanoTime() - batchIntervalNanos);
      LockSupport.parkNanos(due - System.nanoTime());
      try {
        if (publisher == null) {
          publisher = TcpPublisher.connect("127.0.0.1", tcpPort, key, 1);
          ackedOnConnection = false;
        }
        PublishResult answer = publisher.publish(topic, batch(next)).get(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ackedOnConnection) {
          firstAckOfConnection.add(System.nanoTime());
          ackedOnConnection = true;
        }
        record(next, answer.positions());
        next += BATCH;
      } catch (TollgateException | ExecutionException | TimeoutException failed) {
        failures.incrementAndGet();
        if (publisher != null) {
          publisher.close();
          publisher = null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  private void record(int from, List<Position> answered) {
    for (int i = 0; i < answered.size(); i++) {
      Position position = answered.get(i);
      if (position.duplicate()) {
        duplicates.incrementAndGet();
      }
      String misplaced = positions.place(from + i, position.partition(), position.offset());
      if (misplaced != null && violations.size() < 20) {
        violations.add("producer's answer: " + misplaced);
      }
    }
    synchronized (acked) {
      acked.set(from, from + answered.size());
    }
  }

  private List<CloudEvent> batch(int from) {
    List<CloudEvent> events = new ArrayList<>(BATCH);
    for (int n = from; n < from + BATCH; n++) {
      events.add(CloudEvent.newBuilder().setSpecVersion("1.0").setSource(source).setId("e" + n)
          .setType("io.tollgate.crashloop").setJsonData("{\"n\":" + n + "}").build());
    }
    return events;
  }

  /** The numbers of the events acknowledged so far. */
  BitSet acked() {
    synchronized (acked) {
      return (BitSet) acked.clone();
    }
  }

  /** Events answered as duplicates so far: stored by an attempt whose answer was lost. */
  long duplicates() {
    return duplicates.get();
  }

  /** Answers whose position disagrees with where a reader found the event (at most 20). */
  List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  /** Publishes that failed (and were retried) so far. */
  long failures() {
    return failures.get();
  }

  /** When a connection first had a publish acknowledged after {@code nanos}, if one has. */
  OptionalLong firstAckAfter(long nanos) {
    return firstAckOfConnection.stream().mapToLong(Long::longValue).filter(at -> at - nanos > 0).findFirst();
  }

  /** Stops after the publish in flight is answered (or has failed). */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(TimeUnit.SECONDS.toMillis(PUBLISH_TIMEOUT_SECONDS + 15));
  }
}
