package io.tollgate.broker.ops;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a label's values to a stated number, so a metric family has at most {@code max} + 1
 * series however many topics or subscriptions there are. Counters use {@link #label}: the
 * first {@code max} values seen keep their own series for as long as the node runs (a counter
 * must not move between series), and every later one counts under {@value #OTHER}. Gauges use
 * {@link #largest}: the {@code max} largest values at this moment, the rest summed.
 */
public final class LabelBudget {
  public static final String OTHER = "other";

  private final int max;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();

  public LabelBudget(int max) {
    this.max = max;
  }

  public String label(String value) {
    if (admitted.contains(value)) {
      return value;
    }
    synchronized (admitted) {
      if (admitted.size() < max) {
        admitted.add(value);
        return value;
      }
    }
    return OTHER;
  }

  /** The {@code max} entries of largest value, in that order, and the sum of the rest as {@value #OTHER}, if any. */
  public static Map<String, Long> largest(Map<String, Long> values, int max) {
    List<Map.Entry<String, Long>> sorted = values.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .toList();
    Map<String, Long> kept = new LinkedHashMap<>();
    long rest = 0;
    boolean anyRest = false;
    for (int i = 0; i < sorted.size(); i++) {
      if (i < max) {
        kept.put(sorted.get(i).getKey(), sorted.get(i).getValue());
      } else {
        rest += sorted.get(i).getValue();
        anyRest = true;
      }
    }
    if (anyRest) {
      kept.put(OTHER, rest);
    }
    return kept;
  }
}
