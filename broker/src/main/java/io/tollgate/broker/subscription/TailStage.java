package io.tollgate.broker.subscription;

import java.util.ArrayDeque;
import java.util.List;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * One stream's reading of one partition, from a sequence number on, never completing: from the
 * shared tail when it has the entries, from the journal while the stream is behind it, and
 * nothing at all at the end until the tail wakes it. It reads only when pulled, so a slow
 * consumer reads later, from the journal if the tail has moved on, and holds up no one.
 */
final class TailStage extends GraphStage<SourceShape<TailEntry>> {
  private final Outlet<TailEntry> out = Outlet.create("TailStage.out");
  private final SourceShape<TailEntry> shape = SourceShape.of(out);
  private final PartitionTail tail;
  private final long fromSequence;
  private final Runnable onStop;

  /** {@code onStop}: run once when the stream ends, however it ends. */
  TailStage(PartitionTail tail, long fromSequence, Runnable onStop) {
    this.tail = tail;
    this.fromSequence = fromSequence;
    this.onStop = onStop;
  }

  @Override
  public SourceShape<TailEntry> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private final ArrayDeque<TailEntry> ready = new ArrayDeque<>();
      private long next = fromSequence;
      private boolean readingJournal;
      private Runnable wake;
      private AsyncCallback<Pair<List<TailEntry>, Throwable>> journalRead;

      {
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            deliver();
          }
        });
      }

      @Override
      public void preStart() {
        AsyncCallback<Void> woken = createAsyncCallback(nothing -> {
          if (isAvailable(out)) {
            deliver();
          }
        });
        wake = () -> woken.invoke(null);
        journalRead = createAsyncCallback(read -> {
          readingJournal = false;
          if (read.second() != null) {
            failStage(read.second());
          } else {
            if (read.first().isEmpty()) {
              tail.reachedEnd(next);
            } else {
              take(read.first());
            }
            if (isAvailable(out)) {
              deliver();
            }
          }
        });
      }

      private void deliver() {
        if (!ready.isEmpty()) {
          push(out, ready.poll());
          return;
        }
        if (readingJournal) {
          return;
        }
        TailBuffer.Read read = tail.read(next, wake);
        if (read instanceof TailBuffer.Entries found) {
          take(found.entries());
          push(out, ready.poll());
        } else if (read instanceof TailBuffer.Behind) {
          readingJournal = true;
          tail.readJournal(next).whenComplete((entries, failure) -> journalRead.invoke(Pair.create(entries, failure)));
        }
      }

      private void take(List<TailEntry> entries) {
        ready.addAll(entries);
        next = entries.get(entries.size() - 1).sequence() + 1;
      }

      @Override
      public void postStop() {
        tail.forget(wake);
        onStop.run();
      }
    };
  }
}
