package io.tollgate.broker.analytics;

import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The time to answer a 30-day query from the read side's table (docs/benchmarks.md): KEYS
 * subscriptions with a rollup in every minute of 30 days (published, delivered and acknowledged
 * counts, five latencies, a charge), then each key's series at minute, hour and day resolution.
 * Not a test of the suite (its name ends in Bench); run with
 * {@code ./mvnw -B -q -o -pl broker -am test -Dtest=AnalyticsQueryBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class AnalyticsQueryBench {
  private static final long DAYS = 30;
  private static final int KEYS = Integer.getInteger("bench.keys", 10);

  @Test
  void thirtyDaysOfMinutes() {
    RollupTable table = new RollupTable();
    long start = Resolution.DAY.bucketOf(System.currentTimeMillis()) - DAYS * 86_400_000L;
    long minutes = DAYS * 1440;
    long filled = System.nanoTime();
    for (int k = 0; k < KEYS; k++) {
      for (long m = 0; m < minutes; m++) {
        long at = start + m * 60_000;
        Rollup rollup = Rollup.published(100, 25_600).merge(Rollup.acknowledged(100)).merge(new Rollup(0, 0, 100,
            25_600, 0, 0, 0, 0, 0, m % 50, m % 7, Latency.of(3, 5, 8, 13, 200), new java.util.TreeMap<>(),
            new java.util.TreeMap<>())).merge(Rollup.charge("USD", new java.math.BigDecimal("0.10")));
        table.add(Dimension.SUBSCRIPTIONS, "sub_" + k, at, rollup);
      }
    }
    System.out.printf("bench filled %d keys x %d minutes in %d ms%n", KEYS, minutes, (System.nanoTime() - filled) / 1_000_000);
    for (int round = 0; round < 3; round++) {
      for (Resolution resolution : Resolution.values()) {
        long one = System.nanoTime();
        Map<String, SortedMap<Long, Rollup>> single = table.series(Dimension.SUBSCRIPTIONS, "sub_0"::equals, start,
            start + DAYS * 86_400_000L, resolution);
        long oneMs = (System.nanoTime() - one) / 1_000_000;
        long all = System.nanoTime();
        Map<String, SortedMap<Long, Rollup>> every = table.series(Dimension.SUBSCRIPTIONS, key -> true, start,
            start + DAYS * 86_400_000L, resolution);
        long allMs = (System.nanoTime() - all) / 1_000_000;
        System.out.printf("bench round %d %s: one key %d buckets in %d ms; %d keys in %d ms%n", round,
            resolution.wireName(), single.get("sub_0").size(), oneMs, every.size(), allMs);
      }
    }
  }
}
