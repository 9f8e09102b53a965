package io.tollgate.billing;

/**
 * At most {@code eventsPerSecond} on average, with bursts of up to {@code burst} events: a
 * token bucket's refill rate and capacity (the broker shapes delivery with Pekko's throttle).
 */
public record RateLimit(long eventsPerSecond, long burst) {
  /** Upper bound of both fields, far above what one subscription can be delivered. */
  public static final long MAX = 1_000_000_000L;

  /** @throws BillingException ({@code invalid_plan}) unless both are in [1, {@link #MAX}] */
  public RateLimit {
    requireInRange("rate_limit.events_per_second", eventsPerSecond);
    requireInRange("rate_limit.burst", burst);
  }

  private static void requireInRange(String field, long value) {
    if (value < 1 || value > MAX) {
      throw BillingException.invalidPlan(
          field + " must be between 1 and " + MAX + ": " + value);
    }
  }
}
