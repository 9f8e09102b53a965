package io.tollgate.broker.topic;

import io.tollgate.broker.JournalDeletes;
import io.tollgate.broker.error.Rejection;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A topic partition, sharded across the cluster. Group commit: while one write is in flight,
 * arriving appends wait here and then go to the journal together as one entry, so a busy
 * partition does one durable write per round trip to the store, not one per publish.
 */
public final class TopicPartition extends AbstractBehavior<TopicPartition.Command> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "TopicPartition");

  public sealed interface Command extends ClusterMessage {}

  /** Append a publish's events (all of this partition); the reply comes once they are durable. */
  public record Append(List<CloudEvent> events, ActorRef<AppendResult> replyTo) implements Command {}

  /** The ack point of the partition's last event: a consumer starting there gets only later events. */
  public record GetEnd(ActorRef<AckPoint> replyTo) implements Command {}

  private record BatchWritten(PartitionJournal.Written written) implements Command, NoSerializationVerificationNeeded {}

  private record EndRead(PartitionJournal.End end, ActorRef<AckPoint> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  public sealed interface AppendResult extends ClusterMessage {}

  public record Appended(List<StoredPosition> positions) implements AppendResult {}

  public record AppendFailed(Rejection rejection) implements AppendResult {}

  /**
   * {@code maxEntryBytes} bounds one journal entry: the appends waiting behind a write go in
   * the next entry only while their events fit (one append always goes). Cassandra refuses a
   * mutation over half its commit log segment, and a smaller entry is a shorter write.
   * {@code dedup}: how long, and in how many bytes at most, a partition recognises a retry.
   */
  public record Settings(DedupWindow.Settings dedup, int snapshotEvery, int maxPendingEvents, long maxPendingBytes,
                         int maxEntryBytes, RetentionSettings retention) {}

  /**
   * {@code topicDefault}: what a topic keeps unless it says otherwise; {@code segments}: how
   * the journal is cut for deletion; {@code checkInterval}: how often a partition looks.
   */
  public record RetentionSettings(Retention topicDefault, RetentionSegments.Shape segments, Duration checkInterval) {}

  /**
   * {@code announcements}: where each write is announced to every node's readers ({@link JournalReads});
   * {@code retentionOf}: each topic's retention, looked up at each check so a change applies;
   * {@code journalQuery}: where a partition reads its deduplication window back after a restart
   * or a move; {@code windows}: where it reports the window.
   */
  public static void initSharding(ClusterSharding sharding, Settings settings, Clock clock,
                                  ActorRef<Topic.Command<PartitionAdvanced>> announcements,
                                  Function<String, Retention> retentionOf,
                                  CurrentEventsByPersistenceIdQuery journalQuery, DedupWindows windows) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(PartitionRef.fromEntityId(context.getEntityId()),
        settings, clock, announcements, retentionOf, journalQuery, windows)));
  }

  static Behavior<Command> create(PartitionRef partition, Settings settings, Clock clock,
                                  ActorRef<Topic.Command<PartitionAdvanced>> announcements,
                                  Function<String, Retention> retentionOf,
                                  CurrentEventsByPersistenceIdQuery journalQuery, DedupWindows windows) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(CheckRetention.INSTANCE, Duration.ZERO, settings.retention().checkInterval());
      return new TopicPartition(context, partition, settings, clock, announcements, retentionOf, journalQuery,
          windows);
    }));
  }

  private enum CheckRetention implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private final PartitionRef partition;
  private final Settings settings;
  private final ActorRef<PartitionJournal.Command> journal;
  private final ActorRef<PartitionJournal.Written> writtenAdapter;
  private final ActorRef<Topic.Command<PartitionAdvanced>> announcements;
  private final Function<String, Retention> retentionOf;
  private final Topic.Command<PartitionAdvanced> advanced;
  private List<Append> inFlight = List.of();
  private List<Append> waiting = new ArrayList<>();
  private int waitingEvents;
  private long waitingBytes;

  private TopicPartition(ActorContext<Command> context, PartitionRef partition, Settings settings, Clock clock,
                         ActorRef<Topic.Command<PartitionAdvanced>> announcements,
                         Function<String, Retention> retentionOf, CurrentEventsByPersistenceIdQuery journalQuery,
                         DedupWindows windows) {
    super(context);
    this.partition = partition;
    this.settings = settings;
    this.announcements = announcements;
    this.retentionOf = retentionOf;
    this.advanced = Topic.publish(PartitionAdvanced.newBuilder().setPersistenceId(partition.persistenceId()).build());
    this.journal = context.spawn(
        PartitionJournal.create(partition, settings.dedup(), settings.snapshotEvery(),
            settings.retention().segments(), JournalDeletes.of(context.getSystem()), clock, journalQuery, windows),
        "journal");
    context.watch(journal);
    this.writtenAdapter = context.messageAdapter(PartitionJournal.Written.class, BatchWritten::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessage(BatchWritten.class, this::onBatchWritten)
        .onMessage(GetEnd.class, this::onGetEnd)
        .onMessage(EndRead.class, this::onEndRead)
        .onMessage(CheckRetention.class, check -> {
          journal.tell(new PartitionJournal.ApplyRetention(retentionOf.apply(partition.topic())));
          return this;
        })
        .onSignal(Terminated.class, this::onJournalStopped)
        .build();
  }

  /** Appends wait behind a write in flight up to a count of events and a count of their bytes, both bounded. */
  private Behavior<Command> onAppend(Append append) {
    long bytes = bytesOf(append);
    if (inFlight.isEmpty()) {
      write(List.of(append));
    } else if (waitingEvents + append.events().size() > settings.maxPendingEvents()
        || waitingBytes + bytes > settings.maxPendingBytes()) {
      append.replyTo().tell(new AppendFailed(new Rejection("partition_overloaded", "partition " + partition + " has "
          + waitingEvents + " events (" + waitingBytes + " bytes) waiting to be written; retry later")));
    } else {
      waiting.add(append);
      waitingEvents += append.events().size();
      waitingBytes += bytes;
    }
    return this;
  }

  private Behavior<Command> onBatchWritten(BatchWritten batch) {
    List<List<StoredPosition>> positions = batch.written().positions();
    for (int i = 0; i < inFlight.size(); i++) {
      inFlight.get(i).replyTo().tell(new Appended(positions.get(i)));
    }
    inFlight = List.of();
    announcements.tell(advanced);
    if (!waiting.isEmpty()) {
      write(takeNextEntry());
    }
    return this;
  }

  private List<Append> takeNextEntry() {
    int taken = 0;
    long bytes = 0;
    while (taken < waiting.size()) {
      long appendBytes = bytesOf(waiting.get(taken));
      if (taken > 0 && bytes + appendBytes > settings.maxEntryBytes()) {
        break;
      }
      bytes += appendBytes;
      taken++;
    }
    List<Append> next = new ArrayList<>(waiting.subList(0, taken));
    waiting = new ArrayList<>(waiting.subList(taken, waiting.size()));
    next.forEach(append -> {
      waitingEvents -= append.events().size();
      waitingBytes -= bytesOf(append);
    });
    return next;
  }

  private static long bytesOf(Append append) {
    long bytes = 0;
    for (CloudEvent event : append.events()) {
      bytes += event.getSerializedSize();
    }
    return bytes;
  }

  private void write(List<Append> appends) {
    inFlight = appends;
    List<List<CloudEvent>> publishes = new ArrayList<>(appends.size());
    appends.forEach(append -> publishes.add(append.events()));
    journal.tell(new PartitionJournal.Write(publishes, writtenAdapter));
  }

  private Behavior<Command> onGetEnd(GetEnd get) {
    getContext().ask(PartitionJournal.End.class, journal, Duration.ofSeconds(10),
        PartitionJournal.ReadEnd::new, (end, failure) -> new EndRead(end, get.replyTo()));
    return this;
  }

  private Behavior<Command> onEndRead(EndRead read) {
    if (read.end() != null) {
      read.replyTo().tell(new AckPoint(new Cursor(partition.topic(), partition.partition(),
          read.end().lastSequence(), Integer.MAX_VALUE), read.end().nextOffset() - 1));
    }
    return this;
  }

  /**
   * The journal stops when a write fails, or when it cannot read its deduplication window back;
   * nothing it did not confirm was acknowledged.
   */
  private Behavior<Command> onJournalStopped(Terminated stopped) {
    AppendFailed failed = new AppendFailed(new Rejection("storage_unavailable",
        "the write to partition " + partition + " failed; nothing of it was acknowledged, retry"));
    inFlight.forEach(append -> append.replyTo().tell(failed));
    waiting.forEach(append -> append.replyTo().tell(failed));
    getContext().getLog().error("partition {} stopped after a failed write or read", partition);
    return Behaviors.stopped();
  }
}
