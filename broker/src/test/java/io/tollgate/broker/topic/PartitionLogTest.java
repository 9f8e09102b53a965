package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionLogTest {
  private static final RetentionSegments.Shape SHAPE = new RetentionSegments.Shape(1 << 20, Duration.ofHours(1));

  private static CloudEvent event(String source, String id) {
    return CloudEvent.newBuilder().setSpecVersion("1.0").setSource(source).setId(id).setType("t").build();
  }

  private static void write(PartitionLog log, List<CloudEvent> events) {
    PartitionLog.AppendPlan plan = log.plan(events);
    log.apply(EventsAppended.newBuilder().setFirstOffset(log.nextOffset()).addAllEvents(plan.toWrite()).build());
  }

  @Test
  void assignsConsecutiveOffsetsAndOneSequencePerWrite() {
    PartitionLog log = new PartitionLog(100, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    PartitionLog.AppendPlan plan = log.plan(List.of(event("s", "3")));
    assertEquals(List.of(new StoredPosition(2, 2, 0, false)), plan.positions());
    assertEquals(1, log.lastSequence());
  }

  @Test
  void aRetriedEventGetsItsOriginalPositionAndIsNotWrittenAgain() {
    PartitionLog log = new PartitionLog(100, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    PartitionLog.AppendPlan retry = log.plan(List.of(event("s", "2"), event("s", "3")));
    assertEquals(new StoredPosition(1, 1, 1, true), retry.positions().get(0));
    assertEquals(List.of(event("s", "3")), retry.toWrite());
    assertEquals(new StoredPosition(2, 2, 0, false), retry.positions().get(1));
  }

  @Test
  void theSameIdFromAnotherSourceIsAnotherEvent() {
    PartitionLog log = new PartitionLog(100, SHAPE);
    write(log, List.of(event("a", "1")));
    assertFalse(log.plan(List.of(event("b", "1"))).positions().get(0).duplicate());
  }

  @Test
  void duplicatesInsideOneBatchAreStoredOnce() {
    PartitionLog log = new PartitionLog(100, SHAPE);
    PartitionLog.AppendPlan plan = log.plan(List.of(event("s", "1"), event("s", "1")));
    assertEquals(1, plan.toWrite().size());
    assertTrue(plan.positions().get(1).duplicate());
    assertEquals(plan.positions().get(0).offset(), plan.positions().get(1).offset());
  }

  @Test
  void theWindowForgetsTheOldestIds() {
    PartitionLog log = new PartitionLog(2, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2"), event("s", "3")));
    assertFalse(log.plan(List.of(event("s", "1"))).positions().get(0).duplicate());
    assertTrue(log.plan(List.of(event("s", "3"))).positions().get(0).duplicate());
  }

  @Test
  void aSnapshotRestoresOffsetsAndTheWindow() {
    PartitionLog log = new PartitionLog(100, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    write(log, List.of(event("s", "3")));
    PartitionLog restored = PartitionLog.fromSnapshot(log.toSnapshot(), 100, SHAPE);
    assertEquals(3, restored.nextOffset());
    assertEquals(2, restored.lastSequence());
    assertEquals(new StoredPosition(0, 1, 0, true), restored.plan(List.of(event("s", "1"))).positions().get(0));
  }

  @Test
  void aSnapshotRestoresTheRetentionSegmentsAndCountsAsDurable() {
    PartitionLog log = new PartitionLog(100, SHAPE);
    write(log, List.of(event("s", "1"), event("s", "2")));
    write(log, List.of(event("s", "3")));
    log.segments().deletedThrough(1);
    PartitionLog restored = PartitionLog.fromSnapshot(log.toSnapshot(), 100, SHAPE);
    assertEquals(log.segments().retainedBytes(), restored.segments().retainedBytes());
    assertEquals(1, restored.segments().deletedThroughSequence());
    assertEquals(2, restored.snapshotSequence());
    assertEquals(0, log.snapshotSequence());
  }
}
