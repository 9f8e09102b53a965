package io.tollgate.broker.position;

/**
 * Finds the first journal entry of a partition appended at or after an instant, by bisection
 * over its sequence numbers: about log2(entries) reads, whatever the partition's history.
 * Entries are appended in time order by the partition's one writer. An entry that cannot be
 * read (deleted by retention) counts as older, since retention deletes from the oldest.
 */
public final class TimeSeek {
  private final long atMillis;
  /** Every entry below it is older than the instant. */
  private long low = 1;
  /** The first entry known to be at or after the instant; one past the last when none is yet. */
  private long high;

  public TimeSeek(long atMillis, long lastSequence) {
    this.atMillis = atMillis;
    this.high = lastSequence + 1;
  }

  public boolean done() {
    return low >= high;
  }

  /** The entry to read next; only while not {@link #done}. */
  public long probe() {
    return low + (high - low) / 2;
  }

  /** What {@link #probe} read: its append time, or -1 when it is gone. */
  public void observe(long sequence, long appendedAtMillis) {
    if (appendedAtMillis < 0 || appendedAtMillis < atMillis) {
      low = sequence + 1;
    } else {
      high = sequence;
    }
  }

  /** The first entry at or after the instant, once {@link #done}; one past the last when there is none. */
  public long found() {
    return high;
  }
}
