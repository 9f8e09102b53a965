package io.tollgate.broker.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing: after {@code allowed} failed authentications from one source within
 * {@code window}, that source is refused for a delay that doubles with every further failure
 * (up to {@code maxDelay}). Failures are forgotten only as time passes, never by a success: a
 * guesser who also holds one good key (its own) could otherwise wipe its record after every few
 * guesses. Sources are remote addresses. The map is bounded by forgetting sources whose window
 * has passed.
 */
public final class AuthThrottle {
  public record Settings(int allowed, Duration window, Duration firstDelay, Duration maxDelay, int maxSources) {}

  private record Failures(int count, Instant firstAt, Instant blockedUntil) {}

  private final Settings settings;
  private final Clock clock;
  private final Map<String, Failures> sources = new ConcurrentHashMap<>();
  private final Runnable onFailure;

  public AuthThrottle(Settings settings, Clock clock) {
    this(settings, clock, () -> { });
  }

  /** {@code onFailure}: told of every failed authentication, on any edge (analytics counts them). */
  public AuthThrottle(Settings settings, Clock clock, Runnable onFailure) {
    this.settings = settings;
    this.clock = clock;
    this.onFailure = onFailure;
  }

  /** How long {@code source} must still wait before it may try again; empty when it may now. */
  public Optional<Duration> blocked(String source) {
    Failures failures = sources.get(source);
    Instant now = clock.instant();
    if (failures == null || !now.isBefore(failures.blockedUntil())) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, failures.blockedUntil()));
  }

  public void failed(String source) {
    onFailure.run();
    Instant now = clock.instant();
    if (sources.size() >= settings.maxSources()) {
      sources.values().removeIf(failures -> now.isAfter(failures.firstAt().plus(settings.window()))
          && !now.isBefore(failures.blockedUntil()));
    }
    sources.compute(source, (key, previous) -> {
      Failures current = previous == null || now.isAfter(previous.firstAt().plus(settings.window()))
          && !now.isBefore(previous.blockedUntil())
          ? new Failures(0, now, now) : previous;
      int count = current.count() + 1;
      Instant blockedUntil = count <= settings.allowed() ? now : now.plus(delayAfter(count - settings.allowed()));
      return new Failures(count, current.firstAt(), blockedUntil);
    });
  }

  private Duration delayAfter(int excess) {
    Duration delay = settings.firstDelay().multipliedBy(1L << Math.min(excess - 1, 20));
    return delay.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : delay;
  }
}
