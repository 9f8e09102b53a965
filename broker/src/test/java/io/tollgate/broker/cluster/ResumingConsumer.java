package io.tollgate.broker.cluster;

import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A consumer as an application would write one against a cluster: when its stream ends for
 * any reason it opens it again on the next running node, and the broker resumes it after the
 * last acknowledged event. It records every delivery with the connection it came on.
 */
final class ResumingConsumer implements AutoCloseable {
  record Received(int connection, String id, int partition, long offset) {}

  private final Supplier<List<URI>> nodes;
  private final Map<Integer, Long> receivedBefore;
  private final String key;
  private final String subscription;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private final List<Subscriber.Notice> notices = Collections.synchronizedList(new ArrayList<>());
  private final List<String> refusedConnections = Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, Long> firstDeliveryNanos = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor();
  private volatile boolean closing;
  private volatile Subscriber current;
  private volatile long lastDeliveryNanos;
  private int connection;
  private int nextNode;

  ResumingConsumer(Supplier<List<URI>> nodes, URI first, String key, String subscription) {
    this(nodes, first, key, subscription, Map.of());
  }

  /**
   * A consumer of a subscription that consumers before it read: {@code receivedBefore} is the
   * highest offset per partition they received ({@link #highestOffsets()}), so that its first
   * connection is checked to start no later than just after it.
   */
  ResumingConsumer(Supplier<List<URI>> nodes, URI first, String key, String subscription,
                   Map<Integer, Long> receivedBefore) {
    this.nodes = nodes;
    this.receivedBefore = Map.copyOf(receivedBefore);
    this.key = key;
    this.subscription = subscription;
    this.nextNode = Math.max(0, nodes.get().indexOf(first));
    reconnects.execute(this::connect);
  }

  private void connect() {
    if (closing) {
      return;
    }
    List<URI> running = nodes.get();
    URI node = running.get(nextNode++ % running.size());
    int number = ++connection;
    try {
      Subscriber subscriber = Subscriber.builder(node, key, subscription)
          .onDelivery(delivery -> {
            lastDeliveryNanos = System.nanoTime();
            firstDeliveryNanos.putIfAbsent(number, lastDeliveryNanos);
            String id = delivery.event().getSource() + "/" + delivery.event().getId();
            received.add(new Received(number, id, delivery.partition(), delivery.offset()));
            ids.add(id);
          })
          .onNotice(notices::add)
          .connect();
      current = subscriber;
      subscriber.closed().whenComplete((done, failure) -> reconnects.schedule(this::connect, 100, TimeUnit.MILLISECONDS));
    } catch (TollgateException refused) {
      refusedConnections.add(node + ": " + refused.getMessage());
      reconnects.schedule(this::connect, 200, TimeUnit.MILLISECONDS);
    }
  }

  /** What the consumer received, each event as "source/id". */
  Set<String> ids() {
    return ids;
  }

  int connections() {
    return connection;
  }

  /** When the first event arrived on a connection opened after connection {@code number}, if one has. */
  OptionalLong firstDeliveryAfterConnection(int number) {
    return firstDeliveryNanos.entrySet().stream().filter(entry -> entry.getKey() > number)
        .mapToLong(Map.Entry::getValue).min();
  }

  /** When the latest event arrived, on whichever connection ({@link System#nanoTime()}). */
  long lastDeliveryNanos() {
    return lastDeliveryNanos;
  }

  /** The first connection opened after connection {@code number} that delivered an event, if one has. */
  OptionalInt firstDeliveringConnectionAfter(int number) {
    return firstDeliveryNanos.keySet().stream().mapToInt(Integer::intValue).filter(connection -> connection > number).min();
  }

  List<Subscriber.Notice> notices() {
    synchronized (notices) {
      return List.copyOf(notices);
    }
  }

  List<String> refusedConnections() {
    synchronized (refusedConnections) {
      return List.copyOf(refusedConnections);
    }
  }

  /** The highest offset received in each partition, over all connections. */
  Map<Integer, Long> highestOffsets() {
    Map<Integer, Long> highest = new HashMap<>(receivedBefore);
    synchronized (received) {
      received.forEach(r -> highest.merge(r.partition(), r.offset(), Math::max));
    }
    return highest;
  }

  /**
   * Order per partition: on each connection a partition's offsets rise by exactly one, and a
   * new connection starts a partition no later than just after what came before (on this
   * consumer's connections and those of the consumers before it). Together:
   * nothing skipped, nothing out of order; repeats happen only across a reconnect.
   */
  List<String> orderViolations() {
    List<Received> all;
    synchronized (received) {
      all = List.copyOf(received);
    }
    List<String> violations = new ArrayList<>();
    Map<Integer, Long> highest = new HashMap<>(receivedBefore);
    Map<String, Long> lastOnConnection = new HashMap<>();
    for (Received r : all) {
      String connectionPartition = r.connection() + "/" + r.partition();
      Long last = lastOnConnection.get(connectionPartition);
      if (last == null) {
        long before = highest.getOrDefault(r.partition(), -1L);
        if (r.offset() > before + 1) {
          violations.add("connection " + r.connection() + " started partition " + r.partition() + " at offset "
              + r.offset() + " after " + before);
        }
      } else if (r.offset() != last + 1) {
        violations.add("connection " + r.connection() + " partition " + r.partition() + ": offset " + r.offset()
            + " after " + last);
      }
      lastOnConnection.put(connectionPartition, r.offset());
      highest.merge(r.partition(), r.offset(), Math::max);
    }
    return violations;
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    reconnects.shutdown();
    reconnects.awaitTermination(10, TimeUnit.SECONDS);
    if (current != null) {
      current.close();
    }
  }
}
