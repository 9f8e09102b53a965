package io.tollgate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When the first things of a run happened, in milliseconds from its beginning: its stream opened,
 * its first event was sent, acknowledged and received, and its measuring clock started (after a
 * warm-up, if it has one). A slow first second shows in the per-second percentiles; these say
 * where it went: waiting for the stream, for the first ack, or for the first delivery. Each mark
 * keeps its first time only, from any thread.
 */
final class StartTimeline {
  /** What is marked, in the order it normally happens; {@link #id} names it in the summary. */
  enum Mark {
    STREAM_OPEN("stream_open", "stream open"),
    FIRST_SEND("first_send", "first send"),
    FIRST_ACK("first_ack", "first ack"),
    FIRST_DELIVERY("first_delivery", "first delivery"),
    CLOCK_START("clock_start", "clock started");

    final String id;
    final String label;

    Mark(String id, String label) {
      this.id = id;
      this.label = label;
    }
  }

  private static final long UNSET = Long.MIN_VALUE;

  private final long origin;
  private final AtomicLongArray at = new AtomicLongArray(Mark.values().length);

  /** {@code origin}: the run's beginning, as {@link System#nanoTime()}. */
  StartTimeline(long origin) {
    this.origin = origin;
    for (int i = 0; i < at.length(); i++) {
      at.set(i, UNSET);
    }
  }

  static StartTimeline startingNow() {
    return new StartTimeline(System.nanoTime());
  }

  void mark(Mark mark) {
    mark(mark, System.nanoTime());
  }

  /** Marks {@code mark} at {@code nanoTime} unless it was marked before. */
  void mark(Mark mark, long nanoTime) {
    at.compareAndSet(mark.ordinal(), UNSET, nanoTime - origin);
  }

  /** Milliseconds from the beginning to {@code mark}; empty when it has not happened. */
  OptionalDouble millis(Mark mark) {
    long nanos = at.get(mark.ordinal());
    return nanos == UNSET ? OptionalDouble.empty() : OptionalDouble.of(nanos / 1e6);
  }

  /** One line for people, in the order things happened: {@code start (...): stream open 41.2 ms, first send 41.3 ms, ...}. */
  String describe() {
    List<String> happened = Arrays.stream(Mark.values()).filter(mark -> millis(mark).isPresent())
        .sorted(Comparator.comparingDouble(mark -> millis(mark).getAsDouble()))
        .map(mark -> String.format(Locale.ROOT, "%s %.1f ms", mark.label, millis(mark).getAsDouble()))
        .toList();
    List<String> parts = new ArrayList<>(happened);
    Arrays.stream(Mark.values()).filter(mark -> millis(mark).isEmpty()).forEach(mark -> parts.add(mark.label + " never"));
    return "start (from the run's beginning): " + String.join(", ", parts);
  }

  /** The marks that happened, by {@link Mark#id}, in milliseconds rounded to microseconds. */
  void writeTo(ObjectNode json) {
    for (Mark mark : Mark.values()) {
      OptionalDouble millis = millis(mark);
      if (millis.isPresent()) {
        json.put(mark.id, Math.round(millis.getAsDouble() * 1000) / 1000.0);
      }
    }
  }
}
