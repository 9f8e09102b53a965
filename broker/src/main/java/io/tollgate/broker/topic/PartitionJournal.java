package io.tollgate.broker.topic;

import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The event-sourced half of a topic partition: writes one group of events as one journal
 * entry, deduplicating by (source, id), and replies with every event's position once the
 * entry is durable. {@link TopicPartition} gathers the groups.
 */
final class PartitionJournal extends EventSourcedBehaviorWithEnforcedReplies<PartitionJournal.Command, EventsAppended, PartitionLog> {

  /** Local to its TopicPartition (a child actor), so never serialized. */
  sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Appends from several publishes, written together. */
  record Write(List<List<CloudEvent>> publishes, ActorRef<Written> replyTo) implements Command {}

  /** Asks where the partition ends. */
  record ReadEnd(ActorRef<End> replyTo) implements Command {}

  /** The last journal entry (0 when the partition is empty) and the offset the next event gets. */
  record End(long lastSequence, long nextOffset) implements NoSerializationVerificationNeeded {}

  /** Each publish's positions, in the order of {@link Write#publishes}. */
  record Written(List<List<StoredPosition>> positions) implements NoSerializationVerificationNeeded {}

  private final int dedupWindow;
  private final int snapshotEvery;
  private final Clock clock;

  static Behavior<Command> create(PartitionRef partition, int dedupWindow, int snapshotEvery, Clock clock) {
    return new PartitionJournal(partition, dedupWindow, snapshotEvery, clock);
  }

  private PartitionJournal(PartitionRef partition, int dedupWindow, int snapshotEvery, Clock clock) {
    super(PersistenceId.ofUniqueId(partition.persistenceId()));
    this.dedupWindow = dedupWindow;
    this.snapshotEvery = snapshotEvery;
    this.clock = clock;
  }

  @Override
  public PartitionLog emptyState() {
    return new PartitionLog(dedupWindow);
  }

  @Override
  public CommandHandlerWithReply<Command, EventsAppended, PartitionLog> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Write.class, this::onWrite)
        .onCommand(ReadEnd.class, (log, read) ->
            Effect().reply(read.replyTo(), new End(log.lastSequence(), log.nextOffset())))
        .build();
  }

  private ReplyEffect<EventsAppended, PartitionLog> onWrite(PartitionLog log, Write write) {
    List<CloudEvent> all = new ArrayList<>();
    write.publishes().forEach(all::addAll);
    PartitionLog.AppendPlan plan = log.plan(all);
    List<List<StoredPosition>> perPublish = new ArrayList<>(write.publishes().size());
    int from = 0;
    for (List<CloudEvent> publish : write.publishes()) {
      perPublish.add(plan.positions().subList(from, from + publish.size()));
      from += publish.size();
    }
    Written written = new Written(perPublish);
    if (plan.writesNothing()) {
      return Effect().reply(write.replyTo(), written);
    }
    EventsAppended appended = EventsAppended.newBuilder()
        .setFirstOffset(log.nextOffset())
        .addAllEvents(plan.toWrite())
        .setAppendedAtMillis(clock.millis())
        .build();
    return Effect().persist(appended).thenReply(write.replyTo(), state -> written);
  }

  @Override
  public EventHandler<PartitionLog, EventsAppended> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(EventsAppended.class, (log, appended) -> {
      log.apply(appended);
      return log;
    }).build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public SnapshotAdapter<PartitionLog> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(PartitionLog log) {
        return log.toSnapshot();
      }

      @Override
      public PartitionLog fromJournal(Object snapshot) {
        return PartitionLog.fromSnapshot((PartitionSnapshot) snapshot, dedupWindow);
      }
    };
  }
}
