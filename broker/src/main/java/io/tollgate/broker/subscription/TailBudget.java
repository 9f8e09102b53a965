package io.tollgate.broker.subscription;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The heap all the shared tails of a node may hold together ({@code
 * tollgate.subscriptions.tails-max-heap}), counted as {@link HeapEstimate} estimates it. Each
 * tail's bound alone ({@code tail-bytes}, stored bytes) lets a node with many partitions read
 * hold without limit, and a fan-out to 1,000 subscribers ran the default 1 GiB heap out. Each tail
 * has a {@link Share}; its entries are charged to it as they are held and as their pieces are
 * rendered. When the total passes the budget, the tail holding most evicts its oldest entries,
 * then the next, until the total is back to {@value #RECLAIM_TO_EIGHTHS}/8 of the budget (so
 * that a tail at its bound does not evict at every write). The streams behind an evicted entry
 * read the journal, then rejoin the tail, as a stream that falls behind always has.
 *
 * <p>Thread-safe: charges come from each tail's reader and from the streams that render
 * deliveries, on any thread, and only add to atomic counters. One thread at a time evicts; a
 * charge that passes the budget meanwhile is seen by it before it stops. Eviction takes one
 * tail's lock at a time and is never asked for while a tail's lock is held, so tails cannot
 * deadlock on each other.
 */
public final class TailBudget {
  /** How far below the budget an eviction brings the total: 7/8 of it. */
  private static final int RECLAIM_TO_EIGHTHS = 7;

  /** What a tail gives back when asked: entries and the heap they held. */
  record Evicted(int entries, long bytes) {}

  /** A tail that can give entries back, oldest first. */
  interface Tail {
    /** Drops oldest entries until {@code bytes} are given back or none is left. */
    Evicted evictOldest(long bytes);
  }

  /** One tail's part of the budget: what its held entries cost. */
  final class Share {
    private final Tail tail;
    private final AtomicLong held = new AtomicLong();

    private Share(Tail tail) {
      this.tail = tail;
    }

    /** {@code bytes} more (or, negative, fewer) are held by this tail. */
    void charge(long bytes) {
      held.addAndGet(bytes);
      used.addAndGet(bytes);
    }

    long held() {
      return held.get();
    }

    TailBudget budget() {
      return TailBudget.this;
    }
  }

  private final long maxBytes;
  private final long reclaimTo;
  private final AtomicLong used = new AtomicLong();
  private final Set<Share> shares = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean reclaiming = new AtomicBoolean();
  private final LongAdder evictedEntries = new LongAdder();

  public TailBudget(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("a tail budget needs at least 1 byte: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.reclaimTo = maxBytes / 8 * RECLAIM_TO_EIGHTHS;
  }

  /** A budget no eviction is asked of: for a tail on its own. */
  static TailBudget unlimited() {
    return new TailBudget(Long.MAX_VALUE);
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** The heap the tails hold now, as estimated. */
  public long usedBytes() {
    return used.get();
  }

  /** Entries evicted so far because the tails together passed the budget. */
  public long evictedEntries() {
    return evictedEntries.sum();
  }

  /** A new tail's share; the tail is asked to evict only once it holds something. */
  Share join(Tail tail) {
    Share share = new Share(tail);
    shares.add(share);
    return share;
  }

  /** The tail of {@code share} is gone, having released what it held. */
  void leave(Share share) {
    shares.remove(share);
  }

  /**
   * Evicts, if the tails together hold more than the budget, until they hold
   * {@value #RECLAIM_TO_EIGHTHS}/8 of it: the tail holding most first. Called after a charge, by
   * whoever made it, with no tail's lock held; a call while another evicts returns at once.
   */
  void reclaim() {
    boolean stuck = false;
    while (!stuck && used.get() > maxBytes && reclaiming.compareAndSet(false, true)) {
      try {
        stuck = !evictDownTo(reclaimTo);
      } finally {
        reclaiming.set(false);
      }
    }
  }

  /** Whether the tails hold no more than {@code target} now; false when none had anything to give. */
  private boolean evictDownTo(long target) {
    long over = used.get() - target;
    while (over > 0) {
      Share largest = largest();
      if (largest == null) {
        return false;
      }
      Evicted given = largest.tail.evictOldest(over);
      if (given.entries() == 0) {
        return false;
      }
      evictedEntries.add(given.entries());
      over = used.get() - target;
    }
    return true;
  }

  /** The share that holds most, or null when none holds anything. */
  private Share largest() {
    Share largest = null;
    long most = 0;
    for (Share share : shares) {
      long held = share.held();
      if (held > most) {
        most = held;
        largest = share;
      }
    }
    return largest;
  }
}
