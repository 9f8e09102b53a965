package io.tollgate.broker.node;

/**
 * Whether the node can reach its journal store, as a probe of it has found so far. One failed
 * probe may be a slow moment of a loaded store; {@code failuresToUnavailable} failures in a row
 * mean the store is away, and the node says it is not ready until a probe succeeds again. It
 * refuses nothing itself: writes still go to the store and answer with their own error.
 */
public final class StoreAvailability {
  private final int failuresToUnavailable;
  private int failuresInARow;
  private boolean available = true;

  public StoreAvailability(int failuresToUnavailable) {
    if (failuresToUnavailable < 1) {
      throw new IllegalArgumentException("at least one failure makes a store unavailable: " + failuresToUnavailable);
    }
    this.failuresToUnavailable = failuresToUnavailable;
  }

  /** A probe's outcome: {@code reached} when the store answered in time. */
  public synchronized void probed(boolean reached) {
    if (reached) {
      failuresInARow = 0;
      available = true;
    } else if (++failuresInARow >= failuresToUnavailable) {
      available = false;
    }
  }

  public synchronized boolean available() {
    return available;
  }
}
