package io.tollgate.broker.trim;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lowest position of every reader, per journal, and which reader holds it: what nothing may
 * be deleted past. A journal no reader follows has no floor (only its owner's snapshot bounds a
 * trim); a reader that could not answer is no floor but a reason to trim nothing this round,
 * which the caller decides by not building one.
 */
public record ReaderFloors(Map<String, Floor> byJournal) {

  /** {@code position}: the lowest reader's; {@code reader}: its name. */
  public record Floor(long position, String reader) {}

  public static final ReaderFloors NONE = new ReaderFloors(Map.of());

  public ReaderFloors {
    byJournal = Map.copyOf(byJournal);
  }

  /** {@code byReader}: each reader's name and the positions it answered ({@link ReadPositions#positionsIn}). */
  public static ReaderFloors of(Map<String, Map<String, Long>> byReader) {
    Map<String, Floor> floors = new HashMap<>();
    byReader.forEach((reader, positions) -> positions.forEach((journal, position) -> floors.merge(journal,
        new Floor(Math.max(0, position), reader), (before, next) -> next.position() < before.position() ? next : before)));
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
