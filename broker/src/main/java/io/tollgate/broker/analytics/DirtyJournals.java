package io.tollgate.broker.analytics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which followed journals the read side reads next: only those written since it last read them,
 * so an idle node reads nothing. A journal is due when a writer said it wrote ({@link #written}),
 * when its last read stopped at the per-read limit ({@link #read}), and every journal is due at
 * the start (after recovery, or the singleton moving to another node) and once more every full
 * sweep, which catches a notice that was lost. A notice that arrives while a read is under way
 * is kept for the next read, so no write is missed; reading a journal again costs a query and
 * counts nothing twice, because reads start after the journaled position.
 */
public final class DirtyJournals {
  private final long fullSweepEveryMillis;
  private final Set<String> due = new HashSet<>();
  private boolean everyJournalDue = true;
  private long lastFullSweepMillis;

  public DirtyJournals(long fullSweepEveryMillis, long nowMillis) {
    this.fullSweepEveryMillis = fullSweepEveryMillis;
    this.lastFullSweepMillis = nowMillis;
  }

  /** A writer wrote to these journals. */
  public void written(Collection<String> persistenceIds) {
    due.addAll(persistenceIds);
  }

  /**
   * The journals to read now, out of those {@code followed}, in their order; they are no longer
   * due until written or read to the limit again. A journal written but not followed yet (a
   * subscription this node's catalog does not know yet) stays due until the next full sweep.
   */
  public List<String> take(List<String> followed, long nowMillis) {
    if (nowMillis - lastFullSweepMillis >= fullSweepEveryMillis) {
      everyJournalDue = true;
    }
    if (everyJournalDue) {
      everyJournalDue = false;
      lastFullSweepMillis = nowMillis;
      due.clear();
      return List.copyOf(followed);
    }
    if (due.isEmpty()) {
      return List.of();
    }
    List<String> toRead = new ArrayList<>();
    for (String journal : followed) {
      if (due.remove(journal)) {
        toRead.add(journal);
      }
    }
    return toRead;
  }

  /** A read of {@code persistenceId} stopped at the per-read limit: there is more to read at once. */
  public void read(String persistenceId, boolean reachedLimit) {
    if (reachedLimit) {
      due.add(persistenceId);
    }
  }

  /** A read failed: every journal it was to read is due again. */
  public void failed(Collection<String> persistenceIds) {
    due.addAll(persistenceIds);
  }

  public boolean anyDue() {
    return everyJournalDue || !due.isEmpty();
  }
}
