package io.tollgate.broker.analytics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The minute rollups of every key of every dimension, and the hours and days made from them on
 * demand. Plain state: the read side's entity keeps one and journals what it adds.
 */
public final class RollupTable {
  /** One key's rollup in one minute. */
  public record Minute(Dimension dimension, String key, long minuteMillis, Rollup rollup) {}

  private final Map<Dimension, Map<String, TreeMap<Long, Rollup>>> minutes = new EnumMap<>(Dimension.class);

  /** Merges {@code rollup} into the minute that holds {@code atMillis}. */
  public void add(Dimension dimension, String key, long atMillis, Rollup rollup) {
    minutes.computeIfAbsent(dimension, d -> new HashMap<>()).computeIfAbsent(key, k -> new TreeMap<>())
        .merge(Resolution.MINUTE.bucketOf(atMillis), rollup, Rollup::merge);
  }

  public void add(Minute minute) {
    add(minute.dimension(), minute.key(), minute.minuteMillis(), minute.rollup());
  }

  /** The minute's rollup so far, empty if nothing was added. */
  public Rollup at(Dimension dimension, String key, long atMillis) {
    TreeMap<Long, Rollup> series = minutes.getOrDefault(dimension, Map.of()).get(key);
    return series == null ? Rollup.EMPTY
        : series.getOrDefault(Resolution.MINUTE.bucketOf(atMillis), Rollup.EMPTY);
  }

  /**
   * Each key {@code keys} accepts that has anything in {@code [fromMillis, toMillis)}, with its
   * buckets of {@code resolution} that have anything, oldest first. A bucket is made of the
   * minutes of the range it holds.
   */
  public Map<String, SortedMap<Long, Rollup>> series(Dimension dimension, Predicate<String> keys, long fromMillis,
                                                     long toMillis, Resolution resolution) {
    Map<String, SortedMap<Long, Rollup>> answer = new TreeMap<>();
    minutes.getOrDefault(dimension, Map.of()).forEach((key, series) -> {
      if (!keys.test(key)) {
        return;
      }
      NavigableMap<Long, Rollup> range = series.subMap(Resolution.MINUTE.bucketOf(fromMillis), true, toMillis, false);
      if (range.isEmpty()) {
        return;
      }
      Map<Long, List<Rollup>> byBucket = new LinkedHashMap<>();
      range.forEach((minute, rollup) ->
          byBucket.computeIfAbsent(resolution.bucketOf(minute), b -> new ArrayList<>()).add(rollup));
      SortedMap<Long, Rollup> buckets = new TreeMap<>();
      byBucket.forEach((bucket, rollups) -> buckets.put(bucket, rollups.size() == 1 ? rollups.get(0)
          : Rollup.mergeAll(rollups)));
      answer.put(key, buckets);
    });
    return answer;
  }

  /** Every minute kept, for a snapshot. */
  public List<Minute> all() {
    List<Minute> all = new ArrayList<>();
    minutes.forEach((dimension, keys) -> keys.forEach((key, series) ->
        series.forEach((minute, rollup) -> all.add(new Minute(dimension, key, minute, rollup)))));
    return all;
  }
}
