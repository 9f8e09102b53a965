package io.tollgate.broker.webhook;

import io.tollgate.broker.position.Cursor;
import java.time.Instant;
import java.util.Optional;

/**
 * Which dead letters a replay or a deletion takes: those dead-lettered in a time range, those of
 * one partition in a cursor range (both ends included), one by its number, or (nothing given)
 * all. Each bound is optional.
 */
public record DeadLetterSelection(Optional<Instant> from, Optional<Instant> to, Optional<Cursor> fromCursor,
                                  Optional<Cursor> toCursor, long number) {
  public static final DeadLetterSelection ALL = new DeadLetterSelection(Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), 0);

  public static DeadLetterSelection one(long number) {
    return new DeadLetterSelection(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), number);
  }

  boolean takes(DeadLetter letter) {
    Cursor cursor = letter.point().cursor();
    return (number == 0 || letter.number() == number)
        && from.map(at -> !letter.deadAt().isBefore(at)).orElse(true)
        && to.map(at -> letter.deadAt().isBefore(at)).orElse(true)
        && fromCursor.map(start -> start.partitionRef().equals(cursor.partitionRef()) && !start.isAfter(cursor))
            .orElse(true)
        && toCursor.map(end -> end.partitionRef().equals(cursor.partitionRef()) && !cursor.isAfter(end)).orElse(true);
  }
}
