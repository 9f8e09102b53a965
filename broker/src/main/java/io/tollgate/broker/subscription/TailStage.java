package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * One stream's reading of its partitions, each from a cursor on, merged, never completing: from
 * each partition's shared tail when it has the entries, from the journal while the stream is
 * behind it, and nothing at all at the end until the tail wakes it. It reads only when pulled, so
 * a slow consumer reads later, from the journal if the tail has moved on, and holds up no one.
 *
 * <p>All the partitions of a stream are read by this one stage, taking turns, rather than by a
 * sub-stream each under {@code flatMapMerge}: a stream costs one stage however many partitions
 * it reads, which is what makes thousands of idle streams affordable (docs/benchmarks.md).
 */
final class TailStage extends GraphStage<SourceShape<Delivery>> {
  /** A partition's tail, and the cursor after which this stream reads it (null: from the start). */
  record Reading(PartitionTail tail, Cursor after) {
    long fromSequence() {
      return after == null ? 1 : after.index() == Integer.MAX_VALUE ? after.sequence() + 1 : after.sequence();
    }
  }

  /** The outcome of one partition's journal read by this stream. */
  private record JournalRead(int partition, List<TailEntry> entries, Throwable failure) {}

  private final Outlet<Delivery> out = Outlet.create("TailStage.out");
  private final SourceShape<Delivery> shape = SourceShape.of(out);
  private final Supplier<List<Reading>> join;
  private final Runnable leave;

  /**
   * {@code join}: the readings, taken when the stream starts (so a stream never run holds no
   * tail); {@code leave}: run once when the stream ends, however it ends.
   */
  TailStage(Supplier<List<Reading>> join, Runnable leave) {
    this.join = join;
    this.leave = leave;
  }

  @Override
  public SourceShape<Delivery> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private List<Reading> readings = List.of();
      private ArrayDeque<Delivery>[] ready;
      private long[] next;
      private Cursor[] after;
      private boolean[] readingJournal;
      /** The partition whose turn it is to push. */
      private int turn;
      private Runnable wake;
      private AsyncCallback<JournalRead> journalRead;

      {
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            deliver();
          }
        });
      }

      @Override
      @SuppressWarnings("unchecked")
      public void preStart() {
        AsyncCallback<Void> woken = createAsyncCallback(nothing -> {
          if (isAvailable(out)) {
            deliver();
          }
        });
        wake = () -> woken.invoke(null);
        journalRead = createAsyncCallback(this::onJournalRead);
        readings = join.get();
        int count = readings.size();
        ready = new ArrayDeque[count];
        next = new long[count];
        after = new Cursor[count];
        readingJournal = new boolean[count];
        for (int i = 0; i < count; i++) {
          ready[i] = new ArrayDeque<>(0);
          next[i] = readings.get(i).fromSequence();
          after[i] = readings.get(i).after();
        }
      }

      /** Pushes the next delivery of the first partition, in turn, that has one or can get one now. */
      private void deliver() {
        int count = readings.size();
        for (int step = 0; step < count; step++) {
          int partition = (turn + step) % count;
          if (ready[partition].isEmpty()) {
            look(partition);
          }
          if (!ready[partition].isEmpty()) {
            turn = (partition + 1) % count;
            push(out, ready[partition].poll());
            return;
          }
        }
      }

      /** Takes what the tail holds after where the partition stands, or reads the journal when behind it. */
      private void look(int partition) {
        if (readingJournal[partition]) {
          return;
        }
        PartitionTail tail = readings.get(partition).tail();
        TailBuffer.Read read = tail.read(next[partition], wake);
        if (read instanceof TailBuffer.Entries found) {
          take(partition, found.entries());
        } else if (read instanceof TailBuffer.Behind) {
          readingJournal[partition] = true;
          tail.readJournal(next[partition])
              .whenComplete((entries, failure) -> journalRead.invoke(new JournalRead(partition, entries, failure)));
        }
      }

      private void onJournalRead(JournalRead read) {
        readingJournal[read.partition()] = false;
        if (read.failure() != null) {
          failStage(read.failure());
          return;
        }
        if (read.entries().isEmpty()) {
          readings.get(read.partition()).tail().reachedEnd(next[read.partition()]);
        } else {
          take(read.partition(), read.entries());
        }
        if (isAvailable(out)) {
          deliver();
        }
      }

      /** The entries' deliveries, skipping those the partition's cursor covers (only its own entry has any). */
      private void take(int partition, List<TailEntry> entries) {
        for (TailEntry entry : entries) {
          ready[partition].addAll(entry.deliveriesAfter(after[partition]));
        }
        next[partition] = entries.get(entries.size() - 1).sequence() + 1;
        after[partition] = null;
      }

      @Override
      public void postStop() {
        readings.forEach(reading -> reading.tail().forget(wake));
        leave.run();
      }
    };
  }
}
