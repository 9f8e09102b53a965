package io.tollgate.broker.invoicing.verification;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.JournalsCopied;
import io.tollgate.protocols.v1.journal.VerificationCopySnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
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
 * The billing verification's own record of the usage and billing journals, one per cluster (a
 * singleton), so that those journals can be trimmed behind their readers and the verification
 * still recomputes every document from what it was made from. Asked for its positions (by the
 * journal trimmer, as one of the readers that journals wait for), it first copies what was
 * written since its last step ({@link CopiedJournals#step}) and journals it with the new
 * positions as one {@code JournalsCopied}; a crash repeats a read but never copies twice. Its own
 * journal is not trimmed: it is the verification's history, documents and usage sums only.
 * Persistence id {@value #PERSISTENCE_ID}.
 */
public final class VerificationCopy
    extends EventSourcedBehavior<VerificationCopy.Command, JournalsCopied, VerificationCopy.Through> {
  public static final String PERSISTENCE_ID = "VerificationCopy";
  private static final int SNAPSHOT_EVERY = 100;
  /** Most entries read of one journal in a step: a long history is copied over several steps. */
  static final int MAX_ENTRIES_PER_STEP = 10_000;
  private static final int PARALLEL_READS = 4;

  public sealed interface Command {}

  /** Copy what is new, then answer how far each followed journal is copied. */
  public record GetReadPositions(ActorRef<Positions> replyTo) implements Command, ClusterMessage {}

  /** Positions by persistence id: every usage and billing journal this copy has copied from. */
  public record Positions(Map<String, Long> byJournal) implements ClusterMessage {}

  private record Read(JournalsCopied step) implements Command, NoSerializationVerificationNeeded {}

  private record ReadFailed(Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private record ReadAgain() implements Command, NoSerializationVerificationNeeded {}

  /** How far each journal is copied: the state, all that recovery needs. */
  public static final class Through {
    private final Map<String, Long> byJournal = new HashMap<>();

    long of(String journal) {
      return byJournal.getOrDefault(journal, 0L);
    }

    Through apply(JournalsCopied step) {
      step.getThroughMap().forEach((journal, sequence) -> byJournal.merge(journal, sequence, Math::max));
      return this;
    }

    Map<String, Long> positions() {
      return Map.copyOf(byJournal);
    }
  }

  private final ActorContext<Command> context;
  private final CatalogView view;
  private final Supplier<CompletionStage<Void>> catalogCaughtUp;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final List<GetReadPositions> answeredByThisRead = new ArrayList<>();
  private final List<GetReadPositions> answeredByNextRead = new ArrayList<>();
  private boolean reading;

  private VerificationCopy(ActorContext<Command> context, CatalogView view,
                           Supplier<CompletionStage<Void>> catalogCaughtUp, CurrentEventsByPersistenceIdQuery journal) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.context = context;
    this.view = view;
    this.catalogCaughtUp = catalogCaughtUp;
    this.journal = journal;
  }

  /**
   * Starts the singleton on this node's side and returns the proxy to it. {@code catalogCaughtUp}:
   * completes once this node's view holds every catalog change made so far.
   */
  public static ActorRef<Command> start(ActorSystem<?> system, CatalogView view,
                                        Supplier<CompletionStage<Void>> catalogCaughtUp,
                                        CurrentEventsByPersistenceIdQuery journal) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(view, catalogCaughtUp, journal)).onFailure(SupervisorStrategy.restartWithBackoff(
            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)), "verification-copy"));
  }

  static Behavior<Command> create(CatalogView view, Supplier<CompletionStage<Void>> catalogCaughtUp,
                                  CurrentEventsByPersistenceIdQuery journal) {
    return Behaviors.setup(context -> new VerificationCopy(context, view, catalogCaughtUp, journal));
  }

  /** The journals the copy follows, as {@code catalog} lists them: every account's billing, every subscription's usage. */
  static List<String> followed(Catalog catalog) {
    List<String> journals = new ArrayList<>();
    catalog.accounts().forEach(account -> journals.add(AccountBilling.persistenceId(account.id())));
    catalog.subscriptions().forEach(subscription -> journals.add(SubscriptionEntity.persistenceId(subscription.id())));
    return journals;
  }

  @Override
  public Through emptyState() {
    return new Through();
  }

  @Override
  public CommandHandler<Command, JournalsCopied, Through> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(GetReadPositions.class, (through, get) -> {
          answeredByNextRead.add(get);
          return startReading(through);
        })
        .onCommand(ReadAgain.class, (through, again) -> startReading(through))
        .onCommand(Read.class, (through, read) -> read.step().getThroughCount() == 0 ? answer(through)
            : Effect().persist(read.step()).thenRun(this::answered))
        .onCommand(ReadFailed.class, (through, failed) -> {
          context.getLog().warn("the verification's copy could not read the journals; they wait for it",
              failed.failure());
          return answer(through);
        })
        .build();
  }

  private Effect<JournalsCopied, Through> startReading(Through through) {
    if (reading || answeredByNextRead.isEmpty()) {
      return Effect().none();
    }
    reading = true;
    answeredByThisRead.addAll(answeredByNextRead);
    answeredByNextRead.clear();
    Map<String, Long> from = new LinkedHashMap<>();
    followed(view.catalog()).forEach(id -> from.put(id, through.of(id)));
    CompletionStage<List<Pair<String, List<CopiedJournals.Entry>>>> read = Source.from(List.copyOf(from.entrySet()))
        .mapAsync(PARALLEL_READS, position -> journal.currentEventsByPersistenceId(position.getKey(),
                position.getValue() + 1, Long.MAX_VALUE)
            .take(MAX_ENTRIES_PER_STEP)
            .map(envelope -> new CopiedJournals.Entry(envelope.sequenceNr(), envelope.event()))
            .runWith(Sink.seq(), context.getSystem())
            .thenApply(entries -> Pair.create(position.getKey(), entries)))
        .runWith(Sink.seq(), context.getSystem())
        // Usage is summed per plan segment: every plan change made before an ack that was read is
        // in the catalog once the view has caught up with it, whatever this view had applied before.
        .thenCompose(pairs -> catalogCaughtUp.get().thenApply(caughtUp -> pairs));
    context.pipeToSelf(read, (pairs, failure) -> {
      if (failure != null) {
        return new ReadFailed(failure);
      }
      Map<String, List<CopiedJournals.Entry>> entries = new LinkedHashMap<>();
      pairs.forEach(pair -> entries.put(pair.first(), pair.second()));
      try {
        return new Read(CopiedJournals.step(entries, view.catalog()));
      } catch (IllegalArgumentException unknown) {
        return new ReadFailed(unknown);
      }
    });
    return Effect().none();
  }

  private Effect<JournalsCopied, Through> answer(Through through) {
    answered(through);
    return Effect().none();
  }

  private void answered(Through through) {
    reading = false;
    Map<String, Long> positions = through.positions();
    answeredByThisRead.forEach(get -> get.replyTo().tell(new Positions(positions)));
    answeredByThisRead.clear();
    if (!answeredByNextRead.isEmpty()) {
      context.getSelf().tell(new ReadAgain());
    }
  }

  @Override
  public EventHandler<Through, JournalsCopied> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Through::apply);
  }

  @Override
  public SnapshotAdapter<Through> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Through through) {
        return VerificationCopySnapshot.newBuilder().putAllThrough(through.positions()).build();
      }

      @Override
      public Through fromJournal(Object stored) {
        Through through = new Through();
        through.byJournal.putAll(((VerificationCopySnapshot) stored).getThroughMap());
        return through;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }
}
