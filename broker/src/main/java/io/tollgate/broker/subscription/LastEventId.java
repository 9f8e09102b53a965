package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import java.util.Optional;

/**
 * The cursor an event-stream consumer says it received last, its {@code Last-Event-ID}, when it
 * reconnects. The events of that cursor's partition up to it were delivered on an earlier
 * connection, so the new one does not send them again: it acknowledges them all when it reaches
 * that cursor, and goes on after it. Other partitions' events are sent as usual, from where the
 * subscription stands.
 */
public record LastEventId(Optional<Cursor> cursor) {
  public static final LastEventId NONE = new LastEventId(Optional.empty());

  /** What a session does with a delivery: send it, hold it back as received, or hold it back and ack through it. */
  public enum Handling { SEND, RECEIVED, RECEIVED_LAST }

  public static LastEventId of(Cursor cursor) {
    return new LastEventId(Optional.of(cursor));
  }

  public Handling onDelivery(Cursor delivered) {
    if (cursor.isEmpty() || !delivered.partitionRef().equals(cursor.get().partitionRef())
        || delivered.isAfter(cursor.get())) {
      return Handling.SEND;
    }
    return delivered.equals(cursor.get()) ? Handling.RECEIVED_LAST : Handling.RECEIVED;
  }
}
