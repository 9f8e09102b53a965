package io.tollgate.broker.invoicing;

import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * One per cluster: every {@code interval}, reads the catalog's version once and asks the billing
 * of each account that has something to close or to confirm ({@link CloseSchedule}) to invoice
 * the periods that ended more than the grace period ago, once this node's catalog view has
 * reached that version. Closing is idempotent, so a tick that finds nothing to do, or a
 * singleton that moved to another node (and asks every account once), costs only the check.
 */
public final class PeriodCloser {
  private sealed interface Message {}

  private record Tick() implements Message {}

  private record CatalogVersionRead(long version) implements Message {}

  private record Heard(AccountBilling.CloseStatus status) implements Message {}

  private PeriodCloser() {}

  public static void start(ActorSystem<?> system, ClusterSharding sharding, CatalogView view, Clock clock,
                           AccountBilling.Settings settings, Duration interval) {
    Behavior<Message> closer = Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      CloseSchedule schedule = new CloseSchedule(settings.periods(), settings.grace());
      var heard = context.messageAdapter(AccountBilling.CloseStatus.class, Heard::new);
      return Behaviors.receive(Message.class)
          .onMessage(Tick.class, tick -> {
            context.pipeToSelf(ShardedAsk.ask(CatalogEntity.ref(sharding), CatalogEntity.GetVersion::new,
                    settings.timeout(), settings.timeout().multipliedBy(3)),
                (version, failure) -> failure == null ? new CatalogVersionRead(version) : new CatalogVersionRead(-1));
            return Behaviors.same();
          })
          .onMessage(CatalogVersionRead.class, read -> {
            if (read.version() < 0) {
              context.getLog().warn("the catalog's version could not be read; no period is closed this tick");
              return Behaviors.same();
            }
            // Told once a tick: an account whose ClosePeriods is lost (a hand-off, a dying node)
            // sends no CloseStatus, so the schedule still names it, and the next tick asks again.
            schedule.toAsk(view.catalog().subscribingAccounts(), clock.instant()).forEach(account ->
                sharding.entityRefFor(AccountBilling.ENTITY_KEY, account)
                    .tell(new AccountBilling.ClosePeriods(read.version(), heard)));
            return Behaviors.same();
          })
          .onMessage(Heard.class, status -> {
            schedule.heard(status.status());
            return Behaviors.same();
          })
          .build();
    }));
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(closer).onFailure(SupervisorStrategy.restart()), "period-closer"));
  }
}
