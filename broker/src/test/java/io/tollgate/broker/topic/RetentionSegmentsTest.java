package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RetentionSegmentsTest {
  /** Segments close at 100 bytes or one minute. */
  private static final RetentionSegments.Shape SHAPE = new RetentionSegments.Shape(100, Duration.ofMinutes(1));
  private static final long MINUTE = 60_000;
  private static final long ALL_SNAPSHOTTED = Long.MAX_VALUE;

  private static Retention bytes(long bytes) {
    return new Retention(Optional.empty(), OptionalLong.of(bytes));
  }

  private static Retention time(Duration time) {
    return new Retention(Optional.of(time), OptionalLong.empty());
  }

  /** Entries 1..count of 50 bytes and 10 events each, one second apart from {@code startMillis}. */
  private static RetentionSegments entries(int count, long startMillis) {
    RetentionSegments segments = new RetentionSegments(SHAPE);
    for (int sequence = 1; sequence <= count; sequence++) {
      segments.append(sequence, (sequence - 1) * 10L, 10, 50, startMillis + (sequence - 1) * 1000L);
    }
    return segments;
  }

  @Test
  void aSegmentClosesAtItsSizeSoTwoEntriesOfFiftyBytesMakeOne() {
    RetentionSegments segments = entries(5, 0);
    assertEquals(3, segments.segmentCount());
    assertEquals(250, segments.retainedBytes());
    assertTrue(segments.openSegmentStartsAt(5));
  }

  @Test
  void aSegmentClosesAtItsSpanEvenWhenSmall() {
    RetentionSegments segments = new RetentionSegments(SHAPE);
    segments.append(1, 0, 1, 1, 0);
    segments.append(2, 1, 1, 1, MINUTE - 1);
    segments.append(3, 2, 1, 1, MINUTE);
    assertEquals(2, segments.segmentCount());
    assertTrue(segments.openSegmentStartsAt(3));
  }

  @Test
  void keepingEverythingDeletesNothing() {
    assertEquals(OptionalLong.empty(), entries(10, 0).deletable(Retention.FOREVER, 100 * MINUTE, ALL_SNAPSHOTTED));
  }

  @Test
  void overItsBytesThePartitionDeletesTheOldestSegmentsUntilItFits() {
    RetentionSegments segments = entries(10, 0);
    // 500 bytes in segments of 1-2, 3-4, 5-6, 7-8 (closed) and 9-10 (open); 200 fit.
    assertEquals(OptionalLong.of(6), segments.deletable(bytes(200), 0, ALL_SNAPSHOTTED));
  }

  @Test
  void theOpenSegmentStaysWhateverTheBound() {
    RetentionSegments segments = entries(10, 0);
    assertEquals(OptionalLong.of(8), segments.deletable(bytes(1), 0, ALL_SNAPSHOTTED));
    assertEquals(OptionalLong.of(8), segments.deletable(time(Duration.ofMillis(1)), 100 * MINUTE, ALL_SNAPSHOTTED));
  }

  @Test
  void bySizeASegmentGoesOnlyWhenTheRestStillHoldsMoreThanTheBound() {
    assertEquals(OptionalLong.empty(), entries(10, 0).deletable(bytes(500), 0, ALL_SNAPSHOTTED));
    assertEquals(OptionalLong.of(2), entries(10, 0).deletable(bytes(499), 0, ALL_SNAPSHOTTED));
  }

  @Test
  void byTimeASegmentGoesWhenItsNewestEntryIsOlderThanTheBound() {
    RetentionSegments segments = entries(10, 0);
    // Segment 1-2's newest entry is at 1 s, 3-4's at 3 s.
    assertEquals(OptionalLong.empty(), segments.deletable(time(Duration.ofSeconds(10)), 11_000, ALL_SNAPSHOTTED));
    assertEquals(OptionalLong.of(2), segments.deletable(time(Duration.ofSeconds(10)), 11_001, ALL_SNAPSHOTTED));
    assertEquals(OptionalLong.of(4), segments.deletable(time(Duration.ofSeconds(10)), 13_001, ALL_SNAPSHOTTED));
  }

  @Test
  void onlySegmentsASnapshotCoversAreDeleted() {
    RetentionSegments segments = entries(10, 0);
    assertEquals(OptionalLong.empty(), segments.deletable(bytes(1), 0, 0));
    assertEquals(OptionalLong.empty(), segments.deletable(bytes(1), 0, 1));
    assertEquals(OptionalLong.of(4), segments.deletable(bytes(1), 0, 5));
  }

  @Test
  void afterADeleteTheFirstRetainedOffsetAndBytesMoveOn() {
    RetentionSegments segments = entries(10, 0);
    assertEquals(0, segments.firstRetainedOffset(100));
    segments.deletedThrough(4);
    assertEquals(40, segments.firstRetainedOffset(100));
    assertEquals(300, segments.retainedBytes());
    assertEquals(4, segments.deletedThroughSequence());
    assertEquals(OptionalLong.of(8), segments.deletable(bytes(1), 0, ALL_SNAPSHOTTED));
  }

  @Test
  void aPartitionWithNothingRetainedStartsAtItsNextOffset() {
    assertEquals(7, new RetentionSegments(SHAPE).firstRetainedOffset(7));
  }

  @Test
  void aSnapshotKeepsTheSegmentsAndWhatWasDeleted() {
    RetentionSegments segments = entries(10, 0);
    segments.deletedThrough(2);
    PartitionSnapshot.Builder snapshot = PartitionSnapshot.newBuilder();
    segments.writeTo(snapshot);
    RetentionSegments restored = RetentionSegments.of(snapshot.build(), SHAPE);
    assertEquals(segments.segmentCount(), restored.segmentCount());
    assertEquals(segments.retainedBytes(), restored.retainedBytes());
    assertEquals(2, restored.deletedThroughSequence());
    assertEquals(segments.deletable(bytes(1), 0, ALL_SNAPSHOTTED), restored.deletable(bytes(1), 0, ALL_SNAPSHOTTED));
    restored.append(11, 100, 10, 50, 10_000);
    assertTrue(restored.openSegmentStartsAt(11));
  }

  @Test
  void aSnapshotFromBeforeRetentionCountsFromTheNextEntry() {
    RetentionSegments restored = RetentionSegments.of(PartitionSnapshot.newBuilder().setLastSequence(40).build(), SHAPE);
    assertEquals(0, restored.segmentCount());
    restored.append(41, 400, 10, 50, 0);
    assertEquals(400, restored.firstRetainedOffset(410));
  }

  @Test
  void theNodeDefaultFillsWhatATopicLeavesUnset() {
    Retention nodeDefault = new Retention(Optional.of(Duration.ofDays(7)), OptionalLong.of(1000));
    assertEquals(nodeDefault, Retention.of(Retention.NODE_DEFAULT, Retention.NODE_DEFAULT, nodeDefault));
    assertEquals(new Retention(Optional.of(Duration.ofHours(1)), OptionalLong.empty()),
        Retention.of(3_600_000, Retention.UNBOUNDED, nodeDefault));
  }

  @Test
  void theDedupWindowIsReadBackFromTheOldestSegmentWhoseLastEntryIsWithinTheSpanOfTheNewest() {
    RetentionSegments segments = entries(10, 0);
    DedupWindow.Settings dedup = new DedupWindow.Settings(Duration.ofMillis(3500), Long.MAX_VALUE);
    assertEquals(OptionalLong.of(7), segments.firstSequenceWithin(dedup, 100, 10),
        "entry 6 (at 5 s) is older than 3.5 s before entry 10 (at 9 s); 7 and 8 share a segment");
  }

  @Test
  void theDedupWindowIsReadBackFromTheOldestSegmentThatWhatFollowsItLeavesRoomFor() {
    RetentionSegments segments = entries(10, 0);
    DedupWindow.Settings dedup = new DedupWindow.Settings(Duration.ofHours(1), DedupWindow.countedBytes(30, 3));
    assertEquals(OptionalLong.of(7), segments.firstSequenceWithin(dedup, 100, 10),
        "the cap holds entries 8 to 10; entries 9 and 10 leave room for part of segment 7-8, not of 5-6");
    assertEquals(OptionalLong.empty(), new RetentionSegments(SHAPE).firstSequenceWithin(dedup, 0, 0));
  }

  @Test
  void aReaderHoldsBackTheSegmentsItHasNotReadWhileTheyAreYoungerThanTheWait() {
    RetentionSegments segments = entries(9, 0);
    // Segments [1,2] [3,4] [5,6] [7,8] [9]: retention alone takes 8.
    assertEquals(Optional.of(new RetentionSegments.Deletion(4, OptionalLong.empty())),
        segments.deletable(bytes(1), 10_000, ALL_SNAPSHOTTED, OptionalLong.of(5), Duration.ofDays(1)));
    assertEquals(Optional.empty(),
        segments.deletable(bytes(1), 10_000, ALL_SNAPSHOTTED, OptionalLong.of(1), Duration.ofDays(1)));
    assertEquals(Optional.of(new RetentionSegments.Deletion(8, OptionalLong.empty())),
        segments.deletable(bytes(1), 10_000, ALL_SNAPSHOTTED, OptionalLong.empty(), Duration.ofDays(1)),
        "a journal no reader follows waits for none");
  }

  @Test
  void segmentsAReaderHasNotReadGoOnceOlderThanTheWaitAndWhatItLosesIsNamed() {
    RetentionSegments segments = entries(9, 0);
    // Entry n is appended at n - 1 s; at 10 s with a 5 s wait, the segments whose last entry came at 5 s or before
    // go: [1,2] read, [3,4] and [5,6] unread.
    assertEquals(Optional.of(new RetentionSegments.Deletion(6, OptionalLong.of(3))),
        segments.deletable(bytes(1), 10_000, ALL_SNAPSHOTTED, OptionalLong.of(2), Duration.ofSeconds(5)));
    segments.deletedThrough(6);
    assertEquals(Optional.of(new RetentionSegments.Deletion(8, OptionalLong.of(7))),
        segments.deletable(bytes(1), 60_000, ALL_SNAPSHOTTED, OptionalLong.of(2), Duration.ofSeconds(5)),
        "entries deleted before are not counted again");
  }
}
