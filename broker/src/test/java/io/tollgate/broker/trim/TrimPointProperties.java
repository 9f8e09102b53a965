package io.tollgate.broker.trim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Rounds of trimming over a journal that grows while its readers move on and its owner saves
 * snapshots: no round deletes past any reader or the latest snapshot, so after every round each
 * reader reads on from its position and the owner recovers from its snapshot with nothing
 * missing; and each round deletes all it may.
 */
class TrimPointProperties {
  private static final String JOURNAL = "Subscription|sub_a";

  /** One round: entries written since the last, how far each reader moved on, whether the owner saved a snapshot. */
  record Round(int written, List<Integer> readerSteps, boolean snapshot) {}

  @Provide
  Arbitrary<List<Round>> rounds() {
    Arbitrary<Round> round = Combinators.combine(Arbitraries.integers().between(0, 30),
        Arbitraries.integers().between(0, 30).list().ofSize(3), Arbitraries.of(true, false)).as(Round::new);
    return round.list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 500)
  void noRoundPassesAReaderOrTheLatestSnapshotAndEachTrimsAllItMay(@ForAll("rounds") List<Round> rounds,
                                                                     @ForAll boolean readersFollow) {
    TreeSet<Long> stored = new TreeSet<>();
    long last = 0;
    long snapshot = 0;
    long[] readers = new long[3];
    long deletedThrough = 0;
    for (Round round : rounds) {
      for (int i = 0; i < round.written(); i++) {
        stored.add(++last);
      }
      for (int r = 0; r < readers.length; r++) {
        readers[r] = Math.min(last, readers[r] + round.readerSteps().get(r));
      }
      if (round.snapshot()) {
        snapshot = last;
      }
      List<ReaderFloors.Answer> positions = new ArrayList<>();
      if (readersFollow) {
        for (long reader : readers) {
          positions.add(new ReaderFloors.Answer("reader", Map.of(JOURNAL, reader)));
        }
      }
      List<TrimPlan.Deletion> plan = TrimPlan.of(Map.of(JOURNAL, snapshot), ReaderFloors.of(positions),
          Map.of(JOURNAL, deletedThrough));
      for (TrimPlan.Deletion deletion : plan) {
        assertEquals(deletedThrough + 1, deletion.from(), "a round starts where the last stopped");
        stored.headSet(deletion.through(), true).clear();
        deletedThrough = deletion.through();
      }

      long lowestReader = readersFollow ? Math.min(readers[0], Math.min(readers[1], readers[2])) : Long.MAX_VALUE;
      assertEquals(Math.max(deletedThrough, Math.min(snapshot, lowestReader)), deletedThrough,
          "the round deleted everything below every reader and the snapshot");
      if (readersFollow) {
        for (long position : readers) {
          assertTrue(readsOnFrom(stored, position, last), "a reader at " + position + " reads on");
        }
      }
      assertTrue(readsOnFrom(stored, snapshot, last), "the owner recovers from its snapshot at " + snapshot);
    }
  }

  /** Every entry after {@code position} up to {@code last} is still stored. */
  private static boolean readsOnFrom(TreeSet<Long> stored, long position, long last) {
    List<Long> needed = new ArrayList<>();
    for (long sequence = position + 1; sequence <= last; sequence++) {
      needed.add(sequence);
    }
    return stored.containsAll(needed);
  }
}
