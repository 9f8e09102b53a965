package io.tollgate.broker.analytics;

import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The partition entries announced since the read side last took them. Each partition announces
 * every write to every node with a summary of the entry ({@link PartitionAdvanced}): its
 * sequence number, offsets, event count, bytes and append time, which is all the read side
 * counts of it. Reading the entry back from the journal would cost a store read and the parse of
 * up to {@code tollgate.topics.max-entry-bytes} of events, for what was just heard.
 *
 * <p>The summaries count only where they follow on from the read side's position without a gap:
 * the journal, read from that position, stays the one source of what is counted, and the
 * summaries stand in for a read of it that would have returned the same entries. A partition
 * whose summaries do not start at its next entry (an announcement lost or out of order, the read
 * side started after writes), whose announcement had no summary (a node of an earlier release),
 * or that announced more than {@code maxPerPartition} entries since the last take is read from
 * the journal, as before. Entries at or before the position were read already and are dropped,
 * so nothing counts twice. Filled by the child that hears announcements and taken by the read
 * side, on other threads.
 */
public final class AnnouncedEntries {
  /** What a take found: entries to count as read, by partition, and the partitions to read from the journal. */
  record Taken(Map<String, List<ReadSideState.Entry>> entries, Set<String> toRead) {}

  /**
   * What the read side does at a tick: the journals to read ({@link DirtyJournals}), and the
   * announced entries of other followed partitions, which count as read as they are.
   */
  public record Plan(List<String> journals, Map<String, List<ReadSideState.Entry>> announced) {}

  private final int maxPerPartition;
  private final Map<String, TreeMap<Long, ReadSideState.Appended>> byPartition = new HashMap<>();
  private final Set<String> toRead = new HashSet<>();

  public AnnouncedEntries(int maxPerPartition) {
    this.maxPerPartition = maxPerPartition;
  }

  public synchronized void announced(PartitionAdvanced advanced) {
    String partition = advanced.getPersistenceId();
    if (toRead.contains(partition)) {
      return;
    }
    if (advanced.getSequenceNr() <= 0) {
      readJournal(partition);
      return;
    }
    TreeMap<Long, ReadSideState.Appended> entries = byPartition.computeIfAbsent(partition, p -> new TreeMap<>());
    entries.put(advanced.getSequenceNr(), new ReadSideState.Appended(advanced.getFirstOffset(), advanced.getEvents(),
        advanced.getBytes(), advanced.getAppendedAtMillis()));
    if (entries.size() > maxPerPartition) {
      readJournal(partition);
    }
  }

  private void readJournal(String partition) {
    byPartition.remove(partition);
    toRead.add(partition);
  }

  /**
   * Takes what was announced, against each partition's read position, and decides the read of a
   * tick with {@code dirty}. A partition that is read from its journal anyway (a full sweep, a
   * read that stopped at its limit) leaves its announced entries to that read; one the catalog
   * does not list yet stays due like an unfollowed journal a node wrote.
   */
  public Plan plan(ToLongFunction<String> positions, DirtyJournals dirty, List<String> followed, long nowMillis) {
    Taken taken = take(positions);
    dirty.written(taken.toRead());
    List<String> journals = dirty.take(followed, nowMillis);
    Set<String> fromJournals = new HashSet<>(journals);
    Set<String> isFollowed = new HashSet<>(followed);
    Map<String, List<ReadSideState.Entry>> announced = new LinkedHashMap<>();
    taken.entries().forEach((partition, entries) -> {
      if (!isFollowed.contains(partition)) {
        dirty.written(Set.of(partition));
      } else if (!fromJournals.contains(partition)) {
        announced.put(partition, entries);
      }
    });
    return new Plan(journals, announced);
  }

  /**
   * Everything announced since the last take, against each partition's read position: the
   * entries that follow on from it, oldest first, and the partitions to read from the journal.
   */
  synchronized Taken take(ToLongFunction<String> positions) {
    Map<String, List<ReadSideState.Entry>> entries = new HashMap<>();
    Set<String> read = new HashSet<>(toRead);
    byPartition.forEach((partition, announced) -> {
      long next = positions.applyAsLong(partition) + 1;
      TreeMap<Long, ReadSideState.Appended> unread = new TreeMap<>(announced.tailMap(next, true));
      if (unread.isEmpty()) {
        return;
      }
      if (unread.firstKey() != next || unread.lastKey() - unread.firstKey() + 1 != unread.size()) {
        read.add(partition);
        return;
      }
      List<ReadSideState.Entry> following = new ArrayList<>(unread.size());
      unread.forEach((sequence, appended) -> following.add(new ReadSideState.Entry(sequence, appended)));
      entries.put(partition, following);
    });
    byPartition.clear();
    toRead.clear();
    return new Taken(entries, read);
  }
}
