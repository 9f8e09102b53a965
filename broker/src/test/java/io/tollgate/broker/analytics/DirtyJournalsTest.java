package io.tollgate.broker.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DirtyJournalsTest {
  private static final long SWEEP = 600_000;
  private static final List<String> FOLLOWED = List.of("a", "b", "c", "d");

  @Test
  void everyJournalIsReadAtTheStartAndThenOnlyTheWrittenOnes() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    assertEquals(FOLLOWED, dirty.take(FOLLOWED, 0));
    assertEquals(List.of(), dirty.take(FOLLOWED, 5_000), "an idle read side reads nothing");
    assertFalse(dirty.anyDue());
    dirty.written(Set.of("c", "a"));
    assertEquals(List.of("a", "c"), dirty.take(FOLLOWED, 10_000));
    assertEquals(List.of(), dirty.take(FOLLOWED, 15_000));
  }

  @Test
  void aReadThatReachedTheLimitIsReadAgainWithoutANotice() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    dirty.take(FOLLOWED, 0);
    dirty.read("b", true);
    dirty.read("c", false);
    assertEquals(List.of("b"), dirty.take(FOLLOWED, 1));
  }

  @Test
  void aNoticeDuringAReadIsKeptForTheNextOne() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    dirty.take(FOLLOWED, 0);
    dirty.written(Set.of("a"));
    assertEquals(List.of("a"), dirty.take(FOLLOWED, 1));
    dirty.written(Set.of("a"));
    dirty.read("a", false);
    assertEquals(List.of("a"), dirty.take(FOLLOWED, 2), "the notice came after the read started");
  }

  @Test
  void aFailedReadIsTriedAgain() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    dirty.take(FOLLOWED, 0);
    dirty.failed(List.of("a", "d"));
    assertEquals(List.of("a", "d"), dirty.take(FOLLOWED, 1));
  }

  @Test
  void everyJournalIsReadAgainAfterAFullSweepInterval() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    dirty.take(FOLLOWED, 0);
    assertEquals(List.of(), dirty.take(FOLLOWED, SWEEP - 1));
    assertEquals(FOLLOWED, dirty.take(FOLLOWED, SWEEP), "a lost notice is caught by the sweep");
    assertEquals(List.of(), dirty.take(FOLLOWED, SWEEP + 1));
  }

  @Test
  void aJournalNotFollowedYetStaysDueUntilItIsOrTheNextSweep() {
    DirtyJournals dirty = new DirtyJournals(SWEEP, 0);
    dirty.take(FOLLOWED, 0);
    dirty.written(Set.of("e"));
    assertEquals(List.of(), dirty.take(FOLLOWED, 1));
    assertTrue(dirty.anyDue());
    List<String> withE = List.of("a", "b", "c", "d", "e");
    assertEquals(List.of("e"), dirty.take(withE, 2));
    dirty.written(Set.of("gone"));
    dirty.take(FOLLOWED, SWEEP);
    assertFalse(dirty.anyDue(), "a sweep forgets notices of journals no longer followed");
  }

  /**
   * Writes, their notices (each sent after its write, delivered late and in any order with the
   * reads), reads that start and complete apart, each reading at most LIMIT entries of a journal
   * from its position: once the notices are delivered and the reads settle, every written entry
   * was read exactly once, and without a full sweep.
   */
  @Property(tries = 300)
  void everyWrittenEntryIsReadExactlyOnce(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 9) Integer> ops) {
    int limit = 2;
    DirtyJournals dirty = new DirtyJournals(Long.MAX_VALUE, 0);
    Map<String, Integer> written = new HashMap<>();
    Map<String, Integer> position = new HashMap<>();
    Map<String, int[]> readTimes = new HashMap<>();
    FOLLOWED.forEach(journal -> readTimes.put(journal, new int[61]));
    Deque<String> notices = new ArrayDeque<>();
    Map<String, Integer> inFlight = null;
    for (int op : ops) {
      if (op < 4) {
        String journal = FOLLOWED.get(op);
        written.merge(journal, 1, Integer::sum);
        notices.add(journal);
      } else if (op < 6 && !notices.isEmpty()) {
        dirty.written(Set.of(op == 4 ? notices.pollFirst() : notices.pollLast()));
      } else if (op < 8 && inFlight == null) {
        inFlight = startRead(dirty.take(FOLLOWED, 1), written, position, limit);
      } else if (op >= 8 && inFlight != null) {
        completeRead(inFlight, dirty, position, readTimes, limit);
        inFlight = null;
      }
    }
    if (inFlight != null) {
      completeRead(inFlight, dirty, position, readTimes, limit);
    }
    notices.forEach(journal -> dirty.written(Set.of(journal)));
    for (int settle = 0; settle < 100 && dirty.anyDue(); settle++) {
      completeRead(startRead(dirty.take(FOLLOWED, 1), written, position, limit), dirty, position, readTimes, limit);
    }
    for (String journal : FOLLOWED) {
      int count = written.getOrDefault(journal, 0);
      for (int sequence = 1; sequence <= count; sequence++) {
        assertEquals(1, readTimes.get(journal)[sequence], journal + " entry " + sequence);
      }
    }
  }

  /** What each journal's read finds: the entries stored when it starts after the position, at most {@code limit}. */
  private static Map<String, Integer> startRead(List<String> journals, Map<String, Integer> written,
                                                Map<String, Integer> position, int limit) {
    Map<String, Integer> found = new HashMap<>();
    for (String journal : journals) {
      found.put(journal, Math.min(limit, written.getOrDefault(journal, 0) - position.getOrDefault(journal, 0)));
    }
    return found;
  }

  private static void completeRead(Map<String, Integer> found, DirtyJournals dirty, Map<String, Integer> position,
                                   Map<String, int[]> readTimes, int limit) {
    List<String> journals = new ArrayList<>(found.keySet());
    for (String journal : journals) {
      int from = position.getOrDefault(journal, 0);
      int count = found.get(journal);
      for (int sequence = from + 1; sequence <= from + count; sequence++) {
        readTimes.get(journal)[sequence]++;
      }
      position.put(journal, from + count);
      dirty.read(journal, count >= limit);
    }
  }
}
