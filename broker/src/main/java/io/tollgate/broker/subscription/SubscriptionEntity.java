package io.tollgate.broker.subscription;

import io.tollgate.broker.topic.Cursor;
import io.tollgate.broker.topic.PartitionRef;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A subscription: the durable cursor of each partition it reads (everything up to and
 * including the cursor is acknowledged) and the one stream session that may deliver it.
 * A new session replaces the previous one, so a consumer that reconnects after a network
 * failure takes over at once instead of waiting for the old socket to time out.
 */
public final class SubscriptionEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SubscriptionEntity.Command, CursorsAdvanced, SubscriptionEntity.Cursors> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Subscription");

  public sealed interface Command {}

  /** A session wants to deliver; the reply carries the acknowledged cursors to resume after. */
  public record Attach(String sessionId, ActorRef<SessionSignal> session, ActorRef<Attached> replyTo) implements Command {}

  public record Attached(Map<PartitionRef, Cursor> acked) {}

  public record Detach(String sessionId) implements Command {}

  /** Asks for the acknowledged cursors without attaching. */
  public record GetAcked(ActorRef<Attached> replyTo) implements Command {}

  /** What the entity or the node tells a running stream session. */
  public sealed interface SessionSignal {}

  /** A newer session of the same subscription took over. */
  public record SessionReplaced() implements SessionSignal {}

  /** The node is shutting down; the consumer should reconnect, possibly to another node. */
  public record GoingAway() implements SessionSignal {}

  /** A frame from the consumer was refused; the session goes on. */
  public record FrameRefused(String code, String message) implements SessionSignal {}

  public record AdvanceCursors(List<Cursor> cursors, ActorRef<Done> replyTo) implements Command {}

  /** The acknowledged cursor per partition; partitions never acked are absent. */
  public record Cursors(Map<PartitionRef, Cursor> acked) {
    static Cursors empty() {
      return new Cursors(new HashMap<>());
    }
  }

  public static void initSharding(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId())));
  }

  static Behavior<Command> create(String subscriptionId) {
    return new SubscriptionEntity(subscriptionId);
  }

  public static String persistenceId(String subscriptionId) {
    return "Subscription|" + subscriptionId;
  }

  private String sessionId;
  private ActorRef<SessionSignal> session;

  private SubscriptionEntity(String subscriptionId) {
    super(PersistenceId.ofUniqueId(persistenceId(subscriptionId)));
  }

  @Override
  public Cursors emptyState() {
    return Cursors.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, CursorsAdvanced, Cursors> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Attach.class, this::onAttach)
        .onCommand(Detach.class, this::onDetach)
        .onCommand(AdvanceCursors.class, this::onAdvance)
        .onCommand(GetAcked.class, (cursors, get) ->
            Effect().reply(get.replyTo(), new Attached(Map.copyOf(cursors.acked()))))
        .build();
  }

  private ReplyEffect<CursorsAdvanced, Cursors> onAttach(Cursors cursors, Attach attach) {
    if (session != null && !attach.sessionId().equals(sessionId)) {
      session.tell(new SessionReplaced());
    }
    sessionId = attach.sessionId();
    session = attach.session();
    return Effect().reply(attach.replyTo(), new Attached(Map.copyOf(cursors.acked())));
  }

  private ReplyEffect<CursorsAdvanced, Cursors> onDetach(Cursors cursors, Detach detach) {
    if (detach.sessionId().equals(sessionId)) {
      sessionId = null;
      session = null;
    }
    return Effect().noReply();
  }

  private ReplyEffect<CursorsAdvanced, Cursors> onAdvance(Cursors cursors, AdvanceCursors advance) {
    List<PartitionCursor> forward = new ArrayList<>();
    for (Cursor cursor : advance.cursors()) {
      Cursor acked = cursors.acked().get(cursor.partitionRef());
      if (acked == null || cursor.isAfter(acked)) {
        forward.add(cursor.toProto());
      }
    }
    if (forward.isEmpty()) {
      return Effect().reply(advance.replyTo(), Done.getInstance());
    }
    return Effect().persist(CursorsAdvanced.newBuilder().addAllCursors(forward).build())
        .thenReply(advance.replyTo(), state -> Done.getInstance());
  }

  @Override
  public EventHandler<Cursors, CursorsAdvanced> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(CursorsAdvanced.class, (cursors, advanced) -> {
      for (PartitionCursor proto : advanced.getCursorsList()) {
        Cursor cursor = Cursor.fromProto(proto);
        cursors.acked().put(cursor.partitionRef(), cursor);
      }
      return cursors;
    }).build();
  }

  /** A snapshot is every cursor at once, in the same shape as the event that advances some. */
  @Override
  public SnapshotAdapter<Cursors> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Cursors cursors) {
        CursorsAdvanced.Builder all = CursorsAdvanced.newBuilder();
        cursors.acked().values().forEach(cursor -> all.addCursors(cursor.toProto()));
        return all.build();
      }

      @Override
      public Cursors fromJournal(Object snapshot) {
        Cursors cursors = Cursors.empty();
        ((CursorsAdvanced) snapshot).getCursorsList().forEach(proto -> {
          Cursor cursor = Cursor.fromProto(proto);
          cursors.acked().put(cursor.partitionRef(), cursor);
        });
        return cursors;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }
}
