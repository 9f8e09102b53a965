package io.tollgate.broker.subscription;

import io.tollgate.broker.topic.Cursor;
import io.tollgate.broker.topic.PartitionRef;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The events a session delivered and the consumer has not yet acknowledged, per partition in
 * delivery order. An ack covers its event and every earlier one of the same partition, and
 * frees that many places in the session's window.
 */
public final class DeliveryTracker {
  public enum AckOutcome { ACCEPTED, ALREADY_ACKED, UNKNOWN }

  private final Map<PartitionRef, ArrayDeque<Cursor>> unacked = new HashMap<>();
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

  public synchronized void delivered(Cursor cursor) {
    unacked.computeIfAbsent(cursor.partitionRef(), partition -> new ArrayDeque<>()).addLast(cursor);
  }

  public synchronized int unackedCount() {
    return unacked.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  public AckOutcome ack(Cursor cursor) {
    int released;
    IntConsumer listener;
    synchronized (this) {
      ArrayDeque<Cursor> pending = unacked.get(cursor.partitionRef());
      Cursor acked = lastAcked.get(cursor.partitionRef());
      boolean delivered = pending != null && pending.stream().anyMatch(cursor::equals);
      if (!delivered) {
        return acked != null && !cursor.isAfter(acked) ? AckOutcome.ALREADY_ACKED : AckOutcome.UNKNOWN;
      }
      released = 0;
      while (!pending.isEmpty() && !pending.peekFirst().isAfter(cursor)) {
        pending.removeFirst();
        released++;
      }
      lastAcked.put(cursor.partitionRef(), cursor);
      listener = onReleased;
    }
    listener.accept(released);
    return AckOutcome.ACCEPTED;
  }
}
