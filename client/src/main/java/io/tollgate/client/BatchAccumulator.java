package io.tollgate.client;

import io.tollgate.protocols.v1.CloudEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where single sends wait to become batches: one open batch per topic, closed when it reaches
 * its event or byte limit, and ready to go when closed or when its linger has passed since its
 * first event. Plain logic with the time passed in, so that tests need no clock and no threads;
 * {@link BatchingPublisher} holds its lock around every call.
 */
final class BatchAccumulator {
  /** One event waiting for its ack, and the future that gets it. */
  record Pending(CloudEvent event, int bytes, CompletableFuture<Position> ack) {}

  /** Events for one publish, in the order they were sent. */
  record Batch(String topic, List<Pending> events) {
    Batch {
      events = List.copyOf(events);
    }

    List<CloudEvent> cloudEvents() {
      List<CloudEvent> cloudEvents = new ArrayList<>(events.size());
      for (Pending pending : events) {
        cloudEvents.add(pending.event());
      }
      return cloudEvents;
    }

    long bytes() {
      long bytes = 0;
      for (Pending pending : events) {
        bytes += pending.bytes();
      }
      return bytes;
    }

    /** The first and second half, for a batch the broker refused because of one of its events. */
    List<Batch> halves() {
      int middle = events.size() / 2;
      return List.of(new Batch(topic, events.subList(0, middle)), new Batch(topic, events.subList(middle, events.size())));
    }
  }

  private static final class Open {
    final String topic;
    final long openedAt;
    final List<Pending> events = new ArrayList<>();
    long bytes;

    Open(String topic, long openedAt) {
      this.topic = topic;
      this.openedAt = openedAt;
    }

    Batch close() {
      return new Batch(topic, events);
    }
  }

  private final int maxEvents;
  private final long maxBytes;
  private final long lingerNanos;
  /** Insertion order is opening order, so the first is the one whose linger ends first. */
  private final Map<String, Open> open = new LinkedHashMap<>();
  private final ArrayDeque<Batch> closed = new ArrayDeque<>();

  BatchAccumulator(int maxEvents, long maxBytes, long lingerNanos) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.lingerNanos = lingerNanos;
  }

  /**
   * Adds an event to its topic's open batch; an event that does not fit closes the batch and
   * starts the next. Returns true when this opened or closed a batch, which is when the sender's
   * next deadline changes.
   */
  boolean add(String topic, Pending event, long now) {
    boolean changed = false;
    Open batch = open.get(topic);
    if (batch != null && batch.bytes + event.bytes() > maxBytes) {
      closed.add(open.remove(topic).close());
      batch = null;
      changed = true;
    }
    if (batch == null) {
      batch = new Open(topic, now);
      open.put(topic, batch);
      changed = true;
    }
    batch.events.add(event);
    batch.bytes += event.bytes();
    if (batch.events.size() >= maxEvents || batch.bytes >= maxBytes) {
      closed.add(open.remove(topic).close());
      changed = true;
    }
    return changed;
  }

  /** {@link #poll(long, boolean, Set)} with no topic held back. */
  Batch poll(long now, boolean all) {
    return poll(now, all, Set.of());
  }

  /**
   * The next batch to send of a topic not in {@code held}: closed ones first, in the order they
   * closed, then the oldest open one once its linger has passed, or at once when {@code all} (a
   * flush or close is waiting). Null when none is ready.
   */
  Batch poll(long now, boolean all, Set<String> held) {
    Iterator<Batch> closedFirst = closed.iterator();
    while (closedFirst.hasNext()) {
      Batch next = closedFirst.next();
      if (!held.contains(next.topic())) {
        closedFirst.remove();
        return next;
      }
    }
    Iterator<Open> oldestFirst = open.values().iterator();
    while (oldestFirst.hasNext()) {
      Open batch = oldestFirst.next();
      if (held.contains(batch.topic)) {
        continue;
      }
      if (all || now - batch.openedAt >= lingerNanos) {
        oldestFirst.remove();
        return batch.close();
      }
      return null;
    }
    return null;
  }

  /** {@link #nextDeadline(Set)} with no topic held back. */
  OptionalLong nextDeadline() {
    return nextDeadline(Set.of());
  }

  /**
   * When the oldest open batch of a topic not in {@code held} becomes ready; empty when a batch
   * of such a topic is ready now or none is open.
   */
  OptionalLong nextDeadline(Set<String> held) {
    for (Batch batch : closed) {
      if (!held.contains(batch.topic())) {
        return OptionalLong.empty();
      }
    }
    for (Open batch : open.values()) {
      if (!held.contains(batch.topic)) {
        return OptionalLong.of(batch.openedAt + lingerNanos);
      }
    }
    return OptionalLong.empty();
  }

  boolean isEmpty() {
    return closed.isEmpty() && open.isEmpty();
  }

  /** The futures of every event held here, for a flush to wait on. */
  List<CompletableFuture<Position>> acks() {
    List<CompletableFuture<Position>> acks = new ArrayList<>();
    for (Batch batch : closed) {
      batch.events().forEach(pending -> acks.add(pending.ack()));
    }
    for (Open batch : open.values()) {
      batch.events.forEach(pending -> acks.add(pending.ack()));
    }
    return acks;
  }

  /** Takes out every batch, closed and open, for a close that cannot send them any more. */
  List<Batch> drain() {
    List<Batch> all = new ArrayList<>(closed);
    closed.clear();
    open.values().forEach(batch -> all.add(batch.close()));
    open.clear();
    return all;
  }
}
