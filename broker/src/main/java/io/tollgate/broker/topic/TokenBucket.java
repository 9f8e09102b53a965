package io.tollgate.broker.topic;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most {@code capacity} (the
 * burst). A take of more than the whole capacity is let through from a full bucket and leaves
 * it in debt, so no single publish the other limits allow can be refused forever, while the
 * rate over time still holds. Not thread-safe: {@link PublishRates} guards it. Time is given,
 * not read, so tests drive it with any clock.
 */
final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double perSecond;
  private final double capacity;
  private double tokens;
  private Instant updated;

  TokenBucket(long perSecond, double capacity, Instant now) {
    this.perSecond = perSecond;
    this.capacity = capacity;
    this.tokens = capacity;
    this.updated = now;
  }

  /** How long until {@code amount} could be taken at {@code now}: zero when it can be now. */
  Duration waitFor(long amount, Instant now) {
    refill(now);
    double needed = Math.min(amount, capacity) - tokens;
    return needed <= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(needed * NANOS_PER_SECOND / perSecond));
  }

  /** Whether it holds its whole capacity at {@code now}: then it is as good as a new one. */
  boolean fullAt(Instant now) {
    refill(now);
    return tokens >= capacity;
  }

  /** Takes {@code amount}; call only once {@link #waitFor} says zero. */
  void take(long amount) {
    tokens -= amount;
  }

  private void refill(Instant now) {
    if (now.isAfter(updated)) {
      double refilled = Duration.between(updated, now).toNanos() * perSecond / NANOS_PER_SECOND;
      tokens = Math.min(capacity, tokens + refilled);
      updated = now;
    }
  }
}
