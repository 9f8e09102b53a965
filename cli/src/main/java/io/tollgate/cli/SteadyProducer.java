package io.tollgate.cli;

import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.ArrayList;
import java.util.BitSet;
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
 * acknowledged once the broker answered its publish with positions.
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
  private final AtomicLong failures = new AtomicLong();
  /** When each connection had its first publish acknowledged: after a restart, when publishing resumed. */
  private final ConcurrentLinkedQueue<Long> firstAckOfConnection = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean stopping;

  SteadyProducer(String source, String topic, String key, int tcpPort, double eventsPerSecond) {
    this.source = source;
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
        publisher.publish(topic, batch(next)).get(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ackedOnConnection) {
          firstAckOfConnection.add(System.nanoTime());
          ackedOnConnection = true;
        }
        synchronized (acked) {
          acked.set(next, next + BATCH);
        }
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
