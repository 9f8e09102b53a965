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
 * The heap of the entries it holds is charged to its share of the node's tail budget while it
 * holds them, and it gives its oldest back when the budget asks ({@link #evictOldest}).
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
  private final TailBudget.Share share;
  /** Held entries from {@code head} on; the places before it were dropped, and are given back now and then. */
  private ArrayList<TailEntry> entries = new ArrayList<>();
  private int head;
  private long start = NOT_STARTED;
  private long bytes;

  /** {@code maxBytes}: the bound of this buffer alone, in stored bytes; {@code share}: its part of the node's budget. */
  TailBuffer(long maxBytes, TailBudget.Share share) {
    this.maxBytes = maxBytes;
    this.share = share;
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

  /** The stored bytes of the entries held. */
  long bytes() {
    return bytes;
  }

  /** The heap the entries held take, as estimated, rendered pieces included. */
  long heapBytes() {
    return share.held();
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
      dropAll();
      entries = new ArrayList<>();
      head = 0;
      start = entry.sequence();
    }
    entries.add(entry);
    bytes += entry.bytes();
    entry.heap().holdIn(share);
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

  /**
   * Drops the oldest entries until {@code heapBytes} of heap are given back or none is left, for
   * the node's budget; the buffer goes on from where it stands, as after {@link #dropBefore}.
   */
  TailBudget.Evicted evictOldest(long heapBytes) {
    int evicted = 0;
    long freed = 0;
    while (held() > 0 && freed < heapBytes) {
      freed += dropOldest();
      evicted++;
    }
    giveBackDropped();
    return new TailBudget.Evicted(evicted, freed);
  }

  /** Drops every entry: the tail is closing. */
  void dropAll() {
    while (held() > 0) {
      dropOldest();
    }
    giveBackDropped();
  }

  /** The heap given back. */
  private long dropOldest() {
    TailEntry oldest = entries.get(head);
    bytes -= oldest.bytes();
    entries.set(head, null);
    head++;
    start++;
    return oldest.heap().release();
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
