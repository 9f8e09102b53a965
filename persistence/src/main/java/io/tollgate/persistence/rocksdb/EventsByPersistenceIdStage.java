package io.tollgate.persistence.rocksdb;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Source of the events of one persistenceId, read in chunks and only when downstream demands
 * more than the buffered chunk holds. A live stream wakes up as soon as the store commits an
 * event for its persistenceId; the periodic poll is only a safety net.
 */
final class EventsByPersistenceIdStage extends GraphStage<SourceShape<EventEnvelope>> {

  /** Reads events from a sequence number on; blocking. */
  @FunctionalInterface
  interface ChunkReader {
    Chunk read(long fromSequenceNr, int maxEvents) throws Exception;
  }

  /**
   * Events read by one query. {@code caughtUp} is true when fewer than the requested number of
   * stored events were found, i.e. nothing more was stored when the query ran.
   */
  record Chunk(List<EventEnvelope> envelopes, long nextSequenceNr, boolean caughtUp) {}

  private static final Object POLL = "poll";

  private final Outlet<EventEnvelope> out = Outlet.create("EventsByPersistenceId.out");
  private final SourceShape<EventEnvelope> shape = SourceShape.of(out);
  private final RocksDbStore store;
  private final String persistenceId;
  private final long fromSequenceNr;
  private final long toSequenceNr;
  private final boolean live;
  private final int chunkSize;
  private final Duration pollInterval;
  private final Executor blockingReads;
  private final ChunkReader reader;

  EventsByPersistenceIdStage(
      RocksDbStore store,
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      boolean live,
      int chunkSize,
      Duration pollInterval,
      Executor blockingReads,
      ChunkReader reader) {
    this.store = store;
    this.persistenceId = persistenceId;
    this.fromSequenceNr = fromSequenceNr;
    this.toSequenceNr = toSequenceNr;
    this.live = live;
    this.chunkSize = chunkSize;
    this.pollInterval = pollInterval;
    this.blockingReads = blockingReads;
    this.reader = reader;
  }

  @Override
  public SourceShape<EventEnvelope> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private final Deque<EventEnvelope> buffer = new ArrayDeque<>();
      private final AsyncCallback<Chunk> onChunk = createAsyncCallback(this::chunkRead);
      private final AsyncCallback<Throwable> onReadFailure = createAsyncCallback(this::failStage);
      private final AsyncCallback<Long> onCommitted = createAsyncCallback(this::committed);
      private long nextSequenceNr = Math.max(1L, fromSequenceNr);
      private boolean reading;
      private boolean caughtUp;
      private boolean storeChanged;
      private AutoCloseable listener;

      {
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            advance();
          }
        });
      }

      @Override
      public void preStart() {
        if (live) {
          listener = store.addEventListener(persistenceId, onCommitted::invoke);
          scheduleWithFixedDelay(POLL, pollInterval, pollInterval);
        }
      }

      @Override
      public void postStop() throws Exception {
        if (listener != null) {
          listener.close();
        }
      }

      @Override
      public void onTimer(Object timerKey) {
        storeChanged = true;
        advance();
      }

      private void committed(long highestSequenceNr) {
        if (highestSequenceNr >= nextSequenceNr) {
          storeChanged = true;
          advance();
        }
      }

      private void chunkRead(Chunk chunk) {
        reading = false;
        buffer.addAll(chunk.envelopes());
        nextSequenceNr = chunk.nextSequenceNr();
        caughtUp = chunk.caughtUp();
        advance();
      }

      private void advance() {
        if (!buffer.isEmpty()) {
          if (isAvailable(out)) {
            push(out, buffer.poll());
          }
          if (!buffer.isEmpty()) {
            return;
          }
        }
        if (reading) {
          return;
        }
        if (nextSequenceNr > toSequenceNr || (caughtUp && !live)) {
          completeStage();
        } else if (isAvailable(out) && (!caughtUp || storeChanged)) {
          startRead();
        }
      }

      private void startRead() {
        reading = true;
        storeChanged = false;
        long from = nextSequenceNr;
        blockingReads.execute(() -> {
          try {
            onChunk.invoke(reader.read(from, chunkSize));
          } catch (Throwable t) {
            onReadFailure.invoke(t);
          }
        });
      }
    };
  }
}
