package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.DedupEntry;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionLogTest {
  private static final RetentionSegments.Shape SHAPE = new RetentionSegments.Shape(1 << 20, Duration.ofHours(1));
  private static final DedupWindow.Settings DEDUP = new DedupWindow.Settings(Duration.ofMinutes(10), 1 << 20);
  private static final long NOW = 1_000_000_000L;

  private static CloudEvent event(String source, String id) {
    return CloudEvent.newBuilder().setSpecVersion("1.0").setSource(source).setId(id).setType("t").build();
  }

  private static void write(PartitionLog log, List<CloudEvent> events) {
    log.apply(entry(log, events));
  }

  private static EventsAppended entry(PartitionLog log, List<CloudEvent> events) {
    PartitionLog.AppendPlan plan = log.plan(events, NOW);
    return EventsAppended.newBuilder().setFirstOffset(log.nextOffset()).addAllEvents(plan.toWrite())
        .setAppendedAtMillis(NOW).build();
  }

  @Test
  void assignsConsecutiveOffsetsAndOneSequencePerWrite() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    PartitionLog.AppendPlan plan = log.plan(List.of(event("s", "3")), NOW);
    assertEquals(List.of(new StoredPosition(2, 2, 0, false)), plan.positions());
    assertEquals(1, log.lastSequence());
  }

  @Test
  void aRetriedEventGetsItsOriginalPositionAndIsNotWrittenAgain() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    PartitionLog.AppendPlan retry = log.plan(List.of(event("s", "2"), event("s", "3")), NOW);
    assertEquals(new StoredPosition(1, 1, 1, true), retry.positions().get(0));
    assertEquals(List.of(event("s", "3")), retry.toWrite());
    assertEquals(new StoredPosition(2, 2, 0, false), retry.positions().get(1));
  }

  @Test
  void theSameIdFromAnotherSourceIsAnotherEvent() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    write(log, List.of(event("a", "1")));
    assertFalse(log.plan(List.of(event("b", "1")), NOW).positions().get(0).duplicate());
  }

  @Test
  void duplicatesInsideOneBatchAreStoredOnce() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    PartitionLog.AppendPlan plan = log.plan(List.of(event("s", "1"), event("s", "1")), NOW);
    assertEquals(1, plan.toWrite().size());
    assertTrue(plan.positions().get(1).duplicate());
    assertEquals(plan.positions().get(0).offset(), plan.positions().get(1).offset());
  }

  @Test
  void theWindowForgetsEventsStoredLongerAgoThanItsSpan() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    write(log, List.of(event("s", "1")));
    assertTrue(log.plan(List.of(event("s", "1")), NOW + DEDUP.span().toMillis()).positions().get(0).duplicate());
    assertFalse(log.plan(List.of(event("s", "1")), NOW + DEDUP.span().toMillis() + 1).positions().get(0).duplicate());
  }

  @Test
  void aSnapshotRestoresOffsetsAndTheWindowIsReadBackFromTheJournalEntriesItMayHold() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    List<EventsAppended> journal = List.of(entry(log, List.of(event("s", "1"), event("s", "2"))));
    log.apply(journal.get(0));
    EventsAppended second = entry(log, List.of(event("s", "3")));
    log.apply(second);
    PartitionSnapshot snapshot = log.toSnapshot();
    assertEquals(0, snapshot.getDedupCount(), "snapshots no longer carry the window");
    PartitionLog restored = PartitionLog.fromSnapshot(snapshot, DEDUP, SHAPE);
    assertEquals(3, restored.nextOffset());
    assertEquals(2, restored.lastSequence());
    assertFalse(restored.plan(List.of(event("s", "1")), NOW).positions().get(0).duplicate(), "not yet read back");
    assertEquals(OptionalLong.of(1), restored.windowRebuildFrom());
    DedupWindow rebuilt = restored.newWindow();
    PartitionLog.addToWindow(rebuilt, 1, journal.get(0));
    PartitionLog.addToWindow(rebuilt, 2, second);
    restored.windowRebuilt(rebuilt);
    assertEquals(new StoredPosition(0, 1, 0, true), restored.plan(List.of(event("s", "1")), NOW).positions().get(0));
    assertEquals(new StoredPosition(2, 2, 0, true), restored.plan(List.of(event("s", "3")), NOW).positions().get(0));
  }

  @Test
  void anOldSnapshotWithPairsAndNoSegmentsLoadsAndIsReadBackFromItsOldestPair() {
    PartitionSnapshot old = PartitionSnapshot.newBuilder().setNextOffset(30).setLastSequence(12)
        .addDedup(DedupEntry.newBuilder().setSource("s").setId("a").setOffset(20).setSequence(9).setIndex(0))
        .addDedup(DedupEntry.newBuilder().setSource("s").setId("b").setOffset(29).setSequence(12).setIndex(3))
        .build();
    PartitionLog restored = PartitionLog.fromSnapshot(old, DEDUP, SHAPE);
    assertEquals(30, restored.nextOffset());
    assertEquals(OptionalLong.of(9), restored.windowRebuildFrom());
    assertEquals(0, restored.toSnapshot().getDedupCount());
  }

  @Test
  void aStateThatSawEveryEntryNeedsNoRebuild() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    write(log, List.of(event("s", "1")));
    assertEquals(OptionalLong.empty(), log.windowRebuildFrom());
  }

  @Test
  void aSnapshotRestoresTheRetentionSegmentsAndCountsAsDurable() {
    PartitionLog log = new PartitionLog(DEDUP, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    write(log, List.of(event("s", "3")));
    log.segments().deletedThrough(1);
    PartitionLog restored = PartitionLog.fromSnapshot(log.toSnapshot(), DEDUP, SHAPE);
    assertEquals(log.segments().retainedBytes(), restored.segments().retainedBytes());
    assertEquals(1, restored.segments().deletedThroughSequence());
    assertEquals(2, restored.snapshotSequence());
    assertEquals(0, log.snapshotSequence());
  }
}
