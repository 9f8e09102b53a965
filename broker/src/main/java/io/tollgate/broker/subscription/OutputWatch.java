package io.tollgate.broker.subscription;

import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The last stage of what a stream sends: it passes each frame on as the connection takes it, and
 * while a frame waits for the connection, {@link StalledOutputs} knows since when, so that the
 * node's sweep can abort a stream whose connection has stopped taking frames. It holds at most
 * one frame, and has no timer: a stream whose connection keeps up, or that has nothing to send,
 * is never in the sweep's set.
 */
final class OutputWatch<T> extends GraphStage<FlowShape<T, T>> {
  /** Why a stream was aborted: its connection took nothing for the stall timeout. */
  static final class Stalled extends RuntimeException {
    Stalled(Duration waited) {
      super("the connection took no frame for " + waited.toMillis() + " ms; the stream is aborted");
    }
  }

  private final Inlet<T> in = Inlet.create("OutputWatch.in");
  private final Outlet<T> out = Outlet.create("OutputWatch.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);
  private final StalledOutputs stalls;

  OutputWatch(StalledOutputs stalls) {
    this.stalls = stalls;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends GraphStageLogic {
    /** The frame the connection has not taken yet; null when none waits. */
    private T held;
    private AsyncCallback<Duration> stalled;

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          T frame = grab(in);
          if (isAvailable(out)) {
            push(out, frame);
            pull(in);
          } else {
            held = frame;
            stalls.waiting(Logic.this, System.nanoTime(), stalled::invoke);
          }
        }

        @Override
        public void onUpstreamFinish() {
          if (held == null) {
            completeStage();
          }
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (held == null) {
            return;
          }
          T frame = held;
          held = null;
          stalls.taken(Logic.this);
          push(out, frame);
          if (isClosed(in)) {
            completeStage();
          } else {
            pull(in);
          }
        }
      });
    }

    @Override
    public void preStart() {
      stalled = createAsyncCallback(waited -> failStage(new Stalled(waited)));
      pull(in);
    }

    @Override
    public void postStop() {
      stalls.taken(this);
    }
  }
}
