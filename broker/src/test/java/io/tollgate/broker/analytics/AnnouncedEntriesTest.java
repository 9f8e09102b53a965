package io.tollgate.broker.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The partitions' announced entries: which count as read without the journal, and when the journal is read instead. */
class AnnouncedEntriesTest {
  private static final String P = "TopicPartition|shop.orders|0";
  private static final String Q = "TopicPartition|shop.orders|1";
  private static final long SWEEP = 600_000;

  private static PartitionAdvanced summary(String partition, long sequence) {
    return PartitionAdvanced.newBuilder().setPersistenceId(partition).setSequenceNr(sequence)
        .setFirstOffset(10 * (sequence - 1)).setEvents(10).setBytes(2_560).setAppendedAtMillis(1_000 * sequence).build();
  }

  private static PartitionAdvanced withoutSummary(String partition) {
    return PartitionAdvanced.newBuilder().setPersistenceId(partition).build();
  }

  private static List<Long> sequences(List<ReadSideState.Entry> entries) {
    return entries.stream().map(ReadSideState.Entry::sequence).toList();
  }

  @Test
  void entriesFollowingOnFromThePositionCountAsReadWithTheirSummaries() {
    AnnouncedEntries announced = new AnnouncedEntries(100);
    announced.announced(summary(P, 5));
    announced.announced(summary(P, 7));
    announced.announced(summary(P, 6));
    announced.announced(summary(P, 3));

    AnnouncedEntries.Taken taken = announced.take(partition -> 4);

    assertEquals(Set.of(), taken.toRead());
    List<ReadSideState.Entry> entries = taken.entries().get(P);
    assertEquals(List.of(5L, 6L, 7L), sequences(entries), "in order; entry 3 was read already");
    assertEquals(new ReadSideState.Appended(40, 10, 2_560, 5_000), entries.get(0).event());
    AnnouncedEntries.Taken again = announced.take(partition -> 7);
    assertEquals(Map.of(), again.entries());
    assertEquals(Set.of(), again.toRead());
  }

  @Test
  void aGapAnAnnouncementWithoutASummaryOrTooManyMeanTheJournalIsRead() {
    AnnouncedEntries announced = new AnnouncedEntries(2);
    announced.announced(summary(P, 6));
    announced.announced(withoutSummary(Q));
    announced.announced(summary(Q, 5));
    AnnouncedEntries.Taken taken = announced.take(partition -> 4);
    assertEquals(Set.of(P, Q), taken.toRead(), "P lacks entry 5; Q was written by a node without summaries");
    assertEquals(Map.of(), taken.entries());

    announced.announced(summary(P, 5));
    announced.announced(summary(P, 7));
    announced.announced(summary(P, 6));
    assertEquals(Set.of(P), announced.take(partition -> 4).toRead(), "more than 2 since the last take");
  }

  @Test
  void aPartitionReadFromItsJournalAnywayOrNotFollowedYetDoesNotCountItsAnnouncements() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    AnnouncedEntries announced = new AnnouncedEntries(100);
    announced.announced(summary(P, 1));
    announced.announced(summary(Q, 1));
    AnnouncedEntries.Plan start = announced.plan(partition -> 0, dirty, List.of(P), 0);
    assertEquals(List.of(P), start.journals(), "every journal is read at the start");
    assertEquals(Map.of(), start.announced(), "P's entry is in that read; Q is not followed yet");

    announced.announced(summary(P, 2));
    AnnouncedEntries.Plan next = announced.plan(partition -> partition.equals(P) ? 1 : 0, dirty, List.of(P), 1);
    assertEquals(List.of(), next.journals(), "no journal read for what was heard");
    assertEquals(List.of(2L), sequences(next.announced().get(P)));

    AnnouncedEntries.Plan followed = announced.plan(partition -> partition.equals(P) ? 2 : 0, dirty, List.of(P, Q), 2);
    assertEquals(List.of(Q), followed.journals(), "Q stayed due until the catalog listed it");
  }

  /**
   * Writes to two partitions, their announcements (with a summary or, from an old node, without;
   * delivered late, out of order, or lost), and ticks whose journal reads start and complete
   * apart, each reading at most LIMIT entries from the position: once a full sweep has caught
   * what lost announcements left, every written entry was counted exactly once.
   */
  @Property(tries = 300)
  void everyWrittenEntryIsCountedExactlyOnce(@ForAll @Size(max = 80) List<@IntRange(min = 0, max = 11) Integer> ops) {
    int limit = 3;
    List<String> followed = List.of(P, Q);
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    AnnouncedEntries announced = new AnnouncedEntries(4);
    Map<String, Integer> written = new HashMap<>();
    Map<String, Integer> position = new HashMap<>();
    Map<String, int[]> counted = Map.of(P, new int[81], Q, new int[81]);
    List<PartitionAdvanced> pending = new ArrayList<>();
    Tick inFlight = null;
    long now = 1;
    for (int op : ops) {
      if (op < 2) {
        String partition = followed.get(op);
        int sequence = written.merge(partition, 1, Integer::sum);
        pending.add(summary(partition, sequence));
      } else if (op < 6 && !pending.isEmpty()) {
        PartitionAdvanced next = op == 2 || op == 5 ? pending.remove(0) : pending.remove(pending.size() - 1);
        if (op == 4) {
          announced.announced(withoutSummary(next.getPersistenceId()));
        } else if (op != 5) {
          announced.announced(next);
        }
      } else if (op < 9 && inFlight == null) {
        inFlight = tick(announced.plan(p -> position.getOrDefault(p, 0), dirty, followed, now++), written, position, limit);
      } else if (op >= 9 && inFlight != null) {
        inFlight.complete(dirty, position, counted, limit);
        inFlight = null;
      }
    }
    if (inFlight != null) {
      inFlight.complete(dirty, position, counted, limit);
    }
    pending.forEach(announced::announced);
    now += SWEEP;
    for (int settle = 0; settle < 100; settle++, now++) {
      tick(announced.plan(p -> position.getOrDefault(p, 0), dirty, followed, now), written, position, limit)
          .complete(dirty, position, counted, limit);
    }
    assertTrue(!dirty.anyDue());
    for (String partition : followed) {
      for (int sequence = 1; sequence <= written.getOrDefault(partition, 0); sequence++) {
        assertEquals(1, counted.get(partition)[sequence], partition + " entry " + sequence);
      }
    }
  }

  /** A tick of the read side: what each journal read finds when it starts, and the announced entries it counts with it. */
  private record Tick(Map<String, Integer> found, Map<String, List<ReadSideState.Entry>> announced) {
    void complete(DirtyJournals dirty, Map<String, Integer> position, Map<String, int[]> counted, int limit) {
      found.forEach((journal, count) -> {
        int from = position.getOrDefault(journal, 0);
        for (int sequence = from + 1; sequence <= from + count; sequence++) {
          counted.get(journal)[sequence]++;
        }
        position.put(journal, from + count);
        dirty.read(journal, count >= limit);
      });
      announced.forEach((partition, entries) -> {
        entries.forEach(entry -> counted.get(partition)[(int) entry.sequence()]++);
        position.put(partition, (int) entries.get(entries.size() - 1).sequence());
      });
    }
  }

  private static Tick tick(AnnouncedEntries.Plan plan, Map<String, Integer> written, Map<String, Integer> position,
                           int limit) {
    Map<String, Integer> found = new HashMap<>();
    for (String journal : plan.journals()) {
      found.put(journal, Math.min(limit, written.getOrDefault(journal, 0) - position.getOrDefault(journal, 0)));
    }
    return new Tick(found, plan.announced());
  }
}
