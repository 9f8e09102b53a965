package io.tollgate.broker.topic;

import io.tollgate.broker.JournalDeletes;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced half of a topic partition: writes one group of events as one journal
 * entry, deduplicating by (source, id), and replies with every event's position once the
 * entry is durable. {@link TopicPartition} gathers the groups. After recovering from a snapshot
 * it rebuilds the deduplication window from the journal's recent entries before it writes, so
 * a retry is recognised after a restart or on another node as it was before.
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

  /**
   * Deletes what {@code retention} no longer keeps and the journal's readers have read, if
   * anything; see {@link RetentionSegments#deletable(Retention, long, long, OptionalLong, Duration)}.
   */
  record ApplyRetention(Retention retention, OptionalLong readersFloor, Duration maxReaderWait) implements Command {}

  /** The window was read back from the journal; {@code failure} is null when it was. */
  private record WindowRebuilt(DedupWindow window, Throwable failure) implements Command {}

  /** The journal answered a delete; {@code failure} is null when it succeeded. */
  private record Deleted(RetentionSegments.Deletion deletion, Throwable failure) implements Command {}

  /** Each publish's positions, in the order of {@link Write#publishes}. */
  record Written(List<List<StoredPosition>> positions) implements NoSerializationVerificationNeeded {}

  private final ActorContext<Command> context;
  private final PartitionRef partition;
  private final String persistenceId;
  private final DedupWindow.Settings dedup;
  private final CurrentEventsByPersistenceIdQuery journalQuery;
  private final DedupWindows windows;
  private final int snapshotEvery;
  private final RetentionSegments.Shape segments;
  private final JournalDeletes deletes;
  private final PartitionReaders readers;
  private final Clock clock;
  /** One delete at a time: checks that come while one is in flight find nothing new to do. */
  private boolean deleting;
  /** Writes wait (stashed) while the window is rebuilt. */
  private boolean rebuilding;
  /** The plan of the entry being persisted, whose window keys its event handler reuses. */
  private PartitionLog.AppendPlan persisting;

  /** {@code journalQuery}: where the window is read back from; {@code windows}: where it is reported. */
  static Behavior<Command> create(PartitionRef partition, DedupWindow.Settings dedup, int snapshotEvery,
                                  RetentionSegments.Shape segments, JournalDeletes deletes, PartitionReaders readers,
                                  Clock clock, CurrentEventsByPersistenceIdQuery journalQuery, DedupWindows windows) {
    return Behaviors.setup(context -> new PartitionJournal(context, partition, dedup, snapshotEvery, segments,
        deletes, readers, clock, journalQuery, windows));
  }

  private PartitionJournal(ActorContext<Command> context, PartitionRef partition, DedupWindow.Settings dedup,
                           int snapshotEvery, RetentionSegments.Shape segments, JournalDeletes deletes,
                           PartitionReaders readers, Clock clock, CurrentEventsByPersistenceIdQuery journalQuery,
                           DedupWindows windows) {
    super(PersistenceId.ofUniqueId(partition.persistenceId()));
    this.context = context;
    this.partition = partition;
    this.persistenceId = partition.persistenceId();
    this.dedup = dedup;
    this.journalQuery = journalQuery;
    this.windows = windows;
    this.snapshotEvery = snapshotEvery;
    this.segments = segments;
    this.deletes = deletes;
    this.readers = readers;
    this.clock = clock;
  }

  @Override
  public PartitionLog emptyState() {
    return new PartitionLog(dedup, segments);
  }

  @Override
  public CommandHandlerWithReply<Command, EventsAppended, PartitionLog> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Write.class, this::onWrite)
        .onCommand(ReadEnd.class, (log, read) ->
            Effect().reply(read.replyTo(), new End(log.lastSequence(), log.nextOffset())))
        .onCommand(ApplyRetention.class, this::onApplyRetention)
        .onCommand(Deleted.class, this::onDeleted)
        .onCommand(WindowRebuilt.class, this::onWindowRebuilt)
        .build();
  }

  /** Reads the journal's entries the window may hold, from where {@link PartitionLog#windowRebuildFrom} says. */
  private void rebuildWindow(PartitionLog log) {
    log.windowRebuildFrom().ifPresentOrElse(from -> {
      rebuilding = true;
      long through = log.lastSequence();
      context.getLog().debug("{} rebuilds its deduplication window from entries {} to {}", persistenceId, from, through);
      context.pipeToSelf(journalQuery.currentEventsByPersistenceId(persistenceId, from, through)
              .runFold(log.newWindow(), (window, entry) -> {
                if (entry.event() instanceof EventsAppended appended) {
                  PartitionLog.addToWindow(window, entry.sequenceNr(), appended);
                }
                return window;
              }, context.getSystem()),
          WindowRebuilt::new);
    }, () -> windows.update(partition, log.window()));
  }

  /** Without its window, the partition could store a retry twice: it stops, and the next append starts it again. */
  private ReplyEffect<EventsAppended, PartitionLog> onWindowRebuilt(PartitionLog log, WindowRebuilt rebuilt) {
    rebuilding = false;
    if (rebuilt.failure() != null) {
      context.getLog().error("{} could not read back its deduplication window; it stops", persistenceId,
          rebuilt.failure());
      return Effect().stop().thenNoReply();
    }
    log.windowRebuilt(rebuilt.window());
    windows.update(partition, log.window());
    return Effect().none().thenNoReply().thenUnstashAll();
  }

  /** Also forgets what is past the deduplication window's span, so an idle partition lets go of it. */
  private ReplyEffect<EventsAppended, PartitionLog> onApplyRetention(PartitionLog log, ApplyRetention apply) {
    if (rebuilding) {
      return Effect().noReply();
    }
    log.window().expire(clock.millis());
    windows.update(partition, log.window());
    if (!deleting) {
      log.segments().deletable(apply.retention(), clock.millis(), log.snapshotSequence(), apply.readersFloor(),
          apply.maxReaderWait()).ifPresent(deletion -> {
        deleting = true;
        context.pipeToSelf(deletes.deleteTo(persistenceId, deletion.through()),
            (done, failure) -> new Deleted(deletion, failure));
      });
    }
    return Effect().noReply();
  }

  private ReplyEffect<EventsAppended, PartitionLog> onDeleted(PartitionLog log, Deleted deleted) {
    deleting = false;
    long through = deleted.deletion().through();
    if (deleted.failure() != null) {
      context.getLog().warn("retention could not delete {} up to entry {}; the next check tries again",
          persistenceId, through, deleted.failure());
      return Effect().noReply();
    }
    log.segments().deletedThrough(through);
    context.getLog().debug("retention deleted {} up to entry {}", persistenceId, through);
    deleted.deletion().unreadFrom().ifPresent(from -> {
      context.getLog().warn("retention deleted entries {} to {} of {} that a reader had not read: it was waited "
          + "for as long as tollgate.retention.max-reader-wait allows", from, through, persistenceId);
      readers.deletedUnread(persistenceId, from, through);
    });
    return Effect().noReply();
  }

  private ReplyEffect<EventsAppended, PartitionLog> onWrite(PartitionLog log, Write write) {
    if (rebuilding) {
      return Effect().stash();
    }
    List<CloudEvent> all = new ArrayList<>();
    write.publishes().forEach(all::addAll);
    PartitionLog.AppendPlan plan = log.plan(all, clock.millis());
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
    persisting = plan;
    return Effect().persist(appended)
        .thenRun(state -> windows.update(partition, state.window()))
        .thenReply(write.replyTo(), state -> written);
  }

  @Override
  public EventHandler<PartitionLog, EventsAppended> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(EventsAppended.class, (log, appended) -> {
      if (persisting != null && persisting.wrote(appended)) {
        log.apply(appended, persisting.keys());
      } else {
        log.apply(appended);
      }
      persisting = null;
      return log;
    }).build();
  }

  /** Besides every {@code snapshotEvery} entries, a snapshot when a segment closes lets retention delete it. */
  @Override
  public boolean shouldSnapshot(PartitionLog log, EventsAppended appended, long sequenceNr) {
    return log.segments().segmentCount() > 1 && log.segments().openSegmentStartsAt(sequenceNr);
  }

  @Override
  public SignalHandler<PartitionLog> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(SnapshotCompleted.class, (log, completed) -> log.snapshotSaved(completed.metadata().sequenceNr()))
        .onSignal(RecoveryCompleted.class, (log, completed) -> rebuildWindow(log))
        .onSignal(PostStop.class, (log, stopped) -> windows.remove(partition))
        .build();
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
        return PartitionLog.fromSnapshot((PartitionSnapshot) snapshot, dedup, segments);
      }
    };
  }
}
