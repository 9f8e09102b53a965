package io.tollgate.broker.trim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The lowest position of every reader, per journal, and which reader holds it: what nothing may
 * be deleted past. A journal no reader follows has no floor (only its owner's snapshot bounds a
 * trim); a reader that could not answer is no floor but a reason to trim nothing this round,
 * which the caller decides by not building one.
 */
public record ReaderFloors(Map<String, Floor> byJournal) {

  /** {@code position}: the lowest reader's; {@code reader}: its name. */
  public record Floor(long position, String reader) {}

  /** What one reader answered ({@link ReadPositions#positionsIn}). */
  public record Answer(String reader, Map<String, Long> positions) {}

  public ReaderFloors {
    byJournal = Map.copyOf(byJournal);
  }

  /** Asks each reader in turn; fails when any of them does, since a missing reader is no floor. */
  public static CompletionStage<ReaderFloors> ask(List<ReadPositions> readers, Collection<String> journals) {
    CompletionStage<List<Answer>> answers = CompletableFuture.completedFuture(new ArrayList<>());
    for (ReadPositions reader : readers) {
      answers = answers.thenCompose(before -> reader.positionsIn(journals).thenApply(positions -> {
        before.add(new Answer(reader.name(), positions));
        return before;
      }));
    }
    return answers.thenApply(ReaderFloors::of);
  }

  /** Every reader's answer; two readers of the same name are two readers. */
  public static ReaderFloors of(List<Answer> answers) {
    Map<String, Floor> floors = new HashMap<>();
    answers.forEach(answer -> answer.positions().forEach((journal, position) -> floors.merge(journal,
        new Floor(Math.max(0, position), answer.reader()),
        (before, next) -> next.position() < before.position() ? next : before)));
    return new ReaderFloors(floors);
  }

  /** The lowest position of the readers following {@code journal}; empty when none follows it. */
  public OptionalLong floorOf(String journal) {
    Floor floor = byJournal.get(journal);
    return floor == null ? OptionalLong.empty() : OptionalLong.of(floor.position());
  }

  /** The reader holding {@code journal} back, if any follows it. */
  public Optional<String> slowestReaderOf(String journal) {
    return Optional.ofNullable(byJournal.get(journal)).map(Floor::reader);
  }
}
