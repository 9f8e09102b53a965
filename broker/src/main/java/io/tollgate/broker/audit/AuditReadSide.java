package io.tollgate.broker.audit;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.AuditSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The audit log's read side, one per cluster (a singleton). Before it answers a page, it reads
 * the catalog's journal and each account's billing journal from where it stopped, indexes what
 * it found ({@link AuditIndex}) and journals the entries together with the new read positions as
 * one {@code AuditIndexed}; so a page shows every action made before it was asked, a restart
 * goes on from the last positions, and nothing is indexed twice or lost. What a page costs is
 * the entries written since the last page, one empty read per followed journal, and the page
 * itself; never the log's history. Persistence id {@value #PERSISTENCE_ID}.
 */
public final class AuditReadSide extends EventSourcedBehavior<AuditReadSide.Command, AuditIndexed, AuditIndex> {
  public static final String PERSISTENCE_ID = "Audit";
  private static final int SNAPSHOT_EVERY = 100;

  public sealed interface Command {}

  /** A page of the log, answered once everything journaled before it is indexed. */
  public record GetPage(AuditIndex.Query query, ActorRef<PageOfEntries> replyTo) implements Command, ClusterMessage {}

  public record PageOfEntries(List<AuditEntry> entries) implements ClusterMessage {}

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
  private final LongConsumer entriesRead;
  /**
   * Requests (pages, positions) the read in flight answers, and those that came in after it
   * started, which the next read answers.
   */
  private final List<Command> answeredByThisRead = new ArrayList<>();
  private final List<Command> answeredByNextRead = new ArrayList<>();
  private boolean reading;

  private AuditReadSide(ActorContext<Command> context, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                        LongConsumer entriesRead) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.entriesRead = entriesRead;
    this.context = context;
    this.view = view;
    this.journal = journal;
  }

  /**
   * Starts the singleton on this node's side and returns the proxy to it; {@code entriesRead}
   * is told how many journal entries each read found, on the node it runs on (for /metrics).
   */
  public static ActorRef<Command> start(ActorSystem<?> system, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                                        LongConsumer entriesRead) {
    Behavior<Command> readSide = Behaviors.setup(context -> new AuditReadSide(context, view, journal, entriesRead));
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(readSide).onFailure(SupervisorStrategy.restartWithBackoff(
            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)), "audit"));
  }

  @Override
  public AuditIndex emptyState() {
    return new AuditIndex();
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
        return AuditIndex.fromSnapshot((AuditSnapshot) stored);
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
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
    entriesRead.accept(read.entries().values().stream().mapToLong(List::size).sum());
    AuditIndexed step = AuditIndex.step(read.entries(), CatalogEntity.PERSISTENCE_ID, read.accounts()::get);
    if (step.getPositionsCount() == 0) {
      return answer(index);
    }
    return Effect().persist(step).thenRun(this::answered);
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
        get.replyTo().tell(new PageOfEntries(index.page(get.query()).entries()));
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
