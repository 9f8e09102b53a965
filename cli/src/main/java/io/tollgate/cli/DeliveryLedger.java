package io.tollgate.cli;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one reader of a topic received, checked as it arrives: the crash loop's evidence that a
 * partition keeps each event once, in order, and that a reader sees repeats only across a
 * reconnect. Events are numbered (the crash loop's ids are {@code e<number>}); connections are
 * numbered by the reader, each reconnect a higher number.
 *
 * <p>Readers of the same topic share one {@link Positions}: an event has one position in its
 * partition, whoever reads it, and a position holds one event.
 */
final class DeliveryLedger {
  /** Where each event is stored, as every reader of the topic saw it. */
  static final class Positions {
    private final Map<Integer, Long> positionOfEvent = new HashMap<>();
    private final Map<Long, Integer> eventAtPosition = new HashMap<>();

    /** Null when consistent with what was seen before, else what is wrong. */
    synchronized String place(int event, int partition, long offset) {
      long position = ((long) partition << 40) | offset;
      Long before = positionOfEvent.putIfAbsent(event, position);
      if (before != null && before != position) {
        return "e" + event + " is stored twice: at " + describe(before) + " and at " + partition + "/" + offset;
      }
      Integer held = eventAtPosition.putIfAbsent(position, event);
      if (held != null && held != event) {
        return partition + "/" + offset + " was delivered as e" + held + " and as e" + event;
      }
      return null;
    }

    private static String describe(long position) {
      return (position >>> 40) + "/" + (position & ((1L << 40) - 1));
    }
  }

  private static final int VIOLATIONS_KEPT = 20;
  private final String reader;
  private final Positions positions;
  private final BitSet received = new BitSet();
  private final Map<Integer, Long> highestOffset = new HashMap<>();
  private final Map<Long, Long> lastOffsetOnConnection = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private long deliveries;
  private int violationCount;

  DeliveryLedger(String reader, Positions positions) {
    this.reader = reader;
    this.positions = positions;
  }

  /**
   * One delivery. On a connection a partition's offsets rise by exactly one; a connection starts
   * a partition no later than just after the highest offset any earlier connection received.
   * Together: nothing skipped, nothing out of order, repeats only after a reconnect.
   */
  synchronized void record(int connection, int event, int partition, long offset) {
    deliveries++;
    received.set(event);
    String misplaced = positions.place(event, partition, offset);
    if (misplaced != null) {
      violation(misplaced);
    }
    long connectionPartition = ((long) connection << 20) | partition;
    Long last = lastOffsetOnConnection.put(connectionPartition, offset);
    if (last == null) {
      long before = highestOffset.getOrDefault(partition, -1L);
      if (offset > before + 1) {
        violation("connection " + connection + " started partition " + partition + " at offset " + offset
            + ", after " + before + ": skipped " + (offset - before - 1));
      }
    } else if (offset != last + 1) {
      violation("connection " + connection + ", partition " + partition + ": offset " + offset + " after " + last
          + (offset <= last ? " (a repeat without a reconnect)" : " (skipped " + (offset - last - 1) + ")"));
    }
    highestOffset.merge(partition, offset, Math::max);
  }

  private void violation(String text) {
    violationCount++;
    if (violations.size() < VIOLATIONS_KEPT) {
      violations.add(reader + ": " + text);
    }
  }

  /** The events of {@code expected} this reader has not received. */
  synchronized BitSet missing(BitSet expected) {
    BitSet missing = (BitSet) expected.clone();
    missing.andNot(received);
    return missing;
  }

  synchronized int distinct() {
    return received.cardinality();
  }

  /** Deliveries of an event this reader had already received. */
  synchronized long repeats() {
    return deliveries - received.cardinality();
  }

  /** The first violations (at most 20), each naming the reader; {@link #violationCount()} counts all. */
  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized int violationCount() {
    return violationCount;
  }

  /** A few numbers of a set of events, for a message: "e4, e9, e12 and 27 more". */
  static String sample(BitSet events) {
    StringBuilder text = new StringBuilder();
    int shown = 0;
    for (int event = events.nextSetBit(0); event >= 0 && shown < 5; event = events.nextSetBit(event + 1), shown++) {
      text.append(shown == 0 ? "" : ", ").append('e').append(event);
    }
    int more = events.cardinality() - shown;
    return more > 0 ? text + " and " + more + " more" : text.toString();
  }
}
