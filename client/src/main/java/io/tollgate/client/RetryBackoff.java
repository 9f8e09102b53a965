package io.tollgate.client;

import java.time.Duration;

/**
 * How long a refused batch waits before it is sent again, as Kafka's producer computes it: the
 * first pause, doubled for each retry before, at most the longest pause, times a random factor
 * from 0.8 to 1.2 so that producers refused together do not come back together. Plain logic:
 * the random draw is passed in.
 */
final class RetryBackoff {
  /** How far a pause may be drawn from its nominal length, either way: Kafka's 20%. */
  static final double JITTER = 0.2;

  private final long firstNanos;
  private final long maxNanos;

  RetryBackoff(Duration first, Duration max) {
    this.firstNanos = first.toNanos();
    this.maxNanos = max.toNanos();
  }

  /**
   * The pause before retry number {@code retry + 1} (0: the first retry), given {@code random}
   * from [0, 1).
   */
  long pauseNanos(int retry, double random) {
    double nominal = Math.min((double) maxNanos, firstNanos * Math.pow(2, Math.min(retry, 62)));
    double factor = 1 - JITTER + 2 * JITTER * random;
    return (long) (nominal * factor);
  }
}
