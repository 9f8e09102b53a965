package io.tollgate.broker.topic;

/**
 * The bytes one journal read may hold: entries are taken while their sizes add up to at most
 * {@code maxBytes}, and the first always, however large, so that a reader always moves on. Count
 * one read with one budget.
 */
final class ReadBudget {
  private final long maxBytes;
  private long bytes;
  private boolean first = true;

  ReadBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Whether an entry of {@code entryBytes} still fits; if it does, it is counted. */
  boolean admits(long entryBytes) {
    if (!first && bytes + entryBytes > maxBytes) {
      return false;
    }
    first = false;
    bytes += entryBytes;
    return true;
  }
}
