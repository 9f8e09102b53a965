package io.tollgate.broker.trim;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * The sequence number of a journal owner's latest durable snapshot, from the snapshot store the
 * node runs on (RocksDB or Cassandra): a trim never passes it, so the owner recovers from that
 * snapshot and the entries after it.
 */
public interface LatestSnapshots {

  /** Completes with the latest snapshot's sequence number, 0 when there is none. */
  CompletionStage<Long> sequenceOf(String persistenceId);

  Duration TIMEOUT = Duration.ofSeconds(30);

  static LatestSnapshots of(ActorSystem<?> system) {
    org.apache.pekko.actor.ActorRef store = Persistence.get(Adapter.toClassic(system))
        .snapshotStoreFor("", ConfigFactory.empty());
    return persistenceId -> Patterns.ask(store,
            new SnapshotProtocol.LoadSnapshot(persistenceId, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE), TIMEOUT)
        .thenCompose(reply -> {
          if (reply instanceof SnapshotProtocol.LoadSnapshotResult result) {
            return CompletableFuture.completedFuture(
                result.snapshot().isDefined() ? result.snapshot().get().metadata().sequenceNr() : 0L);
          }
          Throwable cause = reply instanceof SnapshotProtocol.LoadSnapshotFailed failed ? failed.cause()
              : new IllegalStateException("unexpected reply to a snapshot load: " + reply);
          return CompletableFuture.failedFuture(cause);
        });
  }
}
