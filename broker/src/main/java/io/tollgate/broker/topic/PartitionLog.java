package io.tollgate.broker.topic;

import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.DedupEntry;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one topic partition: the next offset, the last journal entry, a window of
 * recently stored (source, id) pairs that makes publishing idempotent, and the journal's
 * segments for retention. Mutated by {@link #apply}, and by what happened to the journal
 * outside it (a snapshot saved, entries deleted); {@link #plan} decides an append without
 * changing anything.
 */
public final class PartitionLog {
  private final int dedupWindow;
  private long nextOffset;
  private long lastSequence;
  private long snapshotSequence;
  private final LinkedHashMap<EventKey, StoredPosition> recent = new LinkedHashMap<>();
  private final RetentionSegments segments;

  public PartitionLog(int dedupWindow, RetentionSegments.Shape shape) {
    this(dedupWindow, new RetentionSegments(shape));
  }

  private PartitionLog(int dedupWindow, RetentionSegments segments) {
    this.dedupWindow = dedupWindow;
    this.segments = segments;
  }

  public record EventKey(String source, String id) {
    static EventKey of(CloudEvent event) {
      return new EventKey(event.getSource(), event.getId());
    }
  }

  /** What an append will do: the events to write and every submitted event's position. */
  public record AppendPlan(List<CloudEvent> toWrite, List<StoredPosition> positions) {
    public boolean writesNothing() {
      return toWrite.isEmpty();
    }
  }

  public AppendPlan plan(List<CloudEvent> events) {
    long sequence = lastSequence + 1;
    List<CloudEvent> toWrite = new ArrayList<>(events.size());
    List<StoredPosition> positions = new ArrayList<>(events.size());
    Map<EventKey, StoredPosition> inThisBatch = new HashMap<>();
    for (CloudEvent event : events) {
      EventKey key = EventKey.of(event);
      StoredPosition earlier = recent.get(key);
      if (earlier == null) {
        earlier = inThisBatch.get(key);
      }
      if (earlier != null) {
        positions.add(earlier.asDuplicate());
        continue;
      }
      StoredPosition position = new StoredPosition(nextOffset + toWrite.size(), sequence, toWrite.size(), false);
      inThisBatch.put(key, position);
      toWrite.add(event);
      positions.add(position);
    }
    return new AppendPlan(toWrite, positions);
  }

  public void apply(EventsAppended appended) {
    long sequence = lastSequence + 1;
    List<CloudEvent> events = appended.getEventsList();
    long bytes = 0;
    for (int index = 0; index < events.size(); index++) {
      remember(EventKey.of(events.get(index)), new StoredPosition(appended.getFirstOffset() + index, sequence, index, false));
      bytes += events.get(index).getSerializedSize();
    }
    nextOffset = appended.getFirstOffset() + events.size();
    lastSequence = sequence;
    segments.append(sequence, appended.getFirstOffset(), events.size(), bytes, appended.getAppendedAtMillis());
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

  private void remember(EventKey key, StoredPosition position) {
    recent.put(key, position);
    if (recent.size() > dedupWindow) {
      Iterator<EventKey> oldest = recent.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  public long nextOffset() {
    return nextOffset;
  }

  public long lastSequence() {
    return lastSequence;
  }

  public PartitionSnapshot toSnapshot() {
    PartitionSnapshot.Builder snapshot = PartitionSnapshot.newBuilder()
        .setNextOffset(nextOffset).setLastSequence(lastSequence);
    recent.forEach((key, position) -> snapshot.addDedup(DedupEntry.newBuilder()
        .setSource(key.source()).setId(key.id())
        .setOffset(position.offset()).setSequence(position.sequence()).setIndex(position.index())));
    segments.writeTo(snapshot);
    return snapshot.build();
  }

  public static PartitionLog fromSnapshot(PartitionSnapshot snapshot, int dedupWindow, RetentionSegments.Shape shape) {
    PartitionLog log = new PartitionLog(dedupWindow, RetentionSegments.of(snapshot, shape));
    log.nextOffset = snapshot.getNextOffset();
    log.lastSequence = snapshot.getLastSequence();
    log.snapshotSequence = snapshot.getLastSequence();
    for (DedupEntry entry : snapshot.getDedupList()) {
      log.remember(new EventKey(entry.getSource(), entry.getId()),
          new StoredPosition(entry.getOffset(), entry.getSequence(), entry.getIndex(), false));
    }
    return log;
  }
}
