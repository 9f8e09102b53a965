package io.tollgate.broker.subscription;

/**
 * The heap one tail entry holds ({@link HeapEstimate}), counted as it grows: its decoded
 * deliveries when it is read, then each piece its deliveries keep as streams render them. While
 * a tail holds the entry, what it counts is charged to that tail's share of the node's budget,
 * and released when the tail lets it go; a piece rendered after that (a stream still sending
 * the delivery) is counted here but charged to no one, since no tail holds it any more.
 *
 * <p>Deliveries are rendered on their streams' threads while the tail's reader holds and drops
 * entries on its own, so each change is made under this object's lock. The lock is a leaf: a
 * charge only adds to counters ({@link TailBudget.Share#charge}), and what that makes the budget
 * evict ({@link TailBudget#reclaim}) runs after the lock is let go.
 */
public final class EntryHeap {
  private long bytes;
  private TailBudget.Share heldBy;

  EntryHeap(long bytes) {
    this.bytes = bytes;
  }

  synchronized long bytes() {
    return bytes;
  }

  /** {@code more} bytes were kept with one of the entry's deliveries. */
  void add(long more) {
    TailBudget.Share charged;
    synchronized (this) {
      bytes += more;
      charged = heldBy;
      if (charged != null) {
        charged.charge(more);
      }
    }
    if (charged != null) {
      charged.budget().reclaim();
    }
  }

  /** A tail holds the entry from now on: what it counts, and whatever it grows by, is charged to {@code share}. */
  synchronized void holdIn(TailBudget.Share share) {
    heldBy = share;
    share.charge(bytes);
  }

  /** The tail that held the entry let it go; the bytes given back to its share (0 if none held it). */
  synchronized long release() {
    if (heldBy == null) {
      return 0;
    }
    heldBy.charge(-bytes);
    heldBy = null;
    return bytes;
  }
}
