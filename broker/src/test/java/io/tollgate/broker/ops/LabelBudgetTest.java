package io.tollgate.broker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LabelBudgetTest {
  @Test
  void theFirstValuesKeepTheirOwnLabelAndLaterOnesCountAsOther() {
    LabelBudget budget = new LabelBudget(2);
    assertEquals("a", budget.label("a"));
    assertEquals("b", budget.label("b"));
    assertEquals("other", budget.label("c"));
    assertEquals("a", budget.label("a"), "a label once given stays, so a counter never moves between series");
  }

  @Test
  void gaugesShowTheLargestAndSumTheRest() {
    assertEquals(Map.of("c", 30L, "b", 20L, "other", 11L),
        LabelBudget.largest(Map.of("a", 10L, "b", 20L, "c", 30L, "d", 1L), 2));
    assertEquals(List.of("c", "b", "other"),
        List.copyOf(LabelBudget.largest(Map.of("a", 10L, "b", 20L, "c", 30L), 2).keySet()));
    assertEquals(Map.of("a", 1L), LabelBudget.largest(Map.of("a", 1L), 2));
  }

  @Test
  void noMatterHowManySubscriptionsAFamilyHasAtMostMaxPlusOneSeries() {
    Metrics metrics = new Metrics(3);
    IntStream.range(0, 50).forEach(i -> metrics.deliveredTo("sub_" + i, 1, 10));
    metrics.lag(Map.of("sub_1", new long[] {5, 1}, "sub_2", new long[] {7, 2}, "sub_3", new long[] {1, 9},
        "sub_4", new long[] {2, 3}, "sub_5", new long[] {3, 3}));
    String scrape = metrics.scrape();
    long delivered = scrape.lines().filter(line -> line.startsWith("tollgate_subscription_delivered_events_total{"))
        .count();
    assertEquals(4, delivered, scrape);
    assertTrue(scrape.contains("tollgate_subscription_delivered_events_total{subscription=\"other\"} 47.0"), scrape);
    long lag = scrape.lines().filter(line -> line.startsWith("tollgate_subscription_lag_events{")).count();
    assertEquals(4, lag, scrape);
    assertTrue(scrape.contains("tollgate_subscription_lag_events{subscription=\"other\"} 3.0"), scrape);
  }
}
