package io.tollgate.broker.invoicing;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * This node's wake-ups of account billing after usage writes, through a {@link WakeQueue}: one
 * catch-up in flight per account, asked of the account's entity, which answers once it has read
 * the journals. A catch-up that fails or times out (lost in a hand-off, or with a dying node) ends
 * all the same, and is not asked again: it is a hint, and the next usage write, a usage request or
 * the period's close reads what it missed, since the account pulls usage from the journals.
 */
public final class BillingWakeups extends AbstractBehavior<BillingWakeups.Message> {
  public sealed interface Message extends NoSerializationVerificationNeeded {}

  /** A subscription of {@code account} wrote usage. */
  public record Woken(String account, String subscription) implements Message {}

  private record Ended(String account) implements Message {}

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final WakeQueue queue = new WakeQueue();

  private BillingWakeups(ActorContext<Message> context, ClusterSharding sharding, Duration timeout) {
    super(context);
    this.sharding = sharding;
    this.timeout = timeout;
  }

  public static ActorRef<Message> start(ActorSystem<?> system, ClusterSharding sharding, Duration timeout) {
    Behavior<Message> wakeups = Behaviors.setup(context -> new BillingWakeups(context, sharding, timeout));
    return system.systemActorOf(Behaviors.supervise(wakeups).onFailure(SupervisorStrategy.restart()),
        "billing-wakeups", Props.empty());
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Woken.class, woken -> {
          queue.woken(woken.account(), woken.subscription()).ifPresent(next -> catchUp(woken.account(), next));
          return this;
        })
        .onMessage(Ended.class, ended -> {
          queue.ended(ended.account()).ifPresent(next -> catchUp(ended.account(), next));
          return this;
        })
        .build();
  }

  private void catchUp(String account, List<String> subscriptions) {
    getContext().pipeToSelf(sharding.entityRefFor(AccountBilling.ENTITY_KEY, account)
            .<Done>ask(replyTo -> new AccountBilling.CatchUp(subscriptions, replyTo), timeout),
        (read, failure) -> new Ended(account));
  }
}
