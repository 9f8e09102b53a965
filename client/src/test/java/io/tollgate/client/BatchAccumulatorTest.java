package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.BatchAccumulator.Batch;
import io.tollgate.client.BatchAccumulator.Pending;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BatchAccumulatorTest {
  private static final long MS = 1_000_000;

  private static Pending event(String id, int bytes) {
    return new Pending(TestEvents.event(id), bytes, new CompletableFuture<>());
  }

  private static List<String> ids(Batch batch) {
    return batch.events().stream().map(pending -> pending.event().getId()).toList();
  }

  private static BatchAccumulator withTheDefaults() {
    BatchSettings d = BatchSettings.DEFAULTS;
    return new BatchAccumulator(d.maxEvents(), d.maxBytes(), d.linger().toNanos());
  }

  @Test
  void underTheDefaultsALoneEventWaitsNoLongerThanTheLinger() {
    BatchAccumulator accumulator = withTheDefaults();
    long linger = BatchSettings.DEFAULTS.linger().toNanos();
    accumulator.add("t", event("a", 300), 0);
    assertEquals(OptionalLong.of(linger), accumulator.nextDeadline());
    assertNull(accumulator.poll(linger - 1, false));
    assertEquals(List.of("a"), ids(accumulator.poll(linger, false)));
  }

  @Test
  void underTheDefaultsAFullLoadFillsBatchesToTheBrokersLimitWithoutWaiting() {
    BatchAccumulator accumulator = withTheDefaults();
    for (int i = 0; i < 2 * BatchSettings.BROKER_MAX_EVENTS; i++) {
      accumulator.add("t", event("e" + i, 300), 0);
    }
    assertEquals(BatchSettings.BROKER_MAX_EVENTS, accumulator.poll(0, false).events().size());
    assertEquals(BatchSettings.BROKER_MAX_EVENTS, accumulator.poll(0, false).events().size());
    assertTrue(accumulator.isEmpty());
  }

  @Test
  void aBatchIsReadyWhenItHoldsMaxEvents() {
    BatchAccumulator accumulator = new BatchAccumulator(3, 1_000_000, 50 * MS);
    accumulator.add("t", event("a", 10), 0);
    accumulator.add("t", event("b", 10), 0);
    assertNull(accumulator.poll(0, false));
    assertTrue(accumulator.add("t", event("c", 10), 0), "filling a batch changes the sender's deadline");
    assertEquals(List.of("a", "b", "c"), ids(accumulator.poll(0, false)));
    assertTrue(accumulator.isEmpty());
  }

  @Test
  void anEventThatWouldPassMaxBytesStartsTheNextBatch() {
    BatchAccumulator accumulator = new BatchAccumulator(100, 100, 50 * MS);
    accumulator.add("t", event("a", 60), 0);
    accumulator.add("t", event("b", 60), 0);
    assertEquals(List.of("a"), ids(accumulator.poll(0, false)));
    assertNull(accumulator.poll(0, false), "b waits for its linger");
  }

  @Test
  void anEventLargerThanMaxBytesGoesAlone() {
    BatchAccumulator accumulator = new BatchAccumulator(100, 100, 50 * MS);
    accumulator.add("t", event("small", 10), 0);
    accumulator.add("t", event("huge", 500), 0);
    assertEquals(List.of("small"), ids(accumulator.poll(0, false)));
    assertEquals(List.of("huge"), ids(accumulator.poll(0, false)));
    assertTrue(accumulator.isEmpty());
  }

  @Test
  void anOpenBatchIsReadyOnceItsLingerHasPassedSinceItsFirstEvent() {
    BatchAccumulator accumulator = new BatchAccumulator(100, 1_000_000, 5 * MS);
    assertTrue(accumulator.add("t", event("a", 10), 100 * MS), "opening a batch sets a deadline");
    assertFalse(accumulator.add("t", event("b", 10), 103 * MS));
    assertEquals(OptionalLong.of(105 * MS), accumulator.nextDeadline());
    assertNull(accumulator.poll(104 * MS, false));
    assertEquals(List.of("a", "b"), ids(accumulator.poll(105 * MS, false)));
    assertEquals(OptionalLong.empty(), accumulator.nextDeadline());
  }

  @Test
  void withZeroLingerABatchIsReadyAtOnce() {
    BatchAccumulator accumulator = new BatchAccumulator(100, 1_000_000, 0);
    accumulator.add("t", event("a", 10), 7);
    assertEquals(List.of("a"), ids(accumulator.poll(7, false)));
  }

  @Test
  void aFlushTakesOpenBatchesBeforeTheirLinger() {
    BatchAccumulator accumulator = new BatchAccumulator(100, 1_000_000, 50 * MS);
    accumulator.add("t", event("a", 10), 0);
    assertEquals(List.of("a"), ids(accumulator.poll(0, true)));
  }

  @Test
  void topicsBatchApartAndTheOldestOpenBatchGoesFirst() {
    BatchAccumulator accumulator = new BatchAccumulator(100, 1_000_000, 10 * MS);
    accumulator.add("later", event("l1", 10), 2 * MS);
    accumulator.add("sooner", event("s1", 10), 1 * MS);
    accumulator.add("later", event("l2", 10), 3 * MS);
    assertEquals(OptionalLong.of(12 * MS), accumulator.nextDeadline(), "the first opened is the first due");
    Batch first = accumulator.poll(20 * MS, false);
    assertEquals("later", first.topic());
    assertEquals(List.of("l1", "l2"), ids(first));
    assertEquals(List.of("s1"), ids(accumulator.poll(20 * MS, false)));
  }

  @Test
  void closedBatchesGoBeforeOpenOnesInTheOrderTheyClosed() {
    BatchAccumulator accumulator = new BatchAccumulator(2, 1_000_000, 0);
    accumulator.add("t", event("open", 10), 0);
    accumulator.add("u", event("u1", 10), 1);
    accumulator.add("u", event("u2", 10), 1);
    assertEquals(List.of("u1", "u2"), ids(accumulator.poll(5, false)));
    assertEquals(List.of("open"), ids(accumulator.poll(5, false)));
  }

  @Test
  void halvesKeepTheOrderOfTheEvents() {
    Batch batch = new Batch("t", List.of(event("a", 1), event("b", 1), event("c", 1)));
    List<Batch> halves = batch.halves();
    assertEquals(List.of("a"), ids(halves.get(0)));
    assertEquals(List.of("b", "c"), ids(halves.get(1)));
    assertEquals(3, batch.bytes());
  }

  @Test
  void drainTakesEverythingAndAcksListsEveryWaitingEvent() {
    BatchAccumulator accumulator = new BatchAccumulator(2, 1_000_000, 50 * MS);
    accumulator.add("t", event("a", 10), 0);
    accumulator.add("t", event("b", 10), 0);
    accumulator.add("t", event("c", 10), 0);
    assertEquals(3, accumulator.acks().size());
    assertEquals(2, accumulator.drain().size());
    assertTrue(accumulator.isEmpty());
  }
}
