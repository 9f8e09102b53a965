package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which stream outputs the node's sweep aborts: those whose connection took nothing for the stall timeout, once. */
class StalledOutputsTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final StalledOutputs stalls = new StalledOutputs(Duration.ofSeconds(120));
  private final List<String> aborted = new ArrayList<>();

  private void waits(String output, long sinceNanos) {
    stalls.waiting(output, sinceNanos, waited -> aborted.add(output + " after " + waited.toSeconds() + " s"));
  }

  @Test
  void anOutputThatWaitedTheStallTimeoutIsAbortedOnceAndOneThatWaitedLessIsNot() {
    waits("a", 0);
    waits("b", 10 * SECOND);
    assertEquals(0, stalls.sweep(120 * SECOND - 1));
    assertEquals(1, stalls.sweep(125 * SECOND));
    assertEquals(List.of("a after 125 s"), aborted);
    assertEquals(0, stalls.sweep(126 * SECOND), "an aborted output is forgotten");
    assertEquals(1, stalls.sweep(130 * SECOND));
    assertEquals(List.of("a after 125 s", "b after 120 s"), aborted);
  }

  @Test
  void aFrameTakenInTimeEndsTheWaitAndTheNextWaitStartsAfresh() {
    waits("a", 0);
    stalls.taken("a");
    assertEquals(0, stalls.sweep(200 * SECOND));
    waits("a", 150 * SECOND);
    assertEquals(0, stalls.sweep(269 * SECOND));
    assertEquals(1, stalls.sweep(270 * SECOND));
  }

  @Test
  void waitingAgainWhileWaitingKeepsWhenTheWaitBegan() {
    waits("a", 0);
    waits("a", 100 * SECOND);
    assertEquals(1, stalls.sweep(120 * SECOND));
  }

  @Test
  void anOutputThatNeverWaitsIsNeverInTheSet() {
    assertEquals(0, stalls.waitingCount());
    waits("a", 0);
    assertEquals(1, stalls.waitingCount());
    stalls.taken("a");
    assertEquals(0, stalls.waitingCount(), "an idle stream, or one that keeps up, costs the sweep nothing");
  }

  @Test
  void timesAreTheSchedulersNanosecondsEvenWhereTheyWrapAround() {
    waits("a", Long.MAX_VALUE - 10 * SECOND);
    assertEquals(0, stalls.sweep(Long.MAX_VALUE));
    assertEquals(1, stalls.sweep(Long.MIN_VALUE + 110 * SECOND));
  }
}
