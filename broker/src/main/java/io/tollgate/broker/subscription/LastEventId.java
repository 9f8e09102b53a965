package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import java.util.Optional;

/**
 * The cursor an event-stream consumer says it received last, its {@code Last-Event-ID}, when it
 * reconnects. The events of that cursor's partition up to it were delivered on an earlier
 * connection, so the new one does not send them again: it acknowledges them all when it reaches
 * that cursor, and goes on after it. A cursor that names no event (one between two events)
 * acknowledges the events before it when the first one after it arrives, so nothing held back
 * stays unacknowledged. Other partitions' events are sent as usual, from where the subscription
 * stands. One per session: it remembers what it held back.
 */
public final class LastEventId {
  /** What to do with one delivery: send it or hold it back, and which cursor to acknowledge now, if any. */
  public record Step(boolean send, Optional<Cursor> ack) {
    static final Step SEND = new Step(true, Optional.empty());
    static final Step HOLD = new Step(false, Optional.empty());
  }

  private final Optional<Cursor> cursor;
  private Cursor lastHeld;
  private boolean passed;

  private LastEventId(Optional<Cursor> cursor) {
    this.cursor = cursor;
  }

  public static LastEventId none() {
    return new LastEventId(Optional.empty());
  }

  public static LastEventId of(Cursor cursor) {
    return new LastEventId(Optional.of(cursor));
  }

  public Optional<Cursor> cursor() {
    return cursor;
  }

  public Step onDelivery(Cursor delivered) {
    if (passed || cursor.isEmpty() || !delivered.partitionRef().equals(cursor.get().partitionRef())) {
      return Step.SEND;
    }
    if (delivered.equals(cursor.get())) {
      passed = true;
      return new Step(false, Optional.of(delivered));
    }
    if (!delivered.isAfter(cursor.get())) {
      lastHeld = delivered;
      return Step.HOLD;
    }
    passed = true;
    return new Step(true, Optional.ofNullable(lastHeld));
  }
}
