package io.tollgate.broker.invoicing;

import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Partition writes announced to an account's billing that it has not metered yet, per journal in
 * sequence order: those that came while a read of their partition ran wait here for it to end.
 * Bounded per journal; an announcement past the bound is dropped, which leaves a gap that a read
 * of the journal fills, so nothing is lost and nothing is metered twice (a journal's entries are
 * metered in sequence order, each once, from its position on).
 */
final class AnnouncedWrites {
  private final int maxPerJournal;
  private final Map<String, TreeMap<Long, PartitionAdvanced>> pending = new HashMap<>();

  AnnouncedWrites(int maxPerJournal) {
    this.maxPerJournal = maxPerJournal;
  }

  /** Keeps {@code entry} unless its journal is metered past it already or holds as many as it may. */
  void add(PartitionAdvanced entry, long position) {
    if (entry.getSequenceNr() <= position) {
      return;
    }
    TreeMap<Long, PartitionAdvanced> entries = pending.computeIfAbsent(entry.getPersistenceId(), id -> new TreeMap<>());
    if (entries.size() < maxPerJournal) {
      entries.put(entry.getSequenceNr(), entry);
    }
  }

  /** The journals that hold announced entries, as a copy. */
  List<String> journals() {
    return List.copyOf(pending.keySet());
  }

  /** Removes every entry of {@code journal} and returns those after {@code position}, in sequence order. */
  List<PartitionAdvanced> takeAfter(String journal, long position) {
    TreeMap<Long, PartitionAdvanced> entries = pending.remove(journal);
    return entries == null ? List.of() : List.copyOf(entries.tailMap(position, false).values());
  }

  /** Whether {@code entries}, in sequence order, follow on from {@code position} with no gap. */
  static boolean followOn(long position, List<PartitionAdvanced> entries) {
    long expected = position + 1;
    for (PartitionAdvanced entry : entries) {
      if (entry.getSequenceNr() != expected++) {
        return false;
      }
    }
    return true;
  }
}
