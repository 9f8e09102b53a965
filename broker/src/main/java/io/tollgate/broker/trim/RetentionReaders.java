package io.tollgate.broker.trim;

import io.tollgate.broker.topic.PartitionReaders;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node's topic partitions wait for before retention deletes: the readers of partition
 * journals (billing's publish metering, the analytics read side), asked at most once per
 * {@code refreshInterval} for all partitions the catalog lists, the answer kept for each
 * partition's retention check. Until the first answer, and for a partition the last answer did
 * not cover, every reader counts as at 0: nothing is deleted that a reader may not have read.
 * A refresh that fails keeps the last answer until the next interval.
 */
public final class RetentionReaders implements PartitionReaders {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionReaders.class);

  /** Told how many entries retention deleted unread, per partition journal (for /metrics). */
  public interface Listener {
    void deletedUnread(String journal, long entries);
  }

  private final List<ReadPositions> readers;
  private final Supplier<List<String>> partitionJournals;
  private final Duration refreshInterval;
  private final Listener listener;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile ReaderFloors floors;
  /** System.nanoTime of the last refresh: a cadence on the scheduler's time, as the partitions' checks are. */
  private volatile long refreshedAtNanos;
  private volatile boolean refreshed;

  /** {@code readers}: those that follow partition journals; {@code partitionJournals}: every partition's journal. */
  public RetentionReaders(List<ReadPositions> readers, Supplier<List<String>> partitionJournals, Duration refreshInterval,
                          Listener listener) {
    this.readers = List.copyOf(readers);
    this.partitionJournals = partitionJournals;
    this.refreshInterval = refreshInterval;
    this.listener = listener;
  }

  @Override
  public OptionalLong floorOf(String persistenceId) {
    if (readers.isEmpty()) {
      return OptionalLong.empty();
    }
    boolean stale = !refreshed || System.nanoTime() - refreshedAtNanos >= refreshInterval.toNanos();
    if (stale && refreshing.compareAndSet(false, true)) {
      refresh();
    }
    ReaderFloors known = floors;
    return known == null || known.floorOf(persistenceId).isEmpty() ? OptionalLong.of(0) : known.floorOf(persistenceId);
  }

  @Override
  public void deletedUnread(String persistenceId, long from, long through) {
    listener.deletedUnread(persistenceId, through - from + 1);
  }

  private void refresh() {
    List<String> journals = List.copyOf(partitionJournals.get());
    ReaderFloors.ask(readers, journals).whenComplete((answered, failure) -> {
      if (failure != null) {
        LOG.warn("the readers of partition journals did not answer; retention goes on from their last positions",
            failure);
      } else {
        floors = answered;
      }
      refreshedAtNanos = System.nanoTime();
      refreshed = true;
      refreshing.set(false);
    });
  }
}
