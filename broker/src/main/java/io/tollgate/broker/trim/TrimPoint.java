package io.tollgate.broker.trim;

import java.util.OptionalLong;

/**
 * Where a journal may be trimmed: up to the lowest position of its readers, and never past its
 * owner's latest durable snapshot, so every reader goes on from where it stopped and the owner
 * recovers from the snapshot and the entries after it. Nothing to do when that is no further
 * than what is already deleted.
 */
public final class TrimPoint {
  private TrimPoint() {}

  /**
   * The last entry to delete now, if any. {@code latestSnapshot}: the sequence number of the
   * owner's latest snapshot (0: none, so nothing may go); {@code readersFloor}: the lowest
   * reader's position (empty: no reader follows the journal); {@code deletedThrough}: entries up
   * to it are gone already.
   */
  public static OptionalLong of(long latestSnapshot, OptionalLong readersFloor, long deletedThrough) {
    long point = Math.min(latestSnapshot, readersFloor.orElse(Long.MAX_VALUE));
    return point > deletedThrough ? OptionalLong.of(point) : OptionalLong.empty();
  }
}
