package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.v1.CloudEvent;

/**
 * One event on its way to a consumer, with the cursor the consumer acks it by, and when its
 * partition stored it ({@code appendedAtMillis}, 0 when not known), which publish-to-delivery
 * latency is measured from.
 */
public record Delivery(Cursor cursor, long offset, CloudEvent event, long appendedAtMillis) {
  public Delivery(Cursor cursor, long offset, CloudEvent event) {
    this(cursor, offset, event, 0);
  }

  /** The same delivery of the event as the consumer may see it (redacted); unchanged when it is the same. */
  Delivery withEvent(CloudEvent seen) {
    return seen == event ? this : new Delivery(cursor, offset, seen, appendedAtMillis);
  }
}
