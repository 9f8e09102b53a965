package io.tollgate.broker.subscription;

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
 * Lets at most {@code size} unacknowledged deliveries through. When the window is full it stops
 * pulling, so the journal reads upstream stop too: a consumer that never acks costs a bounded
 * amount of memory, however far behind it falls.
 */
public final class AckWindow extends GraphStage<FlowShape<Delivery, Delivery>> {
  private final Inlet<Delivery> in = Inlet.create("AckWindow.in");
  private final Outlet<Delivery> out = Outlet.create("AckWindow.out");
  private final FlowShape<Delivery, Delivery> shape = FlowShape.of(in, out);
  private final int size;
  private final DeliveryTracker tracker;

  public AckWindow(int size, DeliveryTracker tracker) {
    this.size = size;
    this.tracker = tracker;
  }

  @Override
  public FlowShape<Delivery, Delivery> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private int inFlight;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            Delivery delivery = grab(in);
            inFlight++;
            tracker.delivered(delivery);
            push(out, delivery);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pullIfOpen();
          }
        });
      }

      @Override
      public void preStart() {
        AsyncCallback<Integer> released = createAsyncCallback(count -> {
          inFlight -= count;
          if (isAvailable(out)) {
            pullIfOpen();
          }
        });
        tracker.onReleased(released::invoke);
      }

      private void pullIfOpen() {
        if (inFlight < size && !hasBeenPulled(in) && !isClosed(in)) {
          pull(in);
        }
      }
    };
  }
}
