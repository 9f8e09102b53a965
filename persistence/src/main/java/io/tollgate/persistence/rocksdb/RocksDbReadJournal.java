package io.tollgate.persistence.rocksdb;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.EventAdapters;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko Persistence Query read journal (Java API) over the {@link RocksDbStore}. Obtain it with
 * {@code PersistenceQuery.get(system).getReadJournalFor(RocksDbReadJournal.class, pluginId)}.
 *
 * <p>Events pass through the write journal's event adapters, as they do on replay, and carry a
 * {@link org.apache.pekko.persistence.query.Sequence} offset equal to their sequence number.
 */
public final class RocksDbReadJournal
    implements ReadJournal,
        EventsByPersistenceIdQuery,
        CurrentEventsByPersistenceIdQuery,
        CurrentPersistenceIdsQuery {

  /** The config path of this plugin in reference.conf. */
  public static final String IDENTIFIER = "tollgate.persistence.rocksdb.query";

  private final RocksDbStore store;
  private final PayloadCodec codec;
  private final EventAdapters eventAdapters;
  private final Executor blockingReads;
  private final int chunkSize;
  /** Most bytes of stored entries one chunk holds (one entry always): entries may be megabytes each. */
  private final long chunkBytes;
  private final Duration pollInterval;

  RocksDbReadJournal(ExtendedActorSystem system, Config config) {
    this.store = RocksDbStore.get(system);
    this.codec = new PayloadCodec(system);
    this.eventAdapters = Persistence.get(system).adaptersFor(config.getString("write-plugin"));
    this.blockingReads = system.dispatchers().lookup(config.getString("plugin-dispatcher"));
    this.chunkSize = config.getInt("chunk-size");
    this.chunkBytes = config.getBytes("chunk-bytes");
    this.pollInterval = config.getDuration("poll-interval");
  }

  /**
   * Events of {@code persistenceId} with {@code from <= sequenceNr <= to}, stored now or later;
   * completes only after the event with sequence number {@code to}.
   */
  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return events(persistenceId, fromSequenceNr, toSequenceNr, true);
  }

  /** Like {@link #eventsByPersistenceId} but completes at the end of the currently stored events. */
  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return events(persistenceId, fromSequenceNr, toSequenceNr, false);
  }

  /**
   * The highest sequence number ever written for {@code persistenceId} (0 if none), stored in the
   * same write as the events: one lookup, where a read of the events runs a stream. A reader
   * that only needs to know whether anything follows what it has (a fallback poll) asks this.
   */
  public CompletionStage<Long> highestSequenceNr(String persistenceId) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return store.highestSequenceNr(persistenceId);
      } catch (Exception e) {
        throw new IllegalStateException("Reading the highest sequence number of " + persistenceId + " failed", e);
      }
    }, blockingReads);
  }

  /** Every persistenceId that has ever been written, in byte order of their UTF-8 encoding. */
  @Override
  public Source<String, NotUsed> currentPersistenceIds() {
    record Cursor(Optional<String> after, boolean exhausted) {}
    return Source.unfoldAsync(new Cursor(Optional.empty(), false), cursor -> {
      if (cursor.exhausted()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      return CompletableFuture.supplyAsync(() -> {
        try {
          List<String> ids = store.persistenceIds(cursor.after(), chunkSize);
          Optional<String> last = ids.isEmpty() ? cursor.after() : Optional.of(ids.get(ids.size() - 1));
          return Optional.of(Pair.create(new Cursor(last, ids.size() < chunkSize), ids));
        } catch (Exception e) {
          throw new IllegalStateException("Reading persistenceIds failed", e);
        }
      }, blockingReads);
    }).mapConcat(ids -> ids);
  }

  private Source<EventEnvelope, NotUsed> events(
      String persistenceId, long fromSequenceNr, long toSequenceNr, boolean live) {
    return Source.fromGraph(new EventsByPersistenceIdStage(
        store,
        persistenceId,
        fromSequenceNr,
        toSequenceNr,
        live,
        chunkSize,
        pollInterval,
        blockingReads,
        (from, max) -> readChunk(persistenceId, from, toSequenceNr, max)));
  }

  private EventsByPersistenceIdStage.Chunk readChunk(
      String persistenceId, long fromSequenceNr, long toSequenceNr, int max) throws Exception {
    List<EventEnvelope> envelopes = new ArrayList<>();
    long[] next = {fromSequenceNr};
    long[] bytes = {0};
    long read = store.readEvents(persistenceId, fromSequenceNr, toSequenceNr, max, chunkBytes, (seqNr, value) -> {
      envelopes.addAll(toEnvelopes(codec.decodeEvent(persistenceId, seqNr, value)));
      next[0] = seqNr + 1;
      bytes[0] += value.length;
    });
    return new EventsByPersistenceIdStage.Chunk(envelopes, next[0], read < max && bytes[0] < chunkBytes);
  }

  private List<EventEnvelope> toEnvelopes(PersistentRepr repr) {
    Object payload = repr.payload();
    List<EventEnvelope> envelopes = new ArrayList<>(1);
    for (Object event : CollectionConverters.asJava(
        eventAdapters.get(payload.getClass()).fromJournal(payload, repr.manifest()).events())) {
      envelopes.add(EventEnvelope.apply(
          Offset.sequence(repr.sequenceNr()),
          repr.persistenceId(),
          repr.sequenceNr(),
          event,
          repr.timestamp(),
          repr.metadata()));
    }
    return envelopes;
  }
}
