package io.tollgate.broker.analytics;

import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.AnalyticsSnapshot;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import io.tollgate.protocols.v1.journal.AnalyticsRolled;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The analytics read side, one per cluster (a singleton): every {@code interval} it reads the
 * followed journals ({@link ReadSideState#journals}) that were written since it last read them
 * ({@link DirtyJournals}: partitions announce their writes to every node, and each node's
 * {@link WrittenJournals} tells it which subscription and billing journals were written there),
 * every journal at its start and once every {@code full-sweep-every}; each from where it stopped.
 * A partition's entries that were announced with their summary, following on from where it
 * stopped, count as read without reading the journal ({@link AnnouncedEntries}). It turns what it read
 * into minute rollups and lag, and journals them together with its new read positions as one
 * {@code AnalyticsRolled}. So after a restart it goes on from its last positions and nothing
 * is counted twice or lost. Nodes send it their minute records ({@link MinuteRecorder}), which
 * it journals the same way. It answers queries from its state. Persistence id {@value #PERSISTENCE_ID}.
 */
public final class AnalyticsReadSide
    extends EventSourcedBehavior<AnalyticsReadSide.Command, AnalyticsRolled, ReadSideState> {
  public static final String PERSISTENCE_ID = "Analytics";

  public sealed interface Command {}

  /** A node's minute record, to journal; answered once journaled. */
  public record Observe(List<AnalyticsRollup> rollups, ActorRef<Done> replyTo) implements Command, ClusterMessage {}

  /**
   * The buckets of {@code resolution} in {@code [fromMillis, toMillis)} of the keys of
   * {@code dimension}: those of {@code keys}, or every one when it is empty.
   */
  public record Query(Dimension dimension, Optional<Set<String>> keys, long fromMillis, long toMillis,
                      Resolution resolution, ActorRef<Series> replyTo) implements Command, ClusterMessage {}

  /** Each key's non-empty buckets, oldest first. */
  public record Series(Map<String, SortedMap<Long, Rollup>> byKey) implements ClusterMessage {}

  /** A node wrote to these followed journals since its last notice; they are read at the next tick. */
  public record Written(Set<String> persistenceIds) implements Command, ClusterMessage {}

  public record GetPositions(ActorRef<Positions> replyTo) implements Command, ClusterMessage {}

  /** The last sequence number read of each followed journal, by persistence id. */
  public record Positions(Map<String, Long> byJournal) implements ClusterMessage {}

  private record Tick() implements Command, NoSerializationVerificationNeeded {}

  /** Entries read from the journals, and those heard in partitions' announcements (other journals). */
  private record Read(Map<String, List<ReadSideState.Entry>> fromJournals,
                      Map<String, List<ReadSideState.Entry>> announced, boolean more)
      implements Command, NoSerializationVerificationNeeded {}

  private record ReadFailed(List<String> journals, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** Told what each read found and the lag it measured, on the node the read side runs on (for /metrics). */
  public interface Listener {
    void read(Map<String, List<ReadSideState.Entry>> entries, Map<String, long[]> lag);
  }

  /**
   * How often it reads the journals written since (and those whose last read reached the limit),
   * how many entries of one journal at most per read, how often it reads every journal anyway,
   * and a snapshot every how many steps.
   */
  public record Settings(Duration interval, int maxEntriesPerJournal, Duration fullSweepEvery, int snapshotEvery) {}

  /** Steps between snapshots: a few minutes of them at full load, so recovery replays little. */
  static final int SNAPSHOT_EVERY = 500;

  /** How many times max-entries-per-journal of one partition's announced entries are kept between two ticks. */
  static final int ANNOUNCED_PER_READ_LIMIT = 10;

  /** The key of the read that follows at once when the last one stopped at its limit. */
  private static final String MORE = "more";

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final CatalogView view;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Clock clock;
  private final Settings settings;
  private final Listener listener;
  private final DirtyJournals dirty;
  /** The partitions' entries announced since the last tick, gathered by a child. */
  private final AnnouncedEntries announced;
  private boolean reading;

  private AnalyticsReadSide(ActorContext<Command> context, TimerScheduler<Command> timers, CatalogView view,
                            CurrentEventsByPersistenceIdQuery journal, Clock clock, Settings settings,
                            Listener listener, AnnouncedEntries announced) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.announced = announced;
    this.listener = listener;
    this.context = context;
    this.timers = timers;
    this.view = view;
    this.journal = journal;
    this.clock = clock;
    this.settings = settings;
    this.dirty = new DirtyJournals(settings.fullSweepEvery().toMillis(), clock.millis());
  }

  /** Starts the singleton on this node's side and returns the proxy to it. */
  public static ActorRef<Command> start(ActorSystem<?> system, CatalogView view,
                                        CurrentEventsByPersistenceIdQuery journal, Clock clock, Settings settings,
                                        Listener listener, ActorRef<Topic.Command<PartitionAdvanced>> partitionWrites) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(view, journal, clock, settings, listener, partitionWrites))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
        "analytics"));
  }

  static Behavior<Command> create(CatalogView view, CurrentEventsByPersistenceIdQuery journal, Clock clock,
                                  Settings settings, Listener listener,
                                  ActorRef<Topic.Command<PartitionAdvanced>> partitionWrites) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), settings.interval());
      // A child gathers the partitions' announcements, many a second at full load, so that they
      // neither queue in this actor's stash while it persists nor cost it a message each.
      // A tick's worth of a busy partition's entries (a group commit every millisecond or two), at
      // some 100 bytes each; a read side that falls further behind reads the journal instead.
      AnnouncedEntries announced = new AnnouncedEntries(ANNOUNCED_PER_READ_LIMIT * settings.maxEntriesPerJournal());
      partitionWrites.tell(Topic.subscribe(context.spawn(Behaviors.<PartitionAdvanced>receiveMessage(advanced -> {
        announced.announced(advanced);
        return Behaviors.same();
      }), "partition-writes")));
      return new AnalyticsReadSide(context, timers, view, journal, clock, settings, listener, announced);
    }));
  }

  @Override
  public ReadSideState emptyState() {
    return new ReadSideState();
  }

  @Override
  public SnapshotAdapter<ReadSideState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(ReadSideState state) {
        return state.snapshot();
      }

      @Override
      public ReadSideState fromJournal(Object stored) {
        return ReadSideState.fromSnapshot((AnalyticsSnapshot) stored);
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // A snapshot holds the whole state, and no one else reads this journal: the steps before the
    // older kept snapshot are deleted. Kept, they grew the disk without bound (docs/benchmarks.md, the soak).
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandler<Command, AnalyticsRolled, ReadSideState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Tick.class, (state, tick) -> startReading(state))
        .onCommand(Written.class, (state, written) -> {
          dirty.written(written.persistenceIds());
          return Effect().none();
        })
        .onCommand(Read.class, this::onRead)
        .onCommand(ReadFailed.class, (state, failed) -> {
          reading = false;
          dirty.failed(failed.journals());
          context.getLog().warn("analytics could not read a journal; it reads again next time", failed.failure());
          return Effect().none();
        })
        .onCommand(Observe.class, (state, observe) -> observe.rollups().isEmpty()
            ? Effect().reply(observe.replyTo(), Done.getInstance())
            : Effect().persist(ReadSideState.observed(observe.rollups()))
                .thenReply(observe.replyTo(), s -> Done.getInstance()))
        .onCommand(Query.class, (state, query) -> {
          query.replyTo().tell(new Series(state.table().series(query.dimension(),
              key -> query.keys().map(keys -> keys.contains(key)).orElse(true), query.fromMillis(),
              query.toMillis(), query.resolution())));
          return Effect().none();
        })
        .onCommand(GetPositions.class, (state, get) -> {
          get.replyTo().tell(new Positions(state.positions()));
          return Effect().none();
        })
        .build();
  }

  private Effect<AnalyticsRolled, ReadSideState> startReading(ReadSideState state) {
    if (reading || !view.caughtUp().toCompletableFuture().isDone()) {
      return Effect().none();
    }
    AnnouncedEntries.Plan plan = announced.plan(state::position, dirty, ReadSideState.journals(view.catalog()),
        clock.millis());
    List<String> journals = plan.journals();
    Map<String, List<ReadSideState.Entry>> heard = plan.announced();
    if (journals.isEmpty()) {
      return heard.isEmpty() ? Effect().none() : onRead(state, new Read(Map.of(), heard, false));
    }
    reading = true;
    Map<String, Long> from = new LinkedHashMap<>();
    journals.forEach(id -> from.put(id, state.position(id)));
    CompletionStage<List<Pair<String, List<ReadSideState.Entry>>>> read = Source.from(List.copyOf(from.entrySet()))
        .mapAsync(1, position -> journal.currentEventsByPersistenceId(position.getKey(), position.getValue() + 1,
                Long.MAX_VALUE)
            .take(settings.maxEntriesPerJournal())
            .map(envelope -> new ReadSideState.Entry(envelope.sequenceNr(), envelope.event()))
            .runWith(Sink.seq(), context.getSystem())
            .thenApply(entries -> Pair.create(position.getKey(), entries)))
        .runWith(Sink.seq(), context.getSystem());
    context.pipeToSelf(read, (pairs, failure) -> {
      if (failure != null) {
        List<String> unread = new ArrayList<>(journals);
        unread.addAll(heard.keySet());
        return new ReadFailed(unread, failure);
      }
      Map<String, List<ReadSideState.Entry>> entries = new LinkedHashMap<>();
      boolean more = false;
      for (Pair<String, List<ReadSideState.Entry>> pair : pairs) {
        entries.put(pair.first(), pair.second());
        more |= pair.second().size() >= settings.maxEntriesPerJournal();
      }
      return new Read(entries, heard, more);
    });
    return Effect().none();
  }

  private Effect<AnalyticsRolled, ReadSideState> onRead(ReadSideState state, Read read) {
    reading = false;
    read.fromJournals().forEach((journal, entries) ->
        dirty.read(journal, entries.size() >= settings.maxEntriesPerJournal()));
    Map<String, List<ReadSideState.Entry>> entries = new LinkedHashMap<>(read.fromJournals());
    entries.putAll(read.announced());
    AnalyticsRolled step = state.step(view.catalog(), entries, clock.instant());
    listener.read(read.fromJournals(), state.lastLag());
    if (read.more()) {
      timers.startSingleTimer(MORE, new Tick(), Duration.ZERO);
    }
    if (step.getRollupsCount() == 0 && step.getPositionsCount() == 0) {
      return Effect().none();
    }
    return Effect().persist(step);
  }

  @Override
  public EventHandler<ReadSideState, AnalyticsRolled> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, step) -> {
      state.apply(step);
      return state;
    });
  }
}
