package io.tollgate.broker.webhook;

import java.time.Duration;
import java.time.Instant;

/**
 * When a webhook batch that keeps failing is given up on: its events go to the subscription's
 * dead-letter store and its lane goes on with the next events. Off, a failing batch holds its
 * lane back until it succeeds or the endpoint is disabled, as order per partition then never
 * breaks; on, the batch is given up once it has failed for {@code after} since its first try, or
 * {@code afterAttempts} times (0: no count), whichever comes first.
 */
public record DeadLetterPolicy(boolean enabled, Duration after, int afterAttempts) {
  public static final DeadLetterPolicy HOLD = new DeadLetterPolicy(false, Duration.ofDays(1), 0);

  public DeadLetterPolicy {
    if (after.isNegative() || after.isZero()) {
      throw new IllegalArgumentException("a batch is given up after a positive time");
    }
    if (afterAttempts < 0) {
      throw new IllegalArgumentException("a batch is given up after zero (no count) or more attempts");
    }
  }

  /** Whether a batch first tried at {@code firstTryAt}, that has now failed {@code failedTries} times, is given up. */
  public boolean givesUp(Instant firstTryAt, int failedTries, Instant now) {
    if (!enabled) {
      return false;
    }
    return !now.isBefore(firstTryAt.plus(after)) || (afterAttempts > 0 && failedTries >= afterAttempts);
  }
}
