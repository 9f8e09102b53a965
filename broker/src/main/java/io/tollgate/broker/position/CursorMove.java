package io.tollgate.broker.position;

import java.time.Instant;
import java.util.List;

/**
 * Where a consumer moves its subscription (a seek): what it is delivered next. A move in either
 * direction sets the ack points; events delivered and acknowledged again after a move back are
 * billed again, as every acknowledged delivery is, and events skipped by a move forward are not
 * billed.
 */
public sealed interface CursorMove {
  /** Every partition from its first retained event. */
  record ToStart() implements CursorMove {}

  /** Every partition from the next event published. */
  record ToEnd() implements CursorMove {}

  /** Every partition from its first event appended at or after {@code at}. */
  record ToTime(Instant at) implements CursorMove {}

  /** Each named partition from the event after its cursor, as a {@code Last-Event-ID} resumes; the others stay. */
  record AfterCursors(List<Cursor> cursors) implements CursorMove {}
}
