package io.tollgate.broker.topic;

import io.tollgate.broker.position.PartitionRef;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deduplication windows of the partitions this node runs, as each partition last reported
 * them, for the metrics: how far back each reaches and what they count together. Partitions
 * report after each write; a scrape reads from another thread, so it sees copies.
 */
public final class DedupWindows {
  /** What a partition's window reaches back to, from one moment of its actor. */
  private record Status(long spanMillis, long capEvictedThrough, long countedBytes) {}

  /** One partition's reach at a scrape. */
  public record Reach(PartitionRef partition, double seconds) {}

  private final Clock clock;
  private final Map<PartitionRef, Status> statuses = new ConcurrentHashMap<>();

  public DedupWindows(Clock clock) {
    this.clock = clock;
  }

  void update(PartitionRef partition, DedupWindow window) {
    statuses.put(partition, new Status(window.spanMillis(), window.capEvictedThrough(), window.countedBytes()));
  }

  void remove(PartitionRef partition) {
    statuses.remove(partition);
  }

  /** The {@code max} partitions whose windows reach back least, shortest first. */
  public List<Reach> shortest(int max) {
    long now = clock.millis();
    return statuses.entrySet().stream()
        .map(entry -> new Reach(entry.getKey(), DedupWindow.reachMillis(entry.getValue().spanMillis(),
            entry.getValue().capEvictedThrough(), now) / 1000.0))
        .sorted(Comparator.comparingDouble(Reach::seconds).thenComparing(reach -> reach.partition().persistenceId()))
        .limit(max)
        .toList();
  }

  /** What every window of this node counts against its cap, together. */
  public long countedBytes() {
    return statuses.values().stream().mapToLong(Status::countedBytes).sum();
  }
}
