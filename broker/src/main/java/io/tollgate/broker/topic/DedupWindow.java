package io.tollgate.broker.topic;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import org.agrona.collections.Long2LongHashMap;

/**
 * The events a partition stored recently, by a 128-bit digest of their (source, id), so that a
 * retried publish is answered with the first copy's position instead of being stored twice.
 * Stated by time ({@link Settings#span}) and capped in bytes ({@link Settings#maxBytes}): when the
 * cap is reached first, the oldest journal entries leave early and the window is shorter than
 * its span ({@link #reachMillis}). It lives in heap only. What is on disk is the partition
 * journal, from which the window is rebuilt after a restart or a move to another node (see
 * {@link PartitionJournal}); what it holds depends only on the entries added, in order, so a
 * rebuilt window answers as the one it replaces.
 *
 * <p>No false duplicate: an event is a duplicate only when all 128 bits of a SHA-256 digest
 * match. By chance that takes some 2^64 events in one window; on purpose, a second preimage of
 * SHA-256. A producer cannot make another producer's event look like its own retry.
 */
public final class DedupWindow {
  /** Bytes counted for each event: 16 for its digest, 48 for its place in the index at worst. */
  static final long EVENT_BYTES = 64;
  /** Bytes counted for each journal entry: its sequence, first offset and time. */
  static final long ENTRY_BYTES = 24;
  private static final long NONE = -1;
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  });

  /** {@code span}: how long a stored event is remembered; {@code maxBytes}: the most the window counts. */
  public record Settings(Duration span, long maxBytes) {}

  /** An event's identity as the window holds it: the first 128 bits of SHA-256 of its source and id. */
  public record Key(long high, long low) {
    public static Key of(String source, String id) {
      byte[] sourceBytes = source.getBytes(StandardCharsets.UTF_8);
      MessageDigest digest = SHA_256.get();
      digest.update(ByteBuffer.allocate(4).putInt(sourceBytes.length).array());
      digest.update(sourceBytes);
      ByteBuffer hashed = ByteBuffer.wrap(digest.digest(id.getBytes(StandardCharsets.UTF_8)));
      return new Key(hashed.getLong(), hashed.getLong());
    }
  }

  private final long spanMillis;
  private final long maxBytes;
  /** Each event's key, by offset from {@link #firstOffset}. */
  private final LongRing events = new LongRing(2);
  /** Each journal entry: sequence, first offset, appended at. */
  private final LongRing entries = new LongRing(3);
  /** The newest offset of each key's high half; the low half is checked in {@link #events}. */
  private final Long2LongHashMap offsetByHigh = new Long2LongHashMap(NONE);
  private long firstOffset;
  private long latestAppendedAt = Long.MIN_VALUE;
  /** When the newest entry the byte cap removed was appended (MIN_VALUE: none was). */
  private long capEvictedThrough = Long.MIN_VALUE;

  public DedupWindow(Settings settings) {
    this.spanMillis = settings.span().toMillis();
    this.maxBytes = settings.maxBytes();
  }

  /** What {@code events} events in {@code entries} journal entries count against the cap. */
  static long countedBytes(long events, long entries) {
    return events * EVENT_BYTES + entries * ENTRY_BYTES;
  }

  /**
   * Adds one journal entry, whose events follow the window's last, then removes the oldest
   * entries while the oldest is older than the span before the newest, or the window counts
   * more than its cap. The newest entry stays even when it alone counts more, so that the
   * node's own retry of an append that was written (Publisher) is always recognised.
   */
  public void add(long sequence, long entryFirstOffset, long appendedAtMillis, List<Key> keys) {
    if (entries.size() > 0 && entryFirstOffset != firstOffset + events.size()) {
      // Entries the journal no longer has (a read that started in a deleted stretch): what
      // precedes a gap cannot be told apart from what is missing, so the window starts over.
      while (entries.size() > 0) {
        removeOldestEntry();
      }
    }
    if (entries.size() == 0) {
      firstOffset = entryFirstOffset;
    }
    int entry = entries.addLast();
    entries.set(entry, 0, sequence);
    entries.set(entry, 1, entryFirstOffset);
    entries.set(entry, 2, appendedAtMillis);
    for (int index = 0; index < keys.size(); index++) {
      Key key = keys.get(index);
      int event = events.addLast();
      events.set(event, 0, key.high());
      events.set(event, 1, key.low());
      offsetByHigh.put(key.high(), entryFirstOffset + index);
    }
    latestAppendedAt = Math.max(latestAppendedAt, appendedAtMillis);
    expire(latestAppendedAt);
    while (entries.size() > 1 && countedBytes() > maxBytes) {
      capEvictedThrough = Math.max(capEvictedThrough, entries.get(0, 2));
      removeOldestEntry();
    }
  }

  /** Removes the entries older than the span before {@code nowMillis}; they would not be found anyway. */
  public void expire(long nowMillis) {
    while (entries.size() > 0 && entries.get(0, 2) < nowMillis - spanMillis) {
      removeOldestEntry();
    }
    if (offsetByHigh.capacity() > 1024 && offsetByHigh.size() * 8L < offsetByHigh.capacity()) {
      offsetByHigh.compact();
    }
  }

  /** The stored event with this key, if it was appended within the span before {@code nowMillis}; else null. */
  public StoredPosition find(Key key, long nowMillis) {
    long offset = offsetByHigh.get(key.high());
    if (offset == NONE || events.get((int) (offset - firstOffset), 1) != key.low()) {
      return null;
    }
    int entry = entryOf(offset);
    if (entries.get(entry, 2) < nowMillis - spanMillis) {
      return null;
    }
    return new StoredPosition(offset, entries.get(entry, 0), (int) (offset - entries.get(entry, 1)), true);
  }

  /**
   * How far back, from {@code nowMillis}, a retry is recognised: the span, or less when the cap
   * removed entries appended since {@code nowMillis - span}.
   */
  public long reachMillis(long nowMillis) {
    return reachMillis(spanMillis, capEvictedThrough, nowMillis);
  }

  static long reachMillis(long spanMillis, long capEvictedThrough, long nowMillis) {
    if (capEvictedThrough == Long.MIN_VALUE || capEvictedThrough < nowMillis - spanMillis) {
      return spanMillis;
    }
    return Math.max(0, nowMillis - capEvictedThrough - 1);
  }

  public long spanMillis() {
    return spanMillis;
  }

  /** When the newest entry the byte cap removed was appended; {@link Long#MIN_VALUE} when none was. */
  public long capEvictedThrough() {
    return capEvictedThrough;
  }

  /** What the window counts against its cap. */
  public long countedBytes() {
    return countedBytes(events.size(), entries.size());
  }

  /** The heap its arrays take now (the measure in docs/benchmarks.md). */
  public long allocatedBytes() {
    return events.allocatedBytes() + entries.allocatedBytes() + 16L * offsetByHigh.capacity();
  }

  public int eventCount() {
    return events.size();
  }

  /** The sequence of the oldest entry held, or 0 when none is. */
  public long firstSequence() {
    return entries.size() == 0 ? 0 : entries.get(0, 0);
  }

  private void removeOldestEntry() {
    long end = entries.size() > 1 ? entries.get(1, 1) : firstOffset + events.size();
    while (firstOffset < end) {
      long high = events.get(0, 0);
      if (offsetByHigh.get(high) == firstOffset) {
        offsetByHigh.remove(high);
      }
      events.removeFirst();
      firstOffset++;
    }
    entries.removeFirst();
  }

  /** The position of the entry holding {@code offset}, by binary search on first offsets. */
  private int entryOf(long offset) {
    int low = 0;
    int high = entries.size() - 1;
    while (low < high) {
      int middle = (low + high + 1) >>> 1;
      if (entries.get(middle, 1) <= offset) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return low;
  }
}
