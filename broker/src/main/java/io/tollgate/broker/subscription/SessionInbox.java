package io.tollgate.broker.subscription;

import java.util.ArrayDeque;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Messages for a session's stream, from anywhere, kept until the stream takes them: at most
 * {@code capacity}, the oldest dropped first. It exists before the stream runs (a session is
 * told things from the moment it attaches) and is read by one stage of the stream's own graph
 * ({@link #source}), so it costs a queue, where a pre-materialized actor source costs a graph
 * of its own, an actor and a publisher for every session. Once {@link #close closed} and
 * emptied, its source completes.
 */
final class SessionInbox<T> {
  private final int capacity;
  private final ArrayDeque<T> queue = new ArrayDeque<>(0);
  private boolean closed;
  /** How to wake the stage that reads the inbox, once it runs. */
  private Runnable reader;

  SessionInbox(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("an inbox holds at least one message: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Keeps {@code message} for the stream, dropping the oldest when full; nothing once closed. */
  void offer(T message) {
    Runnable wake;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (queue.size() == capacity) {
        queue.poll();
      }
      queue.add(message);
      wake = reader;
    }
    if (wake != null) {
      wake.run();
    }
  }

  /** Nothing more comes: the source completes once it has given what the inbox holds. */
  void close() {
    Runnable wake;
    synchronized (this) {
      closed = true;
      wake = reader;
    }
    if (wake != null) {
      wake.run();
    }
  }

  private synchronized T poll() {
    return queue.poll();
  }

  private synchronized boolean drained() {
    return closed && queue.isEmpty();
  }

  private synchronized void readBy(Runnable wake) {
    reader = wake;
  }

  /** The inbox's messages in the order they came; to be run once. */
  Source<T, NotUsed> source() {
    return Source.fromGraph(new Reader());
  }

  private final class Reader extends GraphStage<SourceShape<T>> {
    private final Outlet<T> out = Outlet.create("SessionInbox.out");
    private final SourceShape<T> shape = SourceShape.of(out);

    @Override
    public SourceShape<T> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        {
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              pushNext();
            }
          });
        }

        @Override
        public void preStart() {
          AsyncCallback<Void> woken = createAsyncCallback(nothing -> pushNext());
          readBy(() -> woken.invoke(null));
          pushNext();
        }

        private void pushNext() {
          if (!isAvailable(out)) {
            if (drained()) {
              completeStage();
            }
            return;
          }
          T message = poll();
          if (message != null) {
            push(out, message);
          } else if (drained()) {
            completeStage();
          }
        }

        @Override
        public void postStop() {
          readBy(null);
        }
      };
    }
  }
}
