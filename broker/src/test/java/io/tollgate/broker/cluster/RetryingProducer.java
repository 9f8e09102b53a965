package io.tollgate.broker.cluster;

import io.tollgate.broker.e2e.Events;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * A producer that publishes numbered batches of ten, one at a time, to a node's TCP port, and
 * retries a batch that was not acknowledged with the same ids (on another node once its own is
 * gone) until it is: the broker stores a retried event once.
 *
 * <p>It publishes at a steady pace, as a real producer does, not as fast as the cluster takes
 * it: on two cores an unpaced producer starves a node that is starting (the JIT, the catalog
 * replay and the cluster join compete with two loaded brokers and Cassandra), and the tests
 * would measure that starvation instead of the failover.
 */
final class RetryingProducer implements AutoCloseable {
  private final String source;
  private final String topic;
  private final String key;
  private final IntSupplier tcpPort;
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  /** 400 events/s unless told otherwise. */
  private static final Duration BATCH_INTERVAL = Duration.ofMillis(25);
  private final long batchIntervalNanos;

  private final Thread thread;
  private volatile boolean stopping;

  /** {@code tcpPort} names the node to (re)connect to; it may change as nodes come and go. */
  RetryingProducer(String source, String topic, String key, IntSupplier tcpPort) {
    this(source, topic, key, tcpPort, BATCH_INTERVAL);
  }

  /** As above, a batch of ten every {@code batchInterval}. */
  RetryingProducer(String source, String topic, String key, IntSupplier tcpPort, Duration batchInterval) {
    this.batchIntervalNanos = batchInterval.toNanos();
    this.source = source;
    this.topic = topic;
    this.key = key;
    this.tcpPort = tcpPort;
    this.thread = new Thread(this::run, "producer" + source);
    thread.start();
  }

  private void run() {
    int next = 0;
    TcpPublisher publisher = null;
    long due = System.nanoTime();
    while (!stopping) {
      due = Math.max(due + batchIntervalNanos, System.nanoTime() - batchIntervalNanos);
      LockSupport.parkNanos(due - System.nanoTime());
      List<CloudEvent> batch = Events.numbered(source, next, 10);
      try {
        if (publisher == null) {
          publisher = TcpPublisher.connect("127.0.0.1", tcpPort.getAsInt(), key, 16);
        }
        publisher.publish(topic, batch).get(30, TimeUnit.SECONDS);
        batch.forEach(event -> acked.add(event.getSource() + "/" + event.getId()));
        next += 10;
      } catch (TollgateException | ExecutionException | TimeoutException failed) {
        failures.add(failed.toString());
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

  /** The events the broker acknowledged, each as "source/id". */
  Set<String> acked() {
    return acked;
  }

  List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(60_000);
  }
}
