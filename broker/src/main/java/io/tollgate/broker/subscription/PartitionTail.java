package io.tollgate.broker.subscription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One partition's shared tail on this node: the buffer of its latest entries, the streams
 * waiting at its end, and the one reader that fills it. The reader reads the journal from where
 * the buffer ends when the partition announces a write ({@link #advanced}), one read at a time,
 * and reads again while reads find entries; a read that finds entries wakes every waiting
 * stream once. So a write costs one journal read and one decoding per node, however many
 * streams read the partition, and a stream waiting at the end costs nothing until then. A
 * stream behind the buffer reads the journal itself ({@link #readJournal}) until it reaches the
 * buffer; the first stream to reach the end of the journal starts the buffer there
 * ({@link #reachedEnd}).
 *
 * <p>The buffer holds only what a stream of this node still needs: each write drops the entries
 * before the position of the slowest stream, so that behind streams at the end it holds next to
 * nothing. Entries held for seconds outlive several young collections, and the collector copies
 * each of them every time: at 1,000 events/s a buffer kept full to its bound held the last ~35 s
 * of events, ~85 MB of heap that every young collection copied from, pauses that land in every
 * stream's latency (docs/benchmarks.md). A stream that falls behind still keeps what it has not
 * read, up to the bound.
 *
 * <p>The tails of a node also share one heap budget ({@link TailBudget}): when they hold more
 * together, the tail holding most gives its oldest entries back ({@link #evictOldest}), and its
 * streams behind them read the journal, as a stream behind the bound does.
 */
final class PartitionTail implements TailBudget.Tail {
  /** One bounded read of the partition's journal from a sequence number on; empty at its end. */
  interface Journal {
    CompletionStage<List<TailEntry>> read(long fromSequence);
  }

  /**
   * Whether the partition's journal may hold an entry at {@code fromSequence} or after, asked
   * without reading it where the store can say so cheaply; true where it cannot.
   */
  interface Probe {
    CompletionStage<Boolean> mayHoldFrom(long fromSequence);

    Probe ALWAYS = fromSequence -> CompletableFuture.completedFuture(true);
  }

  private final TailBuffer buffer;
  private final TailBudget budget;
  private final TailBudget.Share share;
  private final Journal journal;
  private final Journal streamsJournal;
  private final Probe probe;
  private final int maxEntriesPerRead;
  /** The wake-ups of the streams at the end; each is run once, at the next append, then forgotten. */
  private final Set<Runnable> waiting = new HashSet<>();
  /** Where each stream that reads this tail last asked to read from, by its wake-up. */
  private final Map<Runnable, Long> positions = new HashMap<>();
  private boolean reading;
  private boolean advancedWhileReading;
  private boolean closed;

  /** A tail with a budget of its own, which asks nothing of it. */
  PartitionTail(long maxBytes, int maxEntriesPerRead, Journal journal) {
    this(maxBytes, maxEntriesPerRead, journal, journal, Probe.ALWAYS, TailBudget.unlimited());
  }

  /**
   * {@code journal} is what the tail's reader reads; {@code streamsJournal}, what streams behind
   * it read; {@code probe}, what the fallback poll asks before reading ({@link #lookAgain});
   * {@code budget}, the heap it shares with the node's other tails. The budget asks a tail to
   * evict only once it holds entries, so joining it before this tail is built is safe.
   */
  PartitionTail(long maxBytes, int maxEntriesPerRead, Journal journal, Journal streamsJournal, Probe probe,
                TailBudget budget) {
    this.budget = budget;
    this.share = budget.join(this);
    this.buffer = new TailBuffer(maxBytes, share);
    this.maxEntriesPerRead = maxEntriesPerRead;
    this.journal = journal;
    this.streamsJournal = streamsJournal;
    this.probe = probe;
  }

  /**
   * What follows {@code from} in the buffer. At the end, {@code wake} runs once when entries
   * arrive; a stream that read the journal further than the buffer has come also waits, and the
   * reader is asked to catch up.
   */
  TailBuffer.Read read(long from, Runnable wake) {
    TailBuffer.Read read;
    boolean aheadOfReader;
    synchronized (this) {
      positions.put(wake, from);
      read = buffer.read(from, maxEntriesPerRead);
      aheadOfReader = read instanceof TailBuffer.AtEnd && from > buffer.next();
      if (read instanceof TailBuffer.AtEnd) {
        waiting.add(wake);
      }
    }
    if (aheadOfReader) {
      advanced();
    }
    return read;
  }

  /** A stream's own read of the journal, for when it is behind the buffer. */
  CompletionStage<List<TailEntry>> readJournal(long from) {
    return streamsJournal.read(from);
  }

  /** A stream read the journal to its end, which is at {@code from}: the buffer starts there if it had not. */
  void reachedEnd(long from) {
    synchronized (this) {
      buffer.startAt(from);
    }
    advanced();
  }

  /** The stream that read with {@code wake} has ended. */
  synchronized void forget(Runnable wake) {
    waiting.remove(wake);
    positions.remove(wake);
  }

  /** The partition was written to (or might have been): the reader reads what is new. */
  void advanced() {
    long from;
    synchronized (this) {
      if (!buffer.started() || closed) {
        return;
      }
      if (reading) {
        advancedWhileReading = true;
        return;
      }
      reading = true;
      advancedWhileReading = false;
      from = buffer.next();
    }
    journal.read(from).whenComplete(this::onRead);
  }

  /**
   * The fallback poll, in case an announcement was lost: the reader reads only if the probe says
   * the journal may hold entries past the buffer. A read materializes a stream over the journal;
   * on RocksDB the probe is one lookup of the partition's highest sequence number, so a node
   * whose partitions are quiet reads nothing.
   */
  void lookAgain() {
    long from;
    synchronized (this) {
      if (!buffer.started()) {
        return;
      }
      from = buffer.next();
    }
    probe.mayHoldFrom(from).whenComplete((mayHold, failure) -> {
      if (failure != null || mayHold) {
        advanced();
      }
    });
  }

  private void onRead(List<TailEntry> entries, Throwable failure) {
    List<Runnable> woken = List.of();
    boolean again;
    synchronized (this) {
      reading = false;
      boolean found = failure == null && !entries.isEmpty() && !closed;
      if (found) {
        buffer.dropBefore(slowestPosition());
        entries.forEach(buffer::append);
        woken = new ArrayList<>(waiting);
        waiting.clear();
      }
      // A failed read is tried again at the next write or fallback poll.
      again = found || (failure == null && advancedWhileReading);
    }
    budget.reclaim();
    woken.forEach(Runnable::run);
    if (again) {
      advanced();
    }
  }

  /** Gives back oldest entries for the node's budget; their streams read the journal. */
  @Override
  public synchronized TailBudget.Evicted evictOldest(long heapBytes) {
    return buffer.evictOldest(heapBytes);
  }

  /** No stream of the node reads the partition any more: the tail gives back all it holds, and holds nothing again. */
  void close() {
    synchronized (this) {
      closed = true;
      buffer.dropAll();
    }
    budget.leave(share);
  }

  /** The position of the stream furthest behind; with none, the end. */
  private long slowestPosition() {
    long slowest = Long.MAX_VALUE;
    for (long position : positions.values()) {
      slowest = Math.min(slowest, position);
    }
    return slowest;
  }

  synchronized long bufferedBytes() {
    return buffer.bytes();
  }
}
