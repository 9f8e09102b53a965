package io.tollgate.persistence.rocksdb;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Persistence snapshot store plugin on the shared {@link RocksDbStore}: one entry per
 * (persistenceId, sequenceNr), so saving at an existing sequence number replaces that snapshot.
 */
public final class RocksDbSnapshotStore extends SnapshotStore {

  private final RocksDbStore store = RocksDbStore.get(context().system());
  private final PayloadCodec codec = new PayloadCodec((ExtendedActorSystem) context().system());
  private final Executor blockingReads = context().dispatcher();

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    CompletableFuture<Optional<SelectedSnapshot>> result = new CompletableFuture<>();
    blockingReads.execute(() -> {
      try {
        result.complete(store.latestSnapshot(persistenceId, criteria).map(stored -> {
          PayloadCodec.Snapshot snapshot = codec.decodeSnapshot(stored.value());
          SnapshotMetadata metadata = SnapshotMetadata.apply(
              persistenceId, stored.sequenceNr(), stored.timestamp(), snapshot.metadata());
          return SelectedSnapshot.create(metadata, snapshot.payload());
        }));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return FutureConverters.asScala(result);
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    byte[] payload;
    try {
      payload = codec.encodeSnapshot(snapshot, metadata.metadata());
    } catch (Exception e) {
      return FutureConverters.asScala(CompletableFuture.failedFuture(e));
    }
    return FutureConverters.asScala(store.saveSnapshot(
        metadata.persistenceId(), metadata.sequenceNr(), metadata.timestamp(), payload));
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    // Pekko identifies a single snapshot by its sequence number; a timestamp of 0 means "any".
    long timestamp = metadata.timestamp();
    SnapshotSelectionCriteria exactly = SnapshotSelectionCriteria.create(
        metadata.sequenceNr(),
        timestamp == 0L ? Long.MAX_VALUE : timestamp,
        metadata.sequenceNr(),
        timestamp);
    return doDeleteAsync(metadata.persistenceId(), exactly);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(store.deleteSnapshots(persistenceId, criteria));
  }
}
