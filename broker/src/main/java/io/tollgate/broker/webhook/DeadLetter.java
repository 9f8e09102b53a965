package io.tollgate.broker.webhook;

import io.tollgate.broker.position.AckPoint;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Instant;

/**
 * An event whose webhook batch was given up ({@link DeadLetterPolicy}), as its subscription saw
 * it (filtered and redacted), with its cursor and offset. {@code number} is 0 until the store
 * numbers it; {@code queued}: a replay will send it.
 */
public record DeadLetter(long number, AckPoint point, CloudEvent event, Instant appendedAt, Instant deadAt,
                         String reason, boolean queued) {
  long bytes() {
    return event.getSerializedSize();
  }

  DeadLetter numbered(long assigned) {
    return new DeadLetter(assigned, point, event, appendedAt, deadAt, reason, queued);
  }

  DeadLetter queued(boolean now) {
    return new DeadLetter(number, point, event, appendedAt, deadAt, reason, now);
  }
}
