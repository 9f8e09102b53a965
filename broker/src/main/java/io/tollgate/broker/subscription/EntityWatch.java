package io.tollgate.broker.subscription;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps a running stream session attached to its subscription's entity wherever the entity runs.
 * The entity knows which session may deliver: that is how a newer connection replaces an older
 * one, how a plan change reaches the stream at once, and where a posted ack goes. An entity started
 * elsewhere (its shard moved when a node joined or left, or its node died) or started again (it
 * was passivated) knows none of it. So the session watches the entity that answered its attach
 * and, when that one stops, attaches again as a rejoin: through {@code ShardedAsk}, which waits out
 * the shard's move, and without replacing a session that attached in the meantime.
 *
 * <p>Acks need none of this to be counted: a commit reaches the entity wherever it runs, and
 * counts when it starts where the partition stands.
 */
final class EntityWatch {
  private EntityWatch() {}

  /** What the watch tells itself; never leaves the node. */
  sealed interface Message extends NoSerializationVerificationNeeded {}

  private record Rejoined(SubscriptionEntity.Attached attached) implements Message {}

  private record Failed(Throwable failure) implements Message {}

  /**
   * Watches {@code first} (absent when an entity of an earlier release answered: nothing to
   * watch), rejoins through {@code rejoin} each time the watched entity stops, and runs
   * {@code lost} and stops when a rejoin fails.
   */
  static Behavior<Message> create(Optional<ActorRef<SubscriptionEntity.Command>> first,
                                  Supplier<CompletionStage<SubscriptionEntity.Attached>> rejoin, Runnable lost) {
    return Behaviors.setup(context -> {
      first.ifPresent(context::watch);
      return Behaviors.receive(Message.class)
          .onMessage(Rejoined.class, rejoined -> {
            rejoined.attached().entity().ifPresent(context::watch);
            return Behaviors.same();
          })
          .onMessage(Failed.class, failed -> {
            lost.run();
            return Behaviors.stopped();
          })
          .onSignal(Terminated.class, stopped -> {
            context.pipeToSelf(rejoin.get(), (attached, failure) ->
                failure == null ? new Rejoined(attached) : new Failed(failure));
            return Behaviors.same();
          })
          .build();
    });
  }
}
