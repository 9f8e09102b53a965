package io.tollgate.broker.analytics;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The width of a bucket. Minutes are kept; hours and days are derived from them when asked for,
 * in UTC, so a day is always 1440 minutes and buckets of every resolution nest.
 */
public enum Resolution {
  MINUTE(Duration.ofMinutes(1)), HOUR(Duration.ofHours(1)), DAY(Duration.ofDays(1));

  private final long millis;

  Resolution(Duration width) {
    this.millis = width.toMillis();
  }

  public long millis() {
    return millis;
  }

  /** The start of the bucket that holds {@code atMillis}. */
  public long bucketOf(long atMillis) {
    return Math.floorDiv(atMillis, millis) * millis;
  }

  /** How many buckets {@code [fromMillis, toMillis)} touches. */
  public long bucketsBetween(long fromMillis, long toMillis) {
    return toMillis <= fromMillis ? 0 : (bucketOf(toMillis - 1) - bucketOf(fromMillis)) / millis + 1;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Resolution> fromWire(String name) {
    return Arrays.stream(values()).filter(r -> r.wireName().equals(name)).findFirst();
  }
}
