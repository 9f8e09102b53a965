package io.tollgate.broker.subscription;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent entries of one partition's journal, held for every stream of this node that
 * reads near the end: appended in sequence by the partition's one reader, and dropped oldest
 * first once their bytes pass {@code maxBytes} (the newest entry is always kept) or once no
 * stream needs them ({@link #dropBefore}). A stream asks
 * for what follows its position and learns whether the buffer has it, whether it is behind the
 * buffer (it reads the journal itself, then asks again) or whether it is at the end (it waits).
 * Not thread-safe: {@link PartitionTail} guards it.
 */
final class TailBuffer {
  sealed interface Read {}

  /** Entries in sequence, starting at the position asked for. */
  record Entries(List<TailEntry> entries) implements Read {}

  /** The buffer starts after the position asked for, or has not started: read the journal. */
  record Behind() implements Read {}

  /** Nothing after the position yet. */
  record AtEnd() implements Read {}

  private static final long NOT_STARTED = -1;

  private final long maxBytes;
  /** Held entries from {@code head} on; the places before it were dropped, and are given back now and then. */
  private ArrayList<TailEntry> entries = new ArrayList<>();
  private int head;
  private long start = NOT_STARTED;
  private long bytes;

  TailBuffer(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  boolean started() {
    return start != NOT_STARTED;
  }

  /** Starts an empty buffer at {@code sequence}: the next entry it holds is that one. */
  void startAt(long sequence) {
    if (!started()) {
      start = sequence;
    }
  }

  /** The sequence number of the next entry to append (the one to read next from the journal). */
  long next() {
    return start + held();
  }

  long bytes() {
    return bytes;
  }

  /**
   * Appends an entry read from the journal at {@link #next()}. One from before it was already
   * appended and is ignored; one after it (the journal skipped some, as after a deletion) starts
   * the buffer afresh there, so streams before it read the journal.
   */
  void append(TailEntry entry) {
    if (!started() || entry.sequence() < next()) {
      return;
    }
    if (entry.sequence() > next()) {
      entries = new ArrayList<>();
      head = 0;
      bytes = 0;
      start = entry.sequence();
    }
    entries.add(entry);
    bytes += entry.bytes();
    while (bytes > maxBytes && held() > 1) {
      dropOldest();
    }
    giveBackDropped();
  }

  /**
   * Drops the entries before {@code sequence}, which no reader needs any more; the buffer goes on
   * from where it stands ({@link #next()} does not move), and a reader before it reads the journal.
   */
  void dropBefore(long sequence) {
    while (held() > 0 && start < sequence) {
      dropOldest();
    }
    giveBackDropped();
  }

  private void dropOldest() {
    bytes -= entries.get(head).bytes();
    entries.set(head, null);
    head++;
    start++;
  }

  private void giveBackDropped() {
    if (head > 64 && head > entries.size() / 2) {
      entries = new ArrayList<>(entries.subList(head, entries.size()));
      head = 0;
    }
  }

  private int held() {
    return entries.size() - head;
  }

  /** What follows {@code from}: up to {@code max} entries, or where the reader stands. */
  Read read(long from, int max) {
    if (!started() || from < start) {
      return new Behind();
    }
    if (from >= next()) {
      return new AtEnd();
    }
    int first = head + (int) (from - start);
    int end = Math.min(entries.size(), first + max);
    return new Entries(List.copyOf(entries.subList(first, end)));
  }
}
