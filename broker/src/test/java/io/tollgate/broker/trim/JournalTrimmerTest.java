package io.tollgate.broker.trim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.JournalDeletes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The trimmer sequences a round: readers, snapshots, deletes; it deletes nothing when a reader does not answer. */
class JournalTrimmerTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final String USAGE = "Subscription|sub_a";
  private static final String BILLING = "AccountBilling|acc_a";

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A reader at fixed positions that fails while {@code failing} is set. */
  private record Reader(Map<String, Long> positions, AtomicBoolean failing) implements ReadPositions {
    @Override
    public String name() {
      return "test";
    }

    @Override
    public CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals) {
      return failing.get() ? CompletableFuture.failedFuture(new IllegalStateException("read side down"))
          : CompletableFuture.completedFuture(positions);
    }
  }

  /** Deletes recorded as "journal:through"; a journal in {@code failOnce} fails its first delete. */
  private static final class Deletes implements JournalDeletes {
    final List<String> done = new CopyOnWriteArrayList<>();
    final List<String> failOnce = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> deleteTo(String persistenceId, long toSequence) {
      if (failOnce.remove(persistenceId)) {
        return CompletableFuture.failedFuture(new IllegalStateException("store busy"));
      }
      done.add(persistenceId + ":" + toSequence);
      return CompletableFuture.completedFuture(null);
    }
  }

  private static List<TrimPlan.Deletion> round(ActorRef<JournalTrimmer.Command> trimmer) {
    TestProbe<JournalTrimmer.Trimmed> trimmed = testKit.createTestProbe();
    trimmer.tell(new JournalTrimmer.TrimNow(trimmed.ref()));
    return trimmed.expectMessageClass(JournalTrimmer.Trimmed.class, Duration.ofSeconds(10)).deletions();
  }

  @Test
  void eachJournalIsTrimmedToItsSlowestReaderBelowItsSnapshotAndCounted() {
    Deletes deletes = new Deletes();
    List<String> counted = new ArrayList<>();
    ActorRef<JournalTrimmer.Command> trimmer = testKit.spawn(JournalTrimmer.create(() -> List.of(USAGE, BILLING),
        List.of(new Reader(Map.of(USAGE, 40L, BILLING, 9L), new AtomicBoolean()),
            new Reader(Map.of(USAGE, 25L), new AtomicBoolean())),
        journal -> CompletableFuture.completedFuture(journal.equals(USAGE) ? 30L : 20L), deletes,
        (journal, entries) -> counted.add(journal + ":" + entries)));

    assertEquals(List.of(new TrimPlan.Deletion(BILLING, 1, 9), new TrimPlan.Deletion(USAGE, 1, 25)), round(trimmer));
    assertEquals(List.of(BILLING + ":9", USAGE + ":25"), deletes.done);
    assertEquals(List.of(BILLING + ":9", USAGE + ":25"), counted);
    assertEquals(List.of(), round(trimmer), "nothing more until a reader or a snapshot moves");
  }

  @Test
  void aReaderThatDoesNotAnswerStopsTheRoundAndAFailedDeleteIsTriedAgain() {
    Deletes deletes = new Deletes();
    AtomicBoolean down = new AtomicBoolean(true);
    ActorRef<JournalTrimmer.Command> trimmer = testKit.spawn(JournalTrimmer.create(() -> List.of(USAGE),
        List.of(new Reader(Map.of(USAGE, 40L), down)), journal -> CompletableFuture.completedFuture(30L), deletes,
        JournalTrimmer.Listener.NONE));

    assertEquals(List.of(), round(trimmer));
    assertEquals(List.of(), deletes.done, "no position, no delete");

    down.set(false);
    deletes.failOnce.add(USAGE);
    assertEquals(List.of(), round(trimmer));
    assertEquals(List.of(new TrimPlan.Deletion(USAGE, 1, 30)), round(trimmer));
  }
}
