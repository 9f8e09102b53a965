package io.tollgate.broker.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TimeSeekTest {

  /** Sequence n (from 1) was appended at times[n - 1], or is gone when that is -1. */
  private static long seek(List<Long> times, long at) {
    TimeSeek seek = new TimeSeek(at, times.size());
    int reads = 0;
    while (!seek.done()) {
      long sequence = seek.probe();
      seek.observe(sequence, times.get((int) sequence - 1));
      reads++;
      assertTrue(reads <= 64, "bisection ends");
    }
    return seek.found();
  }

  @Test
  void findsTheFirstEntryAtOrAfterTheInstant() {
    List<Long> times = List.of(10L, 20L, 20L, 30L, 40L);
    assertEquals(1, seek(times, 5));
    assertEquals(1, seek(times, 10));
    assertEquals(2, seek(times, 11));
    assertEquals(2, seek(times, 20));
    assertEquals(5, seek(times, 40));
    assertEquals(6, seek(times, 41), "none: one past the last");
    assertEquals(1, seek(List.of(), 0), "an empty partition: its end");
  }

  @Test
  void entriesDeletedByRetentionCountAsOlder() {
    assertEquals(3, seek(List.of(-1L, -1L, 30L, 40L), 0));
  }

  @Property
  void agreesWithALinearScanInAboutLogNReads(@ForAll @Size(max = 300) List<@IntRange(max = 1000) Integer> gaps,
                                             @ForAll @IntRange(max = 1_000_000) int at) {
    long time = 0;
    long[] times = new long[gaps.size()];
    for (int i = 0; i < gaps.size(); i++) {
      time += gaps.get(i);
      times[i] = time;
    }
    long expected = times.length + 1;
    for (int i = 0; i < times.length; i++) {
      if (times[i] >= at) {
        expected = i + 1;
        break;
      }
    }
    assertEquals(expected, seek(java.util.Arrays.stream(times).boxed().toList(), at));
  }
}
