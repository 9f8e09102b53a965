package io.tollgate.broker.invoicing;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * One per cluster: every {@code interval}, asks each consuming account's billing to invoice the
 * periods that ended more than the grace period ago. Closing is idempotent, so a tick that
 * finds nothing to do, or a singleton that moved to another node, costs only the check.
 */
public final class PeriodCloser {
  private record Tick() {}

  private PeriodCloser() {}

  public static void start(ActorSystem<?> system, ClusterSharding sharding, CatalogView view, Duration interval) {
    Behavior<Tick> closer = Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      return Behaviors.receiveMessage(tick -> {
        view.catalog().subscriptions().stream().map(Catalog.Subscription::account).distinct().forEach(account ->
            sharding.entityRefFor(AccountBilling.ENTITY_KEY, account)
                .tell(new AccountBilling.ClosePeriods(system.ignoreRef())));
        return Behaviors.same();
      });
    });
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(closer).onFailure(SupervisorStrategy.restart()), "period-closer"));
  }
}
