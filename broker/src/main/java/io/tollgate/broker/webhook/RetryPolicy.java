package io.tollgate.broker.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed request is tried again: exponential backoff from {@code first}, doubling per
 * failed try up to {@code max}, less a random part of up to {@code jitter} of it so that many
 * endpoints failing together do not retry together; an answer's {@code Retry-After} (seconds, or
 * an HTTP date) is honoured when it asks for longer, up to {@code max}. An endpoint that has
 * failed without a success for {@code disableAfter} is disabled.
 */
public record RetryPolicy(Duration first, Duration max, double jitter, Duration disableAfter) {
  public RetryPolicy {
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter is a fraction from 0 to 1");
    }
  }

  /** The wait before try {@code failedTries + 1}; {@code random} gives a number in [0, 1). */
  public Duration delay(int failedTries, Optional<Duration> retryAfter, DoubleSupplier random) {
    long firstMillis = first.toMillis();
    int doublings = Math.min(Math.max(0, failedTries - 1), 30);
    long backoff = Math.min(max.toMillis(), saturatedShift(firstMillis, doublings));
    long jittered = backoff - (long) (backoff * jitter * random.getAsDouble());
    long asked = retryAfter.map(Duration::toMillis).map(millis -> Math.min(millis, max.toMillis())).orElse(0L);
    return Duration.ofMillis(Math.max(jittered, asked));
  }

  /** Whether an endpoint failing since {@code failingSince} is to be disabled at {@code now}. */
  public boolean failedForTooLong(Instant failingSince, Instant now) {
    return !now.isBefore(failingSince.plus(disableAfter));
  }

  /** A {@code Retry-After} value as a wait from {@code now}: delay-seconds or an HTTP date; empty when it is neither. */
  public static Optional<Duration> retryAfter(String value, Instant now) {
    String trimmed = value.trim();
    if (trimmed.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
    }
    try {
      Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static long saturatedShift(long value, int doublings) {
    long result = value;
    for (int i = 0; i < doublings && result < Long.MAX_VALUE / 2; i++) {
      result *= 2;
    }
    return result;
  }
}
