package io.tollgate.cli;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of a run, kept per interval (a second, as the progress line closes it) and in all:
 * a stall of one second shows as that second's p99 and max, where a whole-run percentile would
 * hide it among the good seconds. Recording is wait-free (HdrHistogram's {@link Recorder}), from
 * any thread; intervals are closed by one thread at a time.
 */
final class IntervalLatency {
  /** One interval: when it ended (seconds from the start), how many latencies it holds, and their percentiles. */
  record Interval(double endSecond, long count, double p50Ms, double p99Ms, double maxMs) {}

  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private final List<Interval> intervals = new ArrayList<>();
  private Histogram recycled;

  void record(long micros) {
    recorder.recordValue(Math.max(0, micros));
  }

  /** Ends the current interval at {@code endSecond} and starts the next; returns the one that ended. */
  synchronized Interval closeInterval(double endSecond) {
    Histogram interval = recorder.getIntervalHistogram(recycled);
    total.add(interval);
    Interval closed = new Interval(endSecond, interval.getTotalCount(),
        interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
        interval.getMaxValue() / 1000.0);
    intervals.add(closed);
    recycled = interval;
    return closed;
  }

  /** Every latency of the intervals closed so far. */
  synchronized Histogram total() {
    return total.copy();
  }

  synchronized List<Interval> intervals() {
    return List.copyOf(intervals);
  }
}
