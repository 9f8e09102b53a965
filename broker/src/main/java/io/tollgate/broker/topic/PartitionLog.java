package io.tollgate.broker.topic;

import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.DedupEntry;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The state of one topic partition: the next offset, the last journal entry, the window of
 * recently stored events that makes publishing idempotent ({@link DedupWindow}), and the
 * journal's segments for retention. Mutated by {@link #apply}, and by what happened to the
 * journal outside it (a snapshot saved, entries deleted, the window rebuilt); {@link #plan}
 * decides an append without changing anything.
 */
public final class PartitionLog {
  private final DedupWindow.Settings dedup;
  private long nextOffset;
  private long lastSequence;
  private long snapshotSequence;
  private DedupWindow window;
  /**
   * Whether the window saw every entry it may hold: true unless the state came from a snapshot,
   * which does not carry the window, so that recovery rebuilds it from the journal.
   */
  private boolean windowComplete = true;
  /** From an old snapshot that still carried (source, id) pairs: the entry of the oldest one (0: none). */
  private long legacyWindowFrom;
  private final RetentionSegments segments;

  public PartitionLog(DedupWindow.Settings dedup, RetentionSegments.Shape shape) {
    this(dedup, new RetentionSegments(shape));
  }

  private PartitionLog(DedupWindow.Settings dedup, RetentionSegments segments) {
    this.dedup = dedup;
    this.window = new DedupWindow(dedup);
    this.segments = segments;
  }

  public record EventKey(String source, String id) {
    static EventKey of(CloudEvent event) {
      return new EventKey(event.getSource(), event.getId());
    }
  }

  /**
   * What an append will do: the events to write and every submitted event's position; {@code keys}
   * are the written events' window keys, so that applying the entry need not digest them again.
   */
  public record AppendPlan(List<CloudEvent> toWrite, List<StoredPosition> positions, List<DedupWindow.Key> keys) {
    public boolean writesNothing() {
      return toWrite.isEmpty();
    }

    /** Whether {@code appended} is the entry this plan wrote (the same event objects). */
    public boolean wrote(EventsAppended appended) {
      return !toWrite.isEmpty() && appended.getEventsCount() == toWrite.size() && appended.getEvents(0) == toWrite.get(0);
    }
  }

  /** An event already in the window (stored within its span before {@code nowMillis}) or earlier in the batch is a duplicate. */
  public AppendPlan plan(List<CloudEvent> events, long nowMillis) {
    long sequence = lastSequence + 1;
    List<CloudEvent> toWrite = new ArrayList<>(events.size());
    List<StoredPosition> positions = new ArrayList<>(events.size());
    List<DedupWindow.Key> keys = new ArrayList<>(events.size());
    Map<EventKey, StoredPosition> inThisBatch = new HashMap<>();
    for (CloudEvent event : events) {
      EventKey key = EventKey.of(event);
      StoredPosition earlier = inThisBatch.get(key);
      DedupWindow.Key windowKey = null;
      if (earlier == null) {
        windowKey = DedupWindow.Key.of(key.source(), key.id());
        earlier = window.find(windowKey, nowMillis);
      }
      if (earlier != null) {
        positions.add(earlier.asDuplicate());
        continue;
      }
      StoredPosition position = new StoredPosition(nextOffset + toWrite.size(), sequence, toWrite.size(), false);
      inThisBatch.put(key, position);
      toWrite.add(event);
      keys.add(windowKey);
      positions.add(position);
    }
    return new AppendPlan(toWrite, positions, keys);
  }

  public void apply(EventsAppended appended) {
    apply(appended, keysOf(appended));
  }

  /** Applies {@code appended}, whose events' window keys are {@code keys} (see {@link AppendPlan#keys}). */
  public void apply(EventsAppended appended, List<DedupWindow.Key> keys) {
    long sequence = lastSequence + 1;
    window.add(sequence, appended.getFirstOffset(), appended.getAppendedAtMillis(), keys);
    long bytes = 0;
    for (CloudEvent event : appended.getEventsList()) {
      bytes += event.getSerializedSize();
    }
    nextOffset = appended.getFirstOffset() + appended.getEventsCount();
    lastSequence = sequence;
    segments.append(sequence, appended.getFirstOffset(), appended.getEventsCount(), bytes,
        appended.getAppendedAtMillis());
  }

  /** Adds a journal entry's events to {@code window}: as they are applied, and when the window is rebuilt. */
  static void addToWindow(DedupWindow window, long sequence, EventsAppended appended) {
    window.add(sequence, appended.getFirstOffset(), appended.getAppendedAtMillis(), keysOf(appended));
  }

  static List<DedupWindow.Key> keysOf(EventsAppended appended) {
    List<DedupWindow.Key> keys = new ArrayList<>(appended.getEventsCount());
    for (CloudEvent event : appended.getEventsList()) {
      keys.add(DedupWindow.Key.of(event.getSource(), event.getId()));
    }
    return keys;
  }

  /**
   * The first journal entry to read to rebuild the window, when it may hold entries this state
   * did not see (it came from a snapshot): the oldest retained segment that may still be in
   * the window, or the entry of an old snapshot's oldest pair. Empty when recovery replayed
   * every entry the window may hold.
   */
  public OptionalLong windowRebuildFrom() {
    if (windowComplete || lastSequence == 0) {
      return OptionalLong.empty();
    }
    OptionalLong fromSegments = segments.firstSequenceWithin(dedup, nextOffset, lastSequence);
    long from = fromSegments.orElse(lastSequence + 1);
    if (legacyWindowFrom > 0) {
      from = Math.min(from, legacyWindowFrom);
    }
    from = Math.max(from, segments.deletedThroughSequence() + 1);
    return from > snapshotSequence ? OptionalLong.empty() : OptionalLong.of(from);
  }

  /** An empty window, for a rebuild to fill. */
  public DedupWindow newWindow() {
    return new DedupWindow(dedup);
  }

  /** The window rebuilt from the journal's entries up to {@link #lastSequence} replaces the one recovery made. */
  public void windowRebuilt(DedupWindow rebuilt) {
    window = rebuilt;
    windowComplete = true;
  }

  public DedupWindow window() {
    return window;
  }

  /** A snapshot of the state at {@code sequence} is durable: entries up to it may be deleted. */
  public void snapshotSaved(long sequence) {
    snapshotSequence = Math.max(snapshotSequence, sequence);
  }

  /** The latest entry a durable snapshot covers (0: none known). */
  public long snapshotSequence() {
    return snapshotSequence;
  }

  public RetentionSegments segments() {
    return segments;
  }

  public long nextOffset() {
    return nextOffset;
  }

  public long lastSequence() {
    return lastSequence;
  }

  /** Offsets and segments; not the window, which a snapshot every few thousand entries would copy whole. */
  public PartitionSnapshot toSnapshot() {
    PartitionSnapshot.Builder snapshot = PartitionSnapshot.newBuilder()
        .setNextOffset(nextOffset).setLastSequence(lastSequence);
    segments.writeTo(snapshot);
    return snapshot.build();
  }

  /** Reads snapshots of every release; the pairs older ones carry only say where to start reading the journal. */
  public static PartitionLog fromSnapshot(PartitionSnapshot snapshot, DedupWindow.Settings dedup,
                                          RetentionSegments.Shape shape) {
    PartitionLog log = new PartitionLog(dedup, RetentionSegments.of(snapshot, shape));
    log.nextOffset = snapshot.getNextOffset();
    log.lastSequence = snapshot.getLastSequence();
    log.snapshotSequence = snapshot.getLastSequence();
    log.windowComplete = false;
    log.legacyWindowFrom = snapshot.getDedupList().stream().mapToLong(DedupEntry::getSequence).min().orElse(0);
    return log;
  }
}
