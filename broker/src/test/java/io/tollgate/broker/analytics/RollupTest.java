package io.tollgate.broker.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class RollupTest {
  private static final long T = Instant.parse("2026-12-06T10:15:30Z").toEpochMilli();

  @Test
  void countsAddAndLagTakesTheLarger() {
    Rollup a = Rollup.published(3, 300).merge(Rollup.lag(10, 4));
    Rollup b = Rollup.published(2, 50).merge(Rollup.lag(7, 9));
    Rollup sum = a.merge(b);
    assertEquals(5, sum.publishedEvents());
    assertEquals(350, sum.publishedBytes());
    assertEquals(10, sum.lagEvents());
    assertEquals(9, sum.lagSeconds());
  }

  @Test
  void moneyAddsPerCurrencyExactly() {
    Rollup sum = Rollup.charge("USD", new BigDecimal("0.10")).merge(Rollup.charge("USD", new BigDecimal("0.20")))
        .merge(Rollup.charge("EUR", new BigDecimal("1.00")));
    assertEquals(new BigDecimal("0.30"), sum.charges().get("USD"));
    assertEquals(new BigDecimal("1.00"), sum.charges().get("EUR"));
  }

  @Test
  void latenciesAddAsHistogramsSoPercentilesAreOfAllDeliveries() {
    Latency fast = Latency.of(1, 1, 1, 1, 1, 1, 1, 1, 1);
    Latency slow = Latency.of(500);
    Latency both = fast.plus(slow);
    assertEquals(10, both.count());
    assertEquals(1, both.histogram().getValueAtPercentile(50));
    assertTrue(both.histogram().getMaxValue() >= 499);
  }

  @Test
  void aProducerSeesASubscriptionWithoutTheConsumersChargesAndFailures() {
    Rollup rollup = Rollup.charge("USD", BigDecimal.ONE).merge(Rollup.revenue("USD", new BigDecimal("0.70")))
        .merge(Rollup.authFailures(2)).merge(Rollup.acknowledged(5));
    Rollup seen = rollup.withoutConsumerPrivate();
    assertEquals(Map.of(), seen.charges());
    assertEquals(0, seen.authFailures());
    assertEquals(new BigDecimal("0.70"), seen.revenue().get("USD"));
    assertEquals(5, seen.acknowledgedEvents());
  }

  @Test
  void hoursAreMadeOfTheirMinutesAndEmptyBucketsAreLeftOut() {
    RollupTable table = new RollupTable();
    table.add(Dimension.TOPICS, "orders", T, Rollup.published(1, 10));
    table.add(Dimension.TOPICS, "orders", T + 60_000, Rollup.published(2, 20));
    table.add(Dimension.TOPICS, "orders", T + 3 * 3_600_000, Rollup.published(4, 40));
    table.add(Dimension.TOPICS, "other", T, Rollup.published(8, 80));
    Map<String, SortedMap<Long, Rollup>> hours = table.series(Dimension.TOPICS, "orders"::equals,
        T - 3_600_000, T + 4 * 3_600_000, Resolution.HOUR);
    assertEquals(List.of("orders"), List.copyOf(hours.keySet()));
    SortedMap<Long, Rollup> orders = hours.get("orders");
    assertEquals(List.of(Resolution.HOUR.bucketOf(T), Resolution.HOUR.bucketOf(T + 3 * 3_600_000)),
        List.copyOf(orders.keySet()));
    assertEquals(3, orders.get(Resolution.HOUR.bucketOf(T)).publishedEvents());
  }

  @Test
  void theRangeIsHalfOpenToTheMinute() {
    RollupTable table = new RollupTable();
    table.add(Dimension.TOPICS, "orders", T, Rollup.published(1, 10));
    long minute = Resolution.MINUTE.bucketOf(T);
    assertEquals(Map.of(), table.series(Dimension.TOPICS, k -> true, minute + 60_000, minute + 120_000, Resolution.MINUTE));
    assertEquals(Map.of(), table.series(Dimension.TOPICS, k -> true, minute - 60_000, minute, Resolution.MINUTE));
    assertEquals(1, table.series(Dimension.TOPICS, k -> true, minute, minute + 1, Resolution.MINUTE).size());
  }

  @Test
  void bucketsBetweenCountsEveryBucketTheRangeTouches() {
    long day = Resolution.DAY.bucketOf(T);
    assertEquals(1440, Resolution.MINUTE.bucketsBetween(day, day + 86_400_000));
    assertEquals(25, Resolution.HOUR.bucketsBetween(day + 1, day + 86_400_000 + 1));
    assertEquals(0, Resolution.DAY.bucketsBetween(day, day));
  }
}
