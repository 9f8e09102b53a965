package io.tollgate.broker.invoicing;

import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * This node's publish metering feed: the partitions hosted here hand it the summary of each
 * write, and once an interval it tells each topic owner's billing what its partitions wrote
 * ({@link AccountBilling.PublishesWritten}), so that billing meters publishes without reading
 * the entries back. A told batch that is lost (a node going down, a billing entity moving) leaves
 * a gap in a partition's sequence numbers, which billing reads from the journal when the next
 * batch shows it, a bill is read or a period closes. So the feed keeps nothing once it has sent
 * it, and holds at most {@link #MAX_HELD} summaries between two sends (it sends early then).
 */
public final class PublishFeed {
  private PublishFeed() {}

  public sealed interface Message extends NoSerializationVerificationNeeded {}

  /** A partition of this node wrote an entry. */
  public record Wrote(PartitionAdvanced entry) implements Message {}

  private enum Send implements Message { INSTANCE }

  /** Most summaries held between two sends: some 100 bytes each. */
  static final int MAX_HELD = 10_000;

  public static ActorRef<Message> start(ActorSystem<?> system, ClusterSharding sharding, CatalogView view,
                                        Duration interval) {
    return system.systemActorOf(Behaviors.supervise(create(view, interval, (account, entries) ->
            sharding.entityRefFor(AccountBilling.ENTITY_KEY, account).tell(new AccountBilling.PublishesWritten(entries))))
        .onFailure(SupervisorStrategy.restart()), "publish-feed", Props.empty());
  }

  /** Where a batch of one account's summaries goes. */
  @FunctionalInterface
  interface Billing {
    void tell(String account, List<PartitionAdvanced> entries);
  }

  static Behavior<Message> create(CatalogView view, Duration interval, Billing billing) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Send.INSTANCE, interval);
      List<PartitionAdvanced> held = new ArrayList<>();
      return Behaviors.receive(Message.class)
          .onMessage(Wrote.class, wrote -> {
            if (wrote.entry().getSequenceNr() > 0) {
              held.add(wrote.entry());
              if (held.size() >= MAX_HELD) {
                send(view, held, billing);
              }
            }
            return Behaviors.same();
          })
          .onMessage(Send.class, tick -> {
            send(view, held, billing);
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Each owner's summaries in one message; those of a topic no longer in the catalog are dropped. */
  private static void send(CatalogView view, List<PartitionAdvanced> held, Billing billing) {
    Map<String, List<PartitionAdvanced>> byAccount = new HashMap<>();
    for (PartitionAdvanced entry : held) {
      view.catalog().topicOwner(PartitionRef.fromPersistenceId(entry.getPersistenceId()).topic())
          .ifPresent(account -> byAccount.computeIfAbsent(account, a -> new ArrayList<>()).add(entry));
    }
    held.clear();
    byAccount.forEach(billing::tell);
  }
}
