package io.tollgate.broker.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The rollup arithmetic: merging is associative and commutative, so an hour merged from its
 * minutes and a day merged from its hours equal the day aggregated directly from every fact.
 */
class RollupMergeTest {
  private static final long DAY = 86_400_000L;

  /** A fact at a time within two days. */
  record Fact(long atMillis, Rollup rollup) {}

  @Provide
  Arbitrary<Rollup> rollups() {
    Arbitrary<Long> count = Arbitraries.longs().between(0, 1_000_000);
    Arbitrary<Latency> latency = Arbitraries.longs().between(0, Latency.HIGHEST_MILLIS).list().ofMaxSize(5)
        .map(values -> Latency.of(values.stream().mapToLong(Long::longValue).toArray()));
    Arbitrary<BigDecimal> cents = Arbitraries.longs().between(0, 10_000_000).map(c -> BigDecimal.valueOf(c, 2));
    Arbitrary<Rollup> counts = Combinators.combine(count, count, count, count, count, count, count, count)
        .as((a, b, c, d, e, f, g, h) -> Rollup.EMPTY.with(r -> {
          r.publishedEvents = a;
          r.publishedBytes = b;
          r.deliveredEvents = c;
          r.deliveredBytes = d;
          r.acknowledgedEvents = e;
          r.filteredEvents = f;
          r.redactedEvents = g;
          r.quotaBlockedEvents = h;
        }));
    return Combinators.combine(counts, count, count, count, latency, cents, cents, Arbitraries.of("USD", "EUR"))
        .as((base, failures, lagEvents, lagSeconds, latencies, charge, revenue, currency) -> base.with(r -> {
          r.authFailures = failures;
          r.lagEvents = lagEvents;
          r.lagSeconds = lagSeconds;
          r.latency = latencies;
          r.charges.put(currency, charge);
          r.revenue.put(currency, revenue);
        }));
  }

  @Provide
  Arbitrary<List<Rollup>> lists() {
    return rollups().list().ofMaxSize(10);
  }

  @Provide
  Arbitrary<List<Fact>> facts() {
    return Combinators.combine(Arbitraries.longs().between(0, 2 * DAY - 1), rollups()).as(Fact::new)
        .list().ofMaxSize(40);
  }

  @Property(tries = 200)
  void mergeIsAssociative(@ForAll("rollups") Rollup a, @ForAll("rollups") Rollup b, @ForAll("rollups") Rollup c) {
    assertEquals(a.merge(b).merge(c), a.merge(b.merge(c)));
  }

  @Property(tries = 200)
  void mergeIsCommutativeAndEmptyChangesNothing(@ForAll("rollups") Rollup a, @ForAll("rollups") Rollup b) {
    assertEquals(a.merge(b), b.merge(a));
    assertEquals(a, a.merge(Rollup.EMPTY));
    assertEquals(a, Rollup.EMPTY.merge(a));
  }

  @Property(tries = 100)
  void mergeAllIsMergeOneByOne(@ForAll("lists") List<Rollup> rollups) {
    Rollup oneByOne = rollups.stream().reduce(Rollup.EMPTY, Rollup::merge);
    assertEquals(oneByOne, Rollup.mergeAll(rollups));
  }

  @Property(tries = 100)
  void daysFromMinutesFromHoursEqualDaysFromEveryFact(@ForAll("facts") List<Fact> facts) {
    RollupTable minutes = new RollupTable();
    facts.forEach(fact -> minutes.add(Dimension.TOPICS, "t", fact.atMillis(), fact.rollup()));

    SortedMap<Long, Rollup> days = minutes.series(Dimension.TOPICS, k -> true, 0, 2 * DAY, Resolution.DAY)
        .getOrDefault("t", new java.util.TreeMap<>());
    SortedMap<Long, Rollup> hours = minutes.series(Dimension.TOPICS, k -> true, 0, 2 * DAY, Resolution.HOUR)
        .getOrDefault("t", new java.util.TreeMap<>());
    Map<Long, Rollup> daysFromHours = new java.util.TreeMap<>();
    hours.forEach((hour, rollup) -> daysFromHours.merge(Resolution.DAY.bucketOf(hour), rollup, Rollup::merge));
    Map<Long, List<Rollup>> direct = new java.util.TreeMap<>();
    facts.forEach(fact -> direct.computeIfAbsent(Resolution.DAY.bucketOf(fact.atMillis()), d -> new ArrayList<>())
        .add(fact.rollup()));
    Map<Long, Rollup> daysDirect = new java.util.TreeMap<>();
    direct.forEach((day, rollups) -> daysDirect.put(day, rollups.stream().reduce(Rollup.EMPTY, Rollup::merge)));

    assertEquals(daysDirect, days);
    assertEquals(daysDirect, daysFromHours);
  }
}
