package io.tollgate.broker.subscription;

import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
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
 * A plan's period quota with {@code on_exceed: block}: delivers no more than the quota per
 * billing period, counting what was acknowledged before this session and what this session
 * delivered, then holds back until the next period. Events held back stay in the log and
 * nothing is dropped. The clock is checked at every pull and push, and once a second while the
 * gate holds back (so a clock moved by a test takes effect within a second); a stream under its
 * quota has no timer.
 */
final class QuotaGate extends GraphStage<FlowShape<Delivery, Delivery>> {
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private final Inlet<Delivery> in = Inlet.create("QuotaGate.in");
  private final Outlet<Delivery> out = Outlet.create("QuotaGate.out");
  private final FlowShape<Delivery, Delivery> shape = FlowShape.of(in, out);
  private final long quota;
  private final PeriodScheme periods;
  private final Clock clock;
  private final String attachedPeriod;
  private final long usedAtAttach;
  private final IntSupplier unacked;
  private final Consumer<Period> onExhausted;

  /**
   * @param usedAtAttach events acknowledged in {@code attachedPeriod} before this session
   * @param unacked deliveries of this session not yet acknowledged; at a new period they are
   *     what the new period has used, since their acks will count in it
   * @param onExhausted told once per period when the quota is used up
   */
  QuotaGate(long quota, PeriodScheme periods, Clock clock, String attachedPeriod, long usedAtAttach,
            IntSupplier unacked, Consumer<Period> onExhausted) {
    this.quota = quota;
    this.periods = periods;
    this.clock = clock;
    this.attachedPeriod = attachedPeriod;
    this.usedAtAttach = usedAtAttach;
    this.unacked = unacked;
    this.onExhausted = onExhausted;
  }

  @Override
  public FlowShape<Delivery, Delivery> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private Period period = periods.periodOf(clock.instant());
      private long used = period.id().equals(attachedPeriod) ? usedAtAttach : 0;
      private boolean toldExhausted;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            rollOver();
            used++;
            push(out, grab(in));
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pullIfAllowed();
          }
        });
      }

      @Override
      public void onTimer(Object key) {
        if (isAvailable(out)) {
          pullIfAllowed();
        }
      }

      private void pullIfAllowed() {
        rollOver();
        if (used < quota) {
          cancelTimer("period");
          if (!hasBeenPulled(in) && !isClosed(in)) {
            pull(in);
          }
          return;
        }
        if (!toldExhausted) {
          toldExhausted = true;
          onExhausted.accept(period);
        }
        if (!isTimerActive("period")) {
          scheduleWithFixedDelay("period", CHECK_EVERY, CHECK_EVERY);
        }
      }

      private void rollOver() {
        Period now = periods.periodOf(clock.instant());
        if (!now.equals(period)) {
          period = now;
          used = unacked.getAsInt();
          toldExhausted = false;
        }
      }
    };
  }
}
