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
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A topic partition, sharded across the cluster. Group commit: while one write is in flight,
 * arriving appends wait here and then go to the journal together as one entry, so a busy
 * partition does one durable write per round trip to the store, not one per publish.
 *
 * <p>Every append is answered within {@code maxAppendWait}: written, or {@code
 * partition_overloaded} when the writes ahead of it have not let it through by then, or when its
 * own write has not been confirmed by then (it may still be stored: a retry with the same event
 * ids is stored once, and its answer marks them duplicates). A publisher that hears nothing
 * sends its append again, which adds load exactly when the partition has too much; an
 * overloaded partition says so instead, before the publisher's attempt runs out.
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
  /**
   * {@code maxAppendWait}: the longest an append waits behind writes in flight before it is
   * refused ({@code partition_overloaded}); shorter than the publisher's attempt, so that the
   * refusal arrives before the append is sent again.
   */
  public record Settings(DedupWindow.Settings dedup, int snapshotEvery, int maxPendingEvents, long maxPendingBytes,
                         int maxEntryBytes, Duration maxAppendWait, RetentionSettings retention) {}

  /**
   * {@code topicDefault}: what a topic keeps unless it says otherwise; {@code segments}: how
   * the journal is cut for deletion; {@code checkInterval}: how often a partition looks;
   * {@code maxReaderWait}: how long entries a reader has not read are kept past their retention.
   */
  public record RetentionSettings(Retention topicDefault, RetentionSegments.Shape segments, Duration checkInterval,
                                  Duration maxReaderWait) {}

  /**
   * {@code announce}: told the summary of each write, to announce it to every node's readers
   * ({@link JournalReads}) and to the topic owner's billing; it only hands the summary on;
   * {@code retentionOf}: each topic's retention, looked up at each check so a change applies;
   * {@code journalQuery}: where a partition reads its deduplication window back after a restart
   * or a move; {@code windows}: where it reports the window; {@code readers}: the readers of
   * its journal that retention waits for.
   */
  public static void initSharding(ClusterSharding sharding, Settings settings, Clock clock,
                                  Consumer<PartitionAdvanced> announce,
                                  Function<String, Retention> retentionOf, PartitionReaders readers,
                                  CurrentEventsByPersistenceIdQuery journalQuery, DedupWindows windows) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(PartitionRef.fromEntityId(context.getEntityId()),
        settings, clock, announce, retentionOf, readers, journalQuery, windows)));
  }

  static Behavior<Command> create(PartitionRef partition, Settings settings, Clock clock,
                                  Consumer<PartitionAdvanced> announce,
                                  Function<String, Retention> retentionOf, PartitionReaders readers,
                                  CurrentEventsByPersistenceIdQuery journalQuery, DedupWindows windows) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(CheckRetention.INSTANCE, Duration.ZERO, settings.retention().checkInterval());
      return new TopicPartition(context, timers, partition, settings, clock, announce, retentionOf, readers,
          journalQuery, windows);
    }));
  }

  private enum CheckRetention implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** The oldest waiting append may have waited its longest. */
  private enum WaitedTooLong implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** An append waiting behind the write in flight, since {@code sinceMillis}. */
  private record Waiting(Append append, long sinceMillis) {}

  private final PartitionRef partition;
  private final Settings settings;
  private final ActorRef<PartitionJournal.Command> journal;
  private final ActorRef<PartitionJournal.Written> writtenAdapter;
  private final Consumer<PartitionAdvanced> announce;
  private final Function<String, Retention> retentionOf;
  private final PartitionReaders readers;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private List<Append> inFlight = List.of();
  private long inFlightSinceMillis;
  /** The appends in flight were told {@code partition_overloaded}; their write's outcome goes to no one. */
  private boolean inFlightAnswered;
  private List<Waiting> waiting = new ArrayList<>();
  private int waitingEvents;
  private long waitingBytes;

  private TopicPartition(ActorContext<Command> context, TimerScheduler<Command> timers, PartitionRef partition,
                         Settings settings, Clock clock, Consumer<PartitionAdvanced> announce,
                         Function<String, Retention> retentionOf, PartitionReaders readers,
                         CurrentEventsByPersistenceIdQuery journalQuery, DedupWindows windows) {
    super(context);
    this.timers = timers;
    this.clock = clock;
    this.partition = partition;
    this.settings = settings;
    this.announce = announce;
    this.retentionOf = retentionOf;
    this.readers = readers;
    this.journal = context.spawn(
        PartitionJournal.create(partition, settings.dedup(), settings.snapshotEvery(),
            settings.retention().segments(), JournalDeletes.of(context.getSystem()), readers, clock, journalQuery,
            windows),
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
        .onMessage(WaitedTooLong.class, tooLong -> {
          refuseThoseWaitedTooLong();
          return this;
        })
        .onMessage(CheckRetention.class, check -> {
          journal.tell(new PartitionJournal.ApplyRetention(retentionOf.apply(partition.topic()),
              readers.floorOf(partition.persistenceId()), settings.retention().maxReaderWait()));
          return this;
        })
        .onSignal(Terminated.class, this::onJournalStopped)
        .build();
  }

  /**
   * Appends wait behind a write in flight up to a count of events and a count of their bytes,
   * both bounded, and for at most {@code maxAppendWait}: while the write in flight or the oldest
   * waiting append has been there that long, the partition is not keeping up and a new append is
   * refused at once.
   */
  private Behavior<Command> onAppend(Append append) {
    long bytes = bytesOf(append);
    long now = clock.millis();
    long waitMillis = settings.maxAppendWait().toMillis();
    if (inFlight.isEmpty()) {
      write(List.of(append));
      watchTheWait(now);
    } else if (waitingEvents + append.events().size() > settings.maxPendingEvents()
        || waitingBytes + bytes > settings.maxPendingBytes()) {
      append.replyTo().tell(overloaded(waitingEvents + " events (" + waitingBytes + " bytes) wait to be written"));
    } else if (now - inFlightSinceMillis >= waitMillis
        || (!waiting.isEmpty() && now - waiting.get(0).sinceMillis() >= waitMillis)) {
      append.replyTo().tell(overloaded("its writes have not kept up for " + settings.maxAppendWait().toMillis()
          + " ms (" + waitingEvents + " events wait)"));
    } else {
      waiting.add(new Waiting(append, now));
      waitingEvents += append.events().size();
      waitingBytes += bytes;
      if (waiting.size() == 1) {
        watchTheWait(now);
      }
    }
    return this;
  }

  private AppendFailed overloaded(String why) {
    return new AppendFailed(new Rejection("partition_overloaded", "partition " + partition + " is overloaded: "
        + why + "; retry later with the same event ids (a retried event is stored once)"));
  }

  /**
   * Answers {@code partition_overloaded} to the appends of a write unconfirmed after
   * {@code maxAppendWait} and to every append that has waited that long (the oldest are first),
   * and looks again when the next one will have.
   */
  private void refuseThoseWaitedTooLong() {
    long now = clock.millis();
    long waitMillis = settings.maxAppendWait().toMillis();
    if (!inFlight.isEmpty() && !inFlightAnswered && now - inFlightSinceMillis >= waitMillis) {
      AppendFailed unconfirmed = overloaded("its write has not been confirmed in " + waitMillis
          + " ms and may still be stored");
      inFlight.forEach(append -> append.replyTo().tell(unconfirmed));
      inFlightAnswered = true;
    }
    int late = 0;
    while (late < waiting.size() && now - waiting.get(late).sinceMillis() >= waitMillis) {
      late++;
    }
    if (late > 0) {
      AppendFailed refused = overloaded("an append waited " + waitMillis + " ms behind a write of "
          + (now - inFlightSinceMillis) + " ms");
      List<Waiting> refusedAppends = waiting.subList(0, late);
      refusedAppends.forEach(refusedAppend -> refusedAppend.append().replyTo().tell(refused));
      forget(refusedAppends);
      waiting = new ArrayList<>(waiting.subList(late, waiting.size()));
    }
    watchTheWait(now);
  }

  /**
   * A timer for when the write in flight or the oldest waiting append will have waited its
   * longest, whichever comes first; none while nothing is unanswered.
   */
  private void watchTheWait(long now) {
    long due = Long.MAX_VALUE;
    if (!inFlight.isEmpty() && !inFlightAnswered) {
      due = inFlightSinceMillis;
    }
    if (!waiting.isEmpty()) {
      due = Math.min(due, waiting.get(0).sinceMillis());
    }
    if (due == Long.MAX_VALUE) {
      timers.cancel(WaitedTooLong.INSTANCE);
    } else {
      long left = Math.max(0, due + settings.maxAppendWait().toMillis() - now);
      timers.startSingleTimer(WaitedTooLong.INSTANCE, Duration.ofMillis(left));
    }
  }

  private void forget(List<Waiting> gone) {
    gone.forEach(left -> {
      waitingEvents -= left.append().events().size();
      waitingBytes -= bytesOf(left.append());
    });
  }

  private Behavior<Command> onBatchWritten(BatchWritten batch) {
    List<List<StoredPosition>> positions = batch.written().positions();
    if (!inFlightAnswered) {
      for (int i = 0; i < inFlight.size(); i++) {
        inFlight.get(i).replyTo().tell(new Appended(positions.get(i)));
      }
    }
    inFlight = List.of();
    announce.accept(batch.written().announcement());
    if (!waiting.isEmpty()) {
      write(takeNextEntry());
    }
    watchTheWait(clock.millis());
    return this;
  }

  private List<Append> takeNextEntry() {
    int taken = 0;
    long bytes = 0;
    while (taken < waiting.size()) {
      long appendBytes = bytesOf(waiting.get(taken).append());
      if (taken > 0 && bytes + appendBytes > settings.maxEntryBytes()) {
        break;
      }
      bytes += appendBytes;
      taken++;
    }
    List<Waiting> next = waiting.subList(0, taken);
    forget(next);
    List<Append> appends = next.stream().map(Waiting::append).toList();
    waiting = new ArrayList<>(waiting.subList(taken, waiting.size()));
    return appends;
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
    inFlightSinceMillis = clock.millis();
    inFlightAnswered = false;
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
    if (!inFlightAnswered) {
      inFlight.forEach(append -> append.replyTo().tell(failed));
    }
    waiting.forEach(left -> left.append().replyTo().tell(failed));
    getContext().getLog().error("partition {} stopped after a failed write or read", partition);
    return Behaviors.stopped();
  }
}
