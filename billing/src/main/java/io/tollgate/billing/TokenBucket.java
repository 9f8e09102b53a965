package io.tollgate.billing;

import java.time.Duration;
import java.util.Objects;

/**
 * A token bucket for one {@link RateLimit}: it holds up to {@code burst} tokens, refills at
 * {@code eventsPerSecond}, and each delivered event takes a token. Immutable and clock-free: the
 * caller passes the time as monotonic nanoseconds (e.g. {@code System.nanoTime()}) and keeps the
 * returned bucket, so the same inputs always give the same answer.
 *
 * <p>Tokens are counted in fixed point, {@value #SCALE} parts per token, so that refilling at
 * {@code r} tokens per second adds exactly {@code r} parts per nanosecond: no rounding, and no
 * drift however the calls are spaced.
 */
public final class TokenBucket {
  private static final long SCALE = 1_000_000_000L;

  private final RateLimit limit;
  private final long parts;
  private final long updatedAt;

  private TokenBucket(RateLimit limit, long parts, long updatedAt) {
    this.limit = limit;
    this.parts = parts;
    this.updatedAt = updatedAt;
  }

  /** A bucket that is full at {@code nowNanos}: a new subscription may burst at once. */
  public static TokenBucket full(RateLimit limit, long nowNanos) {
    Objects.requireNonNull(limit, "limit");
    return new TokenBucket(limit, capacity(limit), nowNanos);
  }

  /** The outcome of {@link #tryTake}; carries the bucket to keep for the next call. */
  public sealed interface Take {
    TokenBucket bucket();

    /** {@code count} events may go now: between 1 and what was asked. */
    record Granted(long count, TokenBucket bucket) implements Take {}

    /** No event may go until {@code retryAfter} has passed, when the next token is whole. */
    record Denied(Duration retryAfter, TokenBucket bucket) implements Take {}
  }

  /**
   * Takes up to {@code n} tokens at {@code nowNanos}: as many as are there, so a batch is
   * delivered in part rather than held back whole.
   */
  public Take tryTake(long n, long nowNanos) {
    if (n <= 0) {
      throw new IllegalArgumentException("n must be positive: " + n);
    }
    TokenBucket refilled = refill(nowNanos);
    long granted = Math.min(n, refilled.parts / SCALE);
    if (granted == 0) {
      long waitNanos = ceilDiv(SCALE - refilled.parts, limit.eventsPerSecond());
      return new Take.Denied(Duration.ofNanos(waitNanos), refilled);
    }
    return new Take.Granted(
        granted, new TokenBucket(limit, refilled.parts - granted * SCALE, refilled.updatedAt));
  }

  /** Whole tokens available at {@code nowNanos}. */
  public long available(long nowNanos) {
    return refill(nowNanos).parts / SCALE;
  }

  private TokenBucket refill(long nowNanos) {
    // A difference, not a comparison, as System.nanoTime() requires; a clock that seems to go
    // back refills nothing and leaves the last time, so the same interval is never counted twice.
    long elapsed = nowNanos - updatedAt;
    if (elapsed <= 0) {
      return this;
    }
    long missing = capacity(limit) - parts;
    // Compare with the time to fill up rather than multiply first: elapsed × rate overflows
    // after some minutes at high rates; anything below the fill time is below the capacity.
    if (elapsed >= ceilDiv(missing, limit.eventsPerSecond())) {
      return new TokenBucket(limit, capacity(limit), nowNanos);
    }
    return new TokenBucket(limit, parts + elapsed * limit.eventsPerSecond(), nowNanos);
  }

  private static long capacity(RateLimit limit) {
    return limit.burst() * SCALE;
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }
}
