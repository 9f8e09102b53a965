package io.tollgate.broker.trim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One round of trimming, decided without actors: for each journal, given its owner's latest
 * snapshot, its readers' floor and what is already deleted, the range to delete now
 * ({@link TrimPoint}).
 */
public final class TrimPlan {
  private TrimPlan() {}

  /** Entries {@code from} to {@code through} of {@code journal} go. */
  public record Deletion(String journal, long from, long through) {
    public long entries() {
      return through - from + 1;
    }
  }

  /**
   * {@code latestSnapshots}: per journal to trim, its owner's latest snapshot (a journal without
   * an answer is left alone); {@code deletedThrough}: what earlier rounds deleted (absent: none).
   */
  public static List<Deletion> of(Map<String, Long> latestSnapshots, ReaderFloors floors, Map<String, Long> deletedThrough) {
    List<Deletion> deletions = new ArrayList<>();
    latestSnapshots.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(journal -> {
      long deleted = deletedThrough.getOrDefault(journal.getKey(), 0L);
      OptionalLong point = TrimPoint.of(journal.getValue(), floors.floorOf(journal.getKey()), deleted);
      point.ifPresent(through -> deletions.add(new Deletion(journal.getKey(), deleted + 1, through)));
    });
    return deletions;
  }
}
