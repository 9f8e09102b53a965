package io.tollgate.broker.analytics;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one key did in one bucket. Counts add; lag is the most a consumer was behind in the
 * bucket, so it takes the larger; latencies add as histograms; money adds per currency. Each of
 * these is associative and commutative, and {@link #EMPTY} changes nothing, so a day is the
 * same whether it is merged from its hours or from its minutes, in any order.
 */
public record Rollup(long publishedEvents, long publishedBytes, long deliveredEvents, long deliveredBytes,
                     long acknowledgedEvents, long filteredEvents, long redactedEvents, long quotaBlockedEvents,
                     long authFailures, long lagEvents, long lagSeconds, Latency latency,
                     SortedMap<String, BigDecimal> charges, SortedMap<String, BigDecimal> revenue) {
  /** Most rollups hold no money: they share this instead of two maps each. */
  private static final SortedMap<String, BigDecimal> NO_MONEY = Collections.emptySortedMap();
  public static final Rollup EMPTY = new Rollup(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Latency.NONE, NO_MONEY, NO_MONEY);

  public Rollup {
    charges = charges.isEmpty() ? NO_MONEY : Collections.unmodifiableSortedMap(new TreeMap<>(charges));
    revenue = revenue.isEmpty() ? NO_MONEY : Collections.unmodifiableSortedMap(new TreeMap<>(revenue));
  }

  public static Rollup published(long events, long bytes) {
    return EMPTY.with(b -> {
      b.publishedEvents = events;
      b.publishedBytes = bytes;
    });
  }

  public static Rollup acknowledged(long events) {
    return EMPTY.with(b -> b.acknowledgedEvents = events);
  }

  public static Rollup lag(long events, long seconds) {
    return EMPTY.with(b -> {
      b.lagEvents = events;
      b.lagSeconds = seconds;
    });
  }

  public static Rollup charge(String currency, BigDecimal amount) {
    return EMPTY.with(b -> b.charges.put(currency, amount));
  }

  public static Rollup revenue(String currency, BigDecimal amount) {
    return EMPTY.with(b -> b.revenue.put(currency, amount));
  }

  public static Rollup authFailures(long failures) {
    return EMPTY.with(b -> b.authFailures = failures);
  }

  public Rollup merge(Rollup other) {
    if (other == EMPTY) {
      return this;
    }
    if (this == EMPTY) {
      return other;
    }
    return new Rollup(publishedEvents + other.publishedEvents, publishedBytes + other.publishedBytes,
        deliveredEvents + other.deliveredEvents, deliveredBytes + other.deliveredBytes,
        acknowledgedEvents + other.acknowledgedEvents, filteredEvents + other.filteredEvents,
        redactedEvents + other.redactedEvents, quotaBlockedEvents + other.quotaBlockedEvents,
        authFailures + other.authFailures, Math.max(lagEvents, other.lagEvents), Math.max(lagSeconds, other.lagSeconds),
        latency.plus(other.latency), add(charges, other.charges), add(revenue, other.revenue));
  }

  /** All of them merged, decoding each latency histogram once. */
  public static Rollup mergeAll(Collection<Rollup> rollups) {
    Builder sum = new Builder(EMPTY);
    for (Rollup rollup : rollups) {
      sum.publishedEvents += rollup.publishedEvents;
      sum.publishedBytes += rollup.publishedBytes;
      sum.deliveredEvents += rollup.deliveredEvents;
      sum.deliveredBytes += rollup.deliveredBytes;
      sum.acknowledgedEvents += rollup.acknowledgedEvents;
      sum.filteredEvents += rollup.filteredEvents;
      sum.redactedEvents += rollup.redactedEvents;
      sum.quotaBlockedEvents += rollup.quotaBlockedEvents;
      sum.authFailures += rollup.authFailures;
      sum.lagEvents = Math.max(sum.lagEvents, rollup.lagEvents);
      sum.lagSeconds = Math.max(sum.lagSeconds, rollup.lagSeconds);
      rollup.charges.forEach((currency, amount) -> sum.charges.merge(currency, amount, BigDecimal::add));
      rollup.revenue.forEach((currency, amount) -> sum.revenue.merge(currency, amount, BigDecimal::add));
    }
    sum.latency = Latency.sum(rollups.stream().map(Rollup::latency).filter(l -> !l.isEmpty()).toList());
    return sum.build();
  }

  /** The same rollup without what only the consumer may see: its charges and its failed authentications. */
  public Rollup withoutConsumerPrivate() {
    return with(b -> {
      b.charges.clear();
      b.authFailures = 0;
    });
  }

  public boolean isEmpty() {
    return equals(EMPTY);
  }

  private static SortedMap<String, BigDecimal> add(SortedMap<String, BigDecimal> a, SortedMap<String, BigDecimal> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    TreeMap<String, BigDecimal> sum = new TreeMap<>(a);
    b.forEach((currency, amount) -> sum.merge(currency, amount, BigDecimal::add));
    return sum;
  }

  Rollup with(java.util.function.Consumer<Builder> change) {
    Builder builder = new Builder(this);
    change.accept(builder);
    return builder.build();
  }

  /** A rollup being changed or summed. */
  static final class Builder {
    long publishedEvents;
    long publishedBytes;
    long deliveredEvents;
    long deliveredBytes;
    long acknowledgedEvents;
    long filteredEvents;
    long redactedEvents;
    long quotaBlockedEvents;
    long authFailures;
    long lagEvents;
    long lagSeconds;
    Latency latency;
    final TreeMap<String, BigDecimal> charges;
    final TreeMap<String, BigDecimal> revenue;

    Builder(Rollup from) {
      publishedEvents = from.publishedEvents;
      publishedBytes = from.publishedBytes;
      deliveredEvents = from.deliveredEvents;
      deliveredBytes = from.deliveredBytes;
      acknowledgedEvents = from.acknowledgedEvents;
      filteredEvents = from.filteredEvents;
      redactedEvents = from.redactedEvents;
      quotaBlockedEvents = from.quotaBlockedEvents;
      authFailures = from.authFailures;
      lagEvents = from.lagEvents;
      lagSeconds = from.lagSeconds;
      latency = from.latency;
      charges = new TreeMap<>(from.charges);
      revenue = new TreeMap<>(from.revenue);
    }

    Rollup build() {
      return new Rollup(publishedEvents, publishedBytes, deliveredEvents, deliveredBytes, acknowledgedEvents,
          filteredEvents, redactedEvents, quotaBlockedEvents, authFailures, lagEvents, lagSeconds, latency, charges,
          revenue);
    }
  }
}
