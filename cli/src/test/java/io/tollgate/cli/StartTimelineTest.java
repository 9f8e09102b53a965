package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.cli.StartTimeline.Mark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartTimelineTest {
  private static final long ORIGIN = 5_000_000_000L;

  @Test
  void aMarkIsMillisecondsFromTheBeginningAndKeepsItsFirstTime() {
    StartTimeline timeline = new StartTimeline(ORIGIN);
    timeline.mark(Mark.FIRST_ACK, ORIGIN + 12_500_000);
    timeline.mark(Mark.FIRST_ACK, ORIGIN + 90_000_000);

    assertEquals(12.5, timeline.millis(Mark.FIRST_ACK).getAsDouble());
    assertTrue(timeline.millis(Mark.FIRST_DELIVERY).isEmpty());
  }

  @Test
  void theDescriptionListsWhatHappenedInTheOrderItHappenedThenWhatNever() {
    StartTimeline timeline = new StartTimeline(ORIGIN);
    timeline.mark(Mark.STREAM_OPEN, ORIGIN + 40_000_000);
    timeline.mark(Mark.FIRST_SEND, ORIGIN + 41_000_000);
    timeline.mark(Mark.FIRST_DELIVERY, ORIGIN + 47_250_000);
    timeline.mark(Mark.FIRST_ACK, ORIGIN + 45_000_000);
    timeline.mark(Mark.CLOCK_START, ORIGIN + 5_041_000_000L);

    assertEquals("start (from the run's beginning): stream open 40.0 ms, first send 41.0 ms, first ack 45.0 ms, "
        + "first delivery 47.3 ms, clock started 5041.0 ms", timeline.describe());

    StartTimeline stalled = new StartTimeline(ORIGIN);
    stalled.mark(Mark.STREAM_OPEN, ORIGIN + 1_000_000);
    assertEquals("start (from the run's beginning): stream open 1.0 ms, first send never, first ack never, "
        + "first delivery never, clock started never", stalled.describe());
  }

  @Test
  void theSummaryHasOnlyTheMarksThatHappenedByTheirIds() {
    StartTimeline timeline = new StartTimeline(ORIGIN);
    timeline.mark(Mark.STREAM_OPEN, ORIGIN + 3_123_456);
    timeline.mark(Mark.FIRST_DELIVERY, ORIGIN + 9_000_001);
    ObjectNode json = Cli.JSON.createObjectNode();

    timeline.writeTo(json);

    assertEquals(3.123, json.get("stream_open").asDouble());
    assertEquals(9.0, json.get("first_delivery").asDouble());
    assertFalse(json.has("first_ack"));
    assertEquals(2, json.size());
  }

  @Test
  void ofManyThreadsMarkingAtOnceOneTimeIsKept() throws Exception {
    StartTimeline timeline = new StartTimeline(ORIGIN);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Long> offered = new ArrayList<>();
    try {
      for (int i = 1; i <= 4; i++) {
        long at = ORIGIN + i * 1_000_000L;
        offered.add(at);
        threads.submit(() -> {
          go.await();
          timeline.mark(Mark.FIRST_DELIVERY, at);
          return null;
        });
      }
      go.countDown();
    } finally {
      threads.shutdown();
      assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
    }
    double kept = timeline.millis(Mark.FIRST_DELIVERY).getAsDouble();
    assertTrue(offered.stream().anyMatch(at -> (at - ORIGIN) / 1e6 == kept), "kept " + kept);
  }
}
