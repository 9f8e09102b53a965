package io.tollgate.broker.subscription;

import java.time.Duration;
import java.util.function.BinaryOperator;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Merges what arrives into one group, which leaves once it holds {@code maxCount} elements or
 * {@code interval} after its first one, whichever comes first, and as soon as downstream wants
 * it after that; what arrives meanwhile joins it. Unlike {@code groupedWithin}, whose timer
 * ticks from the start for as long as the stream lives, the timer runs only while a group
 * waits: a stream whose consumer acks nothing costs no timer. When upstream ends, the group
 * that waits leaves at once.
 */
final class CommitGroups<T> extends GraphStage<FlowShape<T, T>> {
  private static final String DUE = "due";

  private final Inlet<T> in = Inlet.create("CommitGroups.in");
  private final Outlet<T> out = Outlet.create("CommitGroups.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);
  private final int maxCount;
  private final Duration interval;
  private final BinaryOperator<T> merge;

  CommitGroups(int maxCount, Duration interval, BinaryOperator<T> merge) {
    this.maxCount = maxCount;
    this.interval = interval;
    this.merge = merge;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private T group;
      private int count;
      private boolean due;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            T element = grab(in);
            group = group == null ? element : merge.apply(group, element);
            count++;
            if (count == 1) {
              scheduleOnce(DUE, interval);
            }
            if (count >= maxCount) {
              due = true;
            }
            pushIfDue();
            pull(in);
          }

          @Override
          public void onUpstreamFinish() {
            cancelTimer(DUE);
            if (group != null) {
              emit(out, group);
            }
            complete(out);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pushIfDue();
          }
        });
      }

      @Override
      public void preStart() {
        pull(in);
      }

      @Override
      public void onTimer(Object key) {
        due = true;
        pushIfDue();
      }

      private void pushIfDue() {
        if (due && group != null && isAvailable(out)) {
          T leaving = group;
          group = null;
          count = 0;
          due = false;
          cancelTimer(DUE);
          push(out, leaving);
        }
      }
    };
  }
}
