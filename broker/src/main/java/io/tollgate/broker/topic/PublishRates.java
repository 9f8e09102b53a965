package io.tollgate.broker.topic;

import io.tollgate.broker.error.Refusal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each account's publish rate on this node: events a second and bytes a second (the events'
 * Protobuf size), each a {@link TokenBucket} that holds {@code burst} of its rate. A publish
 * over either is refused whole with {@code publish_rate_limited} and the wait after which it
 * would pass, and takes nothing; so a tenant that floods is slowed before its events reach a
 * partition, where the pending limits are shared by everyone. Per node: a cluster of n nodes lets
 * an account publish up to n times the rate through n nodes.
 */
public final class PublishRates {
  /** The rates every account may publish at, and how many seconds of each a burst may use. */
  public record Settings(long eventsPerSecond, long bytesPerSecond, Duration burst) {}

  private record Buckets(TokenBucket events, TokenBucket bytes) {}

  private final Settings settings;
  private final Clock clock;
  private final Map<String, Buckets> accounts = new ConcurrentHashMap<>();

  public PublishRates(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** Takes {@code events} events of {@code bytes} bytes from {@code account}'s rate, or refuses them all. */
  public void take(String account, int events, long bytes) {
    Instant now = clock.instant();
    // compute holds the account's entry, so forgetFull cannot drop a bucket between its check and its take.
    accounts.compute(account, (a, existing) -> {
      Buckets buckets = existing != null ? existing
          : new Buckets(bucket(settings.eventsPerSecond(), now), bucket(settings.bytesPerSecond(), now));
      Duration wait = max(buckets.events().waitFor(events, now), buckets.bytes().waitFor(bytes, now));
      if (!wait.isZero()) {
        throw new Refusal("publish_rate_limited", "account " + account + " may publish " + settings.eventsPerSecond()
            + " events and " + settings.bytesPerSecond() + " bytes a second on this node; retry in "
            + wait.toMillis() + " ms", wait);
      }
      buckets.events().take(events);
      buckets.bytes().take(bytes);
      return buckets;
    });
  }

  /**
   * Forgets the accounts whose buckets have refilled, which a new pair would equal, so that
   * memory follows the accounts publishing now, not every account that ever published here.
   */
  public void forgetFull() {
    Instant now = clock.instant();
    for (String account : accounts.keySet()) {
      accounts.computeIfPresent(account, (a, buckets) ->
          buckets.events().fullAt(now) && buckets.bytes().fullAt(now) ? null : buckets);
    }
  }

  /** How many accounts' buckets are held. */
  int size() {
    return accounts.size();
  }

  private TokenBucket bucket(long perSecond, Instant now) {
    return new TokenBucket(perSecond, perSecond * (settings.burst().toNanos() / 1e9), now);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
