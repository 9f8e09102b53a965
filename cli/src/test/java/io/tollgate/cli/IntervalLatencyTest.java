package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntervalLatencyTest {
  @Test
  void aStalledSecondShowsInItsOwnIntervalThoughTheWholeRunP99HidesIt() {
    IntervalLatency latency = new IntervalLatency();
    for (int second = 1; second <= 200; second++) {
      int perSecond = 1000;
      for (int i = 0; i < perSecond; i++) {
        latency.record(second == 100 && i < 50 ? 900_000 : 1_000);
      }
      latency.closeInterval(second);
    }

    IntervalLatency.Interval stalled = latency.intervals().get(99);
    assertEquals(100.0, stalled.endSecond());
    assertEquals(1000, stalled.count());
    assertTrue(stalled.p99Ms() > 800, "the stalled second's p99: " + stalled.p99Ms());
    assertTrue(latency.intervals().get(98).p99Ms() < 2);
    assertTrue(latency.total().getValueAtPercentile(99) / 1000.0 < 2, "the whole run's p99 does not show the stall");
    assertEquals(200_000, latency.total().getTotalCount());
  }

  @Test
  void anIntervalWithoutLatenciesIsEmpty() {
    IntervalLatency latency = new IntervalLatency();
    IntervalLatency.Interval empty = latency.closeInterval(1.0);
    assertEquals(0, empty.count());
    assertEquals(0.0, empty.maxMs());
  }
}
