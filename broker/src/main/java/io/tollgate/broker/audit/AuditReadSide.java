package io.tollgate.broker.audit;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.AuditSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The audit log's read side, one per cluster (a singleton). Before it answers a page, it reads
 * the catalog's journal and each account's billing journal from where it stopped, indexes what
 * it found ({@link AuditIndex}) and journals the entries together with the new read positions as
 * one {@code AuditIndexed}; so a page shows every action made before it was asked, a restart
 * goes on from the last positions, and nothing is indexed twice or lost. What a page costs is
 * the entries written since the last page, one empty read per followed journal, and the page
 * itself; never the log's history.
 *
 * <p>What it holds, snapshots and replays at start is bounded by {@link AuditIndex.Limits}
 * (retention and a byte cap), not by how long the log has existed: a snapshot holds only the
 * entries kept, and each snapshot deletes the journaled steps before the one it keeps as a
 * fallback, so a start reads one snapshot and fewer than {@code snapshotEvery} steps after it,
 * and the journal keeps fewer than three snapshots' worth.
 * Persistence id {@value #PERSISTENCE_ID}.
 */
public final class AuditReadSide extends EventSourcedBehavior<AuditReadSide.Command, AuditIndexed, AuditIndex> {
  public static final String PERSISTENCE_ID = "Audit";
  /** Steps between snapshots in a running node: a start replays fewer than this many after the snapshot. */
  private static final int SNAPSHOT_EVERY = 100;

  public sealed interface Command {}

  /** A page of the log, answered once everything journaled before it is indexed. */
  public record GetPage(AuditIndex.Query query, ActorRef<PageOfEntries> replyTo) implements Command, ClusterMessage {}

  /** A page's entries; none, with {@code cursorExpired}, when its cursor lies before what the log keeps. */
  public record PageOfEntries(List<AuditEntry> entries, boolean cursorExpired) implements ClusterMessage {}

  /** Told, on the node the read side runs on, what each read found and what the log holds (for /metrics). */
  public interface Listener {
    void read(long entries);

    void held(AuditIndex.Held held);
  }

  /**
   * How far the log has read each journal it follows (the catalog's, every account's billing),
   * answered once everything journaled before it is indexed, like a page: journal trimming asks.
   */
  public record GetReadPositions(ActorRef<Positions> replyTo) implements Command, ClusterMessage {}

  /** Positions by persistence id. */
  public record Positions(Map<String, Long> byJournal) implements ClusterMessage {}

  private record Read(Map<String, List<AuditIndex.Read>> entries, Map<String, String> accounts)
      implements Command, NoSerializationVerificationNeeded {}

  private record ReadFailed(Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** Sent to itself when pages came in while it was reading: it reads again for them. */
  private record ReadAgain() implements Command, NoSerializationVerificationNeeded {}

  private final ActorContext<Command> context;
  private final CatalogView view;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Clock clock;
  private final AuditIndex.Limits limits;
  private final int snapshotEvery;
  private final Listener listener;
  /**
   * Requests (pages, positions) the read in flight answers, and those that came in after it
   * started, which the next read answers.
   */
  private final List<Command> answeredByThisRead = new ArrayList<>();
  private final List<Command> answeredByNextRead = new ArrayList<>();
  private boolean reading;

  private AuditReadSide(ActorContext<Command> context, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                        Clock clock, AuditIndex.Limits limits, int snapshotEvery, Listener listener) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.context = context;
    this.view = view;
    this.journal = journal;
    this.clock = clock;
    this.limits = limits;
    this.snapshotEvery = snapshotEvery;
    this.listener = listener;
  }

  /** The read side itself, snapshotting every {@code snapshotEvery} steps. */
  public static Behavior<Command> create(CatalogView view, CurrentEventsByPersistenceIdQuery journal, Clock clock,
                                         AuditIndex.Limits limits, int snapshotEvery, Listener listener) {
    return Behaviors.setup(context -> new AuditReadSide(context, view, journal, clock, limits, snapshotEvery, listener));
  }

  /** Starts the singleton on this node's side and returns the proxy to it. */
  public static ActorRef<Command> start(ActorSystem<?> system, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                                        Clock clock, AuditIndex.Limits limits, Listener listener) {
    Behavior<Command> readSide = create(view, journal, clock, limits, SNAPSHOT_EVERY, listener);
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(readSide).onFailure(SupervisorStrategy.restartWithBackoff(
            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)), "audit"));
  }

  @Override
  public AuditIndex emptyState() {
    return new AuditIndex(limits);
  }

  @Override
  public SnapshotAdapter<AuditIndex> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(AuditIndex index) {
        return index.snapshot();
      }

      @Override
      public AuditIndex fromJournal(Object stored) {
        return AuditIndex.fromSnapshot((AuditSnapshot) stored, limits);
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<AuditIndex> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), index -> listener.held(index.held()))
        .onSignal(PostStop.class, (index, stopped) -> listener.held(AuditIndex.Held.NOTHING))
        .build();
  }

  @Override
  public CommandHandler<Command, AuditIndexed, AuditIndex> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(GetPage.class, (index, get) -> {
          answeredByNextRead.add(get);
          return startReading(index);
        })
        .onCommand(GetReadPositions.class, (index, get) -> {
          answeredByNextRead.add(get);
          return startReading(index);
        })
        .onCommand(ReadAgain.class, (index, again) -> startReading(index))
        .onCommand(Read.class, this::onRead)
        .onCommand(ReadFailed.class, (index, failed) -> {
          context.getLog().warn("the audit log could not read a journal; pages show what was indexed before",
              failed.failure());
          return answer(index);
        })
        .build();
  }

  private Effect<AuditIndexed, AuditIndex> startReading(AuditIndex index) {
    if (reading || answeredByNextRead.isEmpty()) {
      return Effect().none();
    }
    reading = true;
    answeredByThisRead.addAll(answeredByNextRead);
    answeredByNextRead.clear();
    Map<String, String> accounts = new LinkedHashMap<>();
    Map<String, Long> from = new LinkedHashMap<>();
    from.put(CatalogEntity.PERSISTENCE_ID, index.position(CatalogEntity.PERSISTENCE_ID));
    for (Catalog.Account account : view.catalog().accounts()) {
      String id = AccountBilling.persistenceId(account.id());
      accounts.put(id, account.id());
      from.put(id, index.position(id));
    }
    CompletionStage<List<Pair<String, List<AuditIndex.Read>>>> read = Source.from(List.copyOf(from.entrySet()))
        .mapAsync(1, position -> journal.currentEventsByPersistenceId(position.getKey(), position.getValue() + 1,
                Long.MAX_VALUE)
            .map(envelope -> new AuditIndex.Read(envelope.sequenceNr(), envelope.event()))
            .runWith(Sink.seq(), context.getSystem())
            .thenApply(entries -> Pair.create(position.getKey(), entries)))
        .runWith(Sink.seq(), context.getSystem());
    context.pipeToSelf(read, (pairs, failure) -> {
      if (failure != null) {
        return new ReadFailed(failure);
      }
      Map<String, List<AuditIndex.Read>> entries = new LinkedHashMap<>();
      pairs.forEach(pair -> entries.put(pair.first(), pair.second()));
      return new Read(entries, accounts);
    });
    return Effect().none();
  }

  /** The followed journals (as this node's catalog lists them) and how far each is indexed. */
  private Map<String, Long> positions(AuditIndex index) {
    Map<String, Long> positions = new LinkedHashMap<>();
    positions.put(CatalogEntity.PERSISTENCE_ID, index.position(CatalogEntity.PERSISTENCE_ID));
    view.catalog().accounts().forEach(account -> {
      String id = AccountBilling.persistenceId(account.id());
      positions.put(id, index.position(id));
    });
    return positions;
  }

  private Effect<AuditIndexed, AuditIndex> onRead(AuditIndex index, Read read) {
    listener.read(read.entries().values().stream().mapToLong(List::size).sum());
    AuditIndexed step = AuditIndex.step(read.entries(), CatalogEntity.PERSISTENCE_ID, read.accounts()::get, limits,
        clock.millis());
    if (step.getPositionsCount() == 0) {
      return answer(index);
    }
    return Effect().persist(step).thenRun(indexed -> {
      listener.held(indexed.held());
      answered(indexed);
    });
  }

  private Effect<AuditIndexed, AuditIndex> answer(AuditIndex index) {
    answered(index);
    return Effect().none();
  }

  /** Answers the pages this read was for, and reads again for those that came in meanwhile. */
  private void answered(AuditIndex index) {
    reading = false;
    answeredByThisRead.forEach(request -> {
      if (request instanceof GetPage get) {
        AuditIndex.Page page = index.page(get.query(), clock.millis());
        get.replyTo().tell(new PageOfEntries(page.entries(), page.cursorExpired()));
      } else if (request instanceof GetReadPositions get) {
        get.replyTo().tell(new Positions(positions(index)));
      }
    });
    answeredByThisRead.clear();
    if (!answeredByNextRead.isEmpty()) {
      context.getSelf().tell(new ReadAgain());
    }
  }

  @Override
  public EventHandler<AuditIndex, AuditIndexed> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((index, step) -> {
      index.apply(step);
      return index;
    });
  }
}
