package io.tollgate.broker.subscription;

import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The events a session delivered and the consumer has not yet acknowledged, per partition in
 * delivery order, each with the bytes it is billed for ({@link Delivery#billedBytes}). An ack covers
 * its event and every earlier one of the same partition, and frees that many places in the
 * session's window.
 */
public final class DeliveryTracker {
  public enum AckOutcome { ACCEPTED, ALREADY_ACKED, UNKNOWN }

  /**
   * What an ack did. When ACCEPTED: {@code point} is the acknowledged event's ack point, and
   * {@code delivered} how many delivered events it covered that no earlier ack did, of {@code bytes}.
   */
  public record Ack(AckOutcome outcome, AckPoint point, int delivered, long bytes) {}

  /** A delivered event waiting for its ack, and the bytes it is billed for. */
  private record Unacked(AckPoint point, long bytes) {}

  private final Map<PartitionRef, ArrayDeque<Unacked>> unacked = new HashMap<>();
  private final Map<PartitionRef, Cursor> lastAcked = new HashMap<>();
  private IntConsumer onReleased = released -> { };
  private int pendingRelease;

  public synchronized void onReleased(IntConsumer listener) {
    this.onReleased = listener;
    if (pendingRelease > 0) {
      listener.accept(pendingRelease);
      pendingRelease = 0;
    }
  }

  public synchronized void delivered(Delivery delivery) {
    unacked.computeIfAbsent(delivery.cursor().partitionRef(), partition -> new ArrayDeque<>())
        .addLast(new Unacked(new AckPoint(delivery.cursor(), delivery.offset()), delivery.billedBytes()));
  }

  public synchronized int unackedCount() {
    return unacked.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  public Ack ack(Cursor cursor) {
    int released = 0;
    long bytes = 0;
    AckPoint acked = null;
    IntConsumer listener;
    synchronized (this) {
      ArrayDeque<Unacked> pending = unacked.get(cursor.partitionRef());
      boolean delivered = pending != null && pending.stream().anyMatch(waiting -> waiting.point().cursor().equals(cursor));
      if (!delivered) {
        Cursor last = lastAcked.get(cursor.partitionRef());
        return new Ack(last != null && !cursor.isAfter(last) ? AckOutcome.ALREADY_ACKED : AckOutcome.UNKNOWN, null, 0, 0);
      }
      while (!pending.isEmpty() && !pending.peekFirst().point().cursor().isAfter(cursor)) {
        Unacked taken = pending.removeFirst();
        acked = taken.point();
        bytes += taken.bytes();
        released++;
      }
      lastAcked.put(cursor.partitionRef(), cursor);
      listener = onReleased;
    }
    listener.accept(released);
    return new Ack(AckOutcome.ACCEPTED, acked, released, bytes);
  }
}
