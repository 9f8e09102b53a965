package io.tollgate.broker.topic;

import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import io.tollgate.protocols.v1.journal.RetentionSegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A partition's journal as retention sees it: runs of consecutive entries (segments) with their
 * size and age, so that deciding what to delete needs neither a read of the journal nor a record
 * per entry in memory. A segment closes when it holds {@link Shape#segmentBytes} or spans
 * {@link Shape#segmentSpan}; retention deletes closed segments only, oldest first, and only
 * those a snapshot covers, so recovery never needs a deleted entry.
 */
public final class RetentionSegments {

  /** When a segment closes: whichever bound it reaches first. */
  public record Shape(long segmentBytes, Duration segmentSpan) {}

  record Segment(long firstSequence, long lastSequence, long firstOffset, long endOffset, long bytes,
                 long firstAppendedAtMillis, long lastAppendedAtMillis) {
    Segment plus(long sequence, long endOffset, long bytes, long appendedAtMillis) {
      return new Segment(firstSequence, sequence, firstOffset, endOffset, this.bytes + bytes,
          firstAppendedAtMillis, appendedAtMillis);
    }

    boolean isFull(Shape shape, long nowMillis) {
      return bytes >= shape.segmentBytes() || nowMillis - firstAppendedAtMillis >= shape.segmentSpan().toMillis();
    }
  }

  private final Shape shape;
  private final ArrayDeque<Segment> segments = new ArrayDeque<>();
  private long retainedBytes;
  private long deletedThroughSequence;

  public RetentionSegments(Shape shape) {
    this.shape = shape;
  }

  /** Counts one journal entry, in a new segment if the open one is full. */
  public void append(long sequence, long firstOffset, int events, long bytes, long appendedAtMillis) {
    Segment open = segments.peekLast();
    retainedBytes += bytes;
    long endOffset = firstOffset + events;
    if (open == null || open.isFull(shape, appendedAtMillis)) {
      segments.addLast(new Segment(sequence, sequence, firstOffset, endOffset, bytes, appendedAtMillis, appendedAtMillis));
      return;
    }
    segments.removeLast();
    segments.addLast(open.plus(sequence, endOffset, bytes, appendedAtMillis));
  }

  /**
   * The last journal entry to delete now, if any: closed segments, oldest first, while the
   * oldest is past {@code retention}'s time or the partition holds more than its bytes. Only
   * segments up to {@code snapshotSequence} (the latest durable snapshot) qualify.
   */
  public OptionalLong deletable(Retention retention, long nowMillis, long snapshotSequence) {
    if (retention.keepsEverything()) {
      return OptionalLong.empty();
    }
    long remaining = retainedBytes;
    OptionalLong through = OptionalLong.empty();
    Iterator<Segment> oldestFirst = segments.iterator();
    for (int closed = segments.size() - 1; closed > 0; closed--) {
      Segment segment = oldestFirst.next();
      boolean expired = retention.time().isPresent()
          && nowMillis - segment.lastAppendedAtMillis() > retention.time().get().toMillis();
      boolean tooLarge = retention.bytes().isPresent() && remaining > retention.bytes().getAsLong();
      if (segment.lastSequence() > snapshotSequence || !(expired || tooLarge)) {
        break;
      }
      through = OptionalLong.of(segment.lastSequence());
      remaining -= segment.bytes();
    }
    return through;
  }

  /**
   * What retention deletes now: entries up to {@code through}; of them, those from
   * {@code unreadFrom} on (if present) a reader had not read, since it waited longer than the
   * longest a reader is waited for.
   */
  public record Deletion(long through, OptionalLong unreadFrom) {}

  /**
   * What {@link #deletable} allows, and no segment that a reader of the journal has not read
   * ({@code readersFloor}: the lowest position of those that follow it; empty when none does)
   * unless its last entry is older than {@code maxReaderWait}: a reader stuck that long is no
   * longer waited for, and the entries it loses are reported ({@link Deletion#unreadFrom}).
   */
  public Optional<Deletion> deletable(Retention retention, long nowMillis, long snapshotSequence,
                                      OptionalLong readersFloor, Duration maxReaderWait) {
    OptionalLong allowed = deletable(retention, nowMillis, snapshotSequence);
    if (allowed.isEmpty()) {
      return Optional.empty();
    }
    long floor = readersFloor.orElse(Long.MAX_VALUE);
    OptionalLong through = OptionalLong.empty();
    for (Segment segment : segments) {
      boolean read = segment.lastSequence() <= floor;
      boolean waitedLongEnough = nowMillis - segment.lastAppendedAtMillis() >= maxReaderWait.toMillis();
      if (segment.lastSequence() > allowed.getAsLong() || !(read || waitedLongEnough)) {
        break;
      }
      through = OptionalLong.of(segment.lastSequence());
    }
    if (through.isEmpty()) {
      return Optional.empty();
    }
    if (floor >= through.getAsLong()) {
      return Optional.of(new Deletion(through.getAsLong(), OptionalLong.empty()));
    }
    return Optional.of(new Deletion(through.getAsLong(), OptionalLong.of(Math.max(floor, deletedThroughSequence) + 1)));
  }

  /**
   * The first entry of the oldest segment that may hold an entry of the deduplication window,
   * given the partition's {@code nextOffset} and {@code lastSequence}: segments, newest first,
   * while their last entry is within the span before the newest entry and what follows them
   * counts less than the cap. Empty when no segment is known.
   */
  public OptionalLong firstSequenceWithin(DedupWindow.Settings dedup, long nextOffset, long lastSequence) {
    if (segments.isEmpty()) {
      return OptionalLong.empty();
    }
    long newest = segments.peekLast().lastAppendedAtMillis();
    long from = segments.peekLast().firstSequence();
    Iterator<Segment> newestFirst = segments.descendingIterator();
    while (newestFirst.hasNext()) {
      Segment segment = newestFirst.next();
      long after = DedupWindow.countedBytes(nextOffset - segment.endOffset(), lastSequence - segment.lastSequence());
      if (segment.lastAppendedAtMillis() < newest - dedup.span().toMillis() || after >= dedup.maxBytes()) {
        break;
      }
      from = segment.firstSequence();
    }
    return OptionalLong.of(from);
  }

  /** The journal's entries up to {@code sequence} are gone. */
  public void deletedThrough(long sequence) {
    while (!segments.isEmpty() && segments.peekFirst().lastSequence() <= sequence) {
      retainedBytes -= segments.removeFirst().bytes();
    }
    deletedThroughSequence = Math.max(deletedThroughSequence, sequence);
  }

  /** Entries up to this sequence number were deleted (0: none). */
  public long deletedThroughSequence() {
    return deletedThroughSequence;
  }

  /** The offset of the oldest event still stored, or {@code nextOffset} when none is. */
  public long firstRetainedOffset(long nextOffset) {
    return segments.isEmpty() ? nextOffset : segments.peekFirst().firstOffset();
  }

  public long retainedBytes() {
    return retainedBytes;
  }

  /** Whether the segment still growing began at {@code sequence}. */
  public boolean openSegmentStartsAt(long sequence) {
    return !segments.isEmpty() && segments.peekLast().firstSequence() == sequence;
  }

  public int segmentCount() {
    return segments.size();
  }

  void writeTo(PartitionSnapshot.Builder snapshot) {
    snapshot.setDeletedThroughSequence(deletedThroughSequence);
    segments.forEach(segment -> snapshot.addSegments(RetentionSegment.newBuilder()
        .setFirstSequence(segment.firstSequence()).setLastSequence(segment.lastSequence())
        .setFirstOffset(segment.firstOffset()).setEndOffset(segment.endOffset()).setBytes(segment.bytes())
        .setFirstAppendedAtMillis(segment.firstAppendedAtMillis())
        .setLastAppendedAtMillis(segment.lastAppendedAtMillis())));
  }

  static RetentionSegments of(PartitionSnapshot snapshot, Shape shape) {
    RetentionSegments segments = new RetentionSegments(shape);
    segments.deletedThroughSequence = snapshot.getDeletedThroughSequence();
    List<RetentionSegment> stored = snapshot.getSegmentsList();
    for (RetentionSegment segment : stored) {
      segments.segments.addLast(new Segment(segment.getFirstSequence(), segment.getLastSequence(),
          segment.getFirstOffset(), segment.getEndOffset(), segment.getBytes(),
          segment.getFirstAppendedAtMillis(), segment.getLastAppendedAtMillis()));
      segments.retainedBytes += segment.getBytes();
    }
    return segments;
  }
}
