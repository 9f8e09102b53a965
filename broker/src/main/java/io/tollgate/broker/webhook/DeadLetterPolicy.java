package io.tollgate.broker.webhook;

import io.tollgate.broker.catalog.Catalog;
import java.time.Duration;
import java.time.Instant;

/**
 * When a webhook batch that keeps failing is given up on: its events go to the subscription's
 * dead-letter store and its lane goes on with the next events. Off, a failing batch holds its
 * lane back until it succeeds or the endpoint is disabled, as order per partition then never
 * breaks; on, the batch is given up once it has failed for {@code after} since its first try, or
 * {@code afterAttempts} times (0: no count), whichever comes first. The node's policy
 * ({@code tollgate.webhooks.dead-letters}) applies to every webhook subscription but for the
 * fields a subscription sets itself ({@link #chosen}).
 */
public record DeadLetterPolicy(boolean enabled, Duration after, int afterAttempts) {
  /** The most tries a policy may count, the node's and a subscription's alike. */
  public static final int MAX_AFTER_ATTEMPTS = 1_000_000;
  /** The longest a policy may wait, the node's and a subscription's alike: ten years, far past any disable-after. */
  public static final Duration MAX_AFTER = Duration.ofDays(3650);
  /** Declared after the bounds, which its construction checks against. */
  public static final DeadLetterPolicy HOLD = new DeadLetterPolicy(false, Duration.ofDays(1), 0);

  public DeadLetterPolicy {
    if (after.isNegative() || after.isZero() || after.compareTo(MAX_AFTER) > 0) {
      throw new IllegalArgumentException("a batch is given up after a positive time of at most " + MAX_AFTER);
    }
    if (afterAttempts < 0 || afterAttempts > MAX_AFTER_ATTEMPTS) {
      throw new IllegalArgumentException("a batch is given up after zero (no count) to " + MAX_AFTER_ATTEMPTS
          + " attempts");
    }
  }

  /** The policy of a subscription: each field it set itself, the node's {@code node} for the others. */
  public static DeadLetterPolicy chosen(Catalog.DeadLetterChoice own, DeadLetterPolicy node) {
    return new DeadLetterPolicy(own.enabled().orElse(node.enabled()), own.after().orElse(node.after()),
        own.afterAttempts().orElse(node.afterAttempts()));
  }

  /** Whether a batch first tried at {@code firstTryAt}, that has now failed {@code failedTries} times, is given up. */
  public boolean givesUp(Instant firstTryAt, int failedTries, Instant now) {
    if (!enabled) {
      return false;
    }
    return !now.isBefore(firstTryAt.plus(after)) || (afterAttempts > 0 && failedTries >= afterAttempts);
  }
}
