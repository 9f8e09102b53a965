package io.tollgate.broker.topic;

import java.util.OptionalLong;

/**
 * The readers of partition journals that retention waits for (billing's publish metering, the
 * analytics read side), as a partition sees them: how far the slowest has read its journal, and
 * where to report entries deleted before a reader read them.
 */
public interface PartitionReaders {

  /** The lowest position of the readers that follow {@code persistenceId}; empty when none does. */
  OptionalLong floorOf(String persistenceId);

  /** Retention deleted entries {@code from} to {@code through} that a reader had not read. */
  void deletedUnread(String persistenceId, long from, long through);

  /** No reader to wait for. */
  PartitionReaders NONE = new PartitionReaders() {
    @Override
    public OptionalLong floorOf(String persistenceId) {
      return OptionalLong.empty();
    }

    @Override
    public void deletedUnread(String persistenceId, long from, long through) {
    }
  };
}
