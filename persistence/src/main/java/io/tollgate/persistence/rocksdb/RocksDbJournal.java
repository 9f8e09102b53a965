package io.tollgate.persistence.rocksdb;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Persistence journal plugin on the shared {@link RocksDbStore}. All events of one
 * {@code WriteMessages} request, and so each of its {@link AtomicWrite}s, are committed in one
 * synced RocksDB write batch. Reads block and run on the plugin dispatcher.
 */
public final class RocksDbJournal extends AsyncWriteJournal {

  private final RocksDbStore store = RocksDbStore.get(context().system());
  private final PayloadCodec codec = new PayloadCodec((ExtendedActorSystem) context().system());
  private final Executor blockingReads = context().dispatcher();

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<RocksDbStore.EventWrite> events = new ArrayList<>();
    for (AtomicWrite write : messages) {
      // Serializing before enqueueing keeps the writer thread free for I/O and lets a payload
      // that cannot be serialized reject only its own AtomicWrite.
      try {
        List<RocksDbStore.EventWrite> encoded = new ArrayList<>();
        for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
          encoded.add(new RocksDbStore.EventWrite(
              repr.persistenceId(), repr.sequenceNr(), codec.encodeEvent(repr)));
        }
        events.addAll(encoded);
        results.add(Optional.empty());
      } catch (Exception e) {
        results.add(Optional.of(e));
      }
    }
    Iterable<Optional<Exception>> outcome = results;
    if (events.isEmpty()) {
      return Future.successful(outcome);
    }
    return FutureConverters.asScala(store.writeEvents(events).thenApply(done -> outcome));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(store.deleteEventsTo(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Consumer<PersistentRepr> replayCallback) {
    return blocking(() -> {
      store.readEvents(persistenceId, fromSequenceNr, toSequenceNr, max, (sequenceNr, value) ->
          replayCallback.accept(codec.decodeEvent(persistenceId, sequenceNr, value)));
      return null;
    });
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return blocking(() -> store.highestSequenceNr(persistenceId));
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> read) {
    CompletableFuture<T> result = new CompletableFuture<>();
    blockingReads.execute(() -> {
      try {
        result.complete(read.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return FutureConverters.asScala(result);
  }
}
