package io.tollgate.broker.webhook;

import com.google.protobuf.Message;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.WebhookAttemptRecorded;
import io.tollgate.protocols.v1.journal.WebhookDeadLettered;
import io.tollgate.protocols.v1.journal.WebhookDeadLettersQueued;
import io.tollgate.protocols.v1.journal.WebhookDeadLettersRemoved;
import io.tollgate.protocols.v1.journal.WebhookLedgerSnapshot;
import io.tollgate.protocols.v1.journal.WebhookRedeliveryToBill;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * What a webhook subscription's deliveries leave behind, durable and apart from its worker (so a
 * worker that moves or a node that restarts loses none of it): the latest attempts
 * ({@link AttemptLog}) and the dead letters ({@link DeadLetterStore}), in one journal per
 * subscription, on whichever journal plugin the node runs, trimmed behind its snapshots. A
 * replayed dead letter that a 2xx acknowledged is removed in the write that numbers its
 * redelivery, and the ledger then has the subscription bill it, in order, until the subscription
 * confirms: the subscription bills each redelivery number once, so a resend after a restart is
 * never billed twice.
 */
public final class WebhookLedger extends EventSourcedBehavior<WebhookLedger.Command, Message, WebhookLedger.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "WebhookLedger");
  private static final Duration BILL_RETRY = Duration.ofSeconds(1);

  public sealed interface Command extends ClusterMessage {}

  /**
   * Attempts to keep, oldest first, in one journal write; answered once written. Sent again until
   * answered ({@link #recordAttempts}), so a copy of a write the log holds already is answered
   * without writing. A node of the previous release sends no {@code replyTo}: the answer goes to
   * dead letters.
   */
  public record RecordAttempts(List<Attempt> attempts, ActorRef<Reply> replyTo) implements Command {
    public RecordAttempts {
      attempts = List.copyOf(attempts);
      if (attempts.isEmpty()) {
        throw new IllegalArgumentException("no attempt to record");
      }
    }
  }

  /** A page of attempts, newest first, numbered below {@code before} (0: from the newest); {@code state} is empty. */
  public record GetAttempts(long before, int limit, ActorRef<WebhookWorker.AttemptsPage> replyTo) implements Command {}

  /** Stores the letters (numbered by the ledger), or refuses them all with {@code dead_letters_full}. */
  public record AddDeadLetters(List<DeadLetter> letters, ActorRef<Reply> replyTo) implements Command {}

  /** {@code code} empty: done, and {@code count} dead letters were concerned. */
  public record Reply(String code, String message, long count) implements ClusterMessage {
    static Reply done(long count) {
      return new Reply("", "", count);
    }

    public boolean isDone() {
      return code.isEmpty();
    }
  }

  /** Dead letters numbered above {@code after}, oldest first; {@code queuedOnly}: those a replay will send. */
  public record GetDeadLetters(long after, int limit, boolean queuedOnly, ActorRef<DeadLetterPage> replyTo)
      implements Command {}

  /** {@code count} and {@code bytes}: what the store holds in all. */
  public record DeadLetterPage(List<DeadLetter> letters, boolean more, long count, long bytes)
      implements ClusterMessage {}

  /** {@code replay}: queues what the selection takes for the worker to send again; {@code delete}: deletes it. */
  public record SelectDeadLetters(String action, DeadLetterSelection selection, ActorRef<Reply> replyTo)
      implements Command {}

  /** A 2xx acknowledged these replayed letters at {@code at}: they are removed and billed once. */
  public record Redelivered(List<Long> numbers, Instant at, ActorRef<Reply> replyTo) implements Command {}

  /**
   * A replay of these letters failed past the policy: they stay, no longer queued. Answered once
   * written; a copy changes nothing more, since the letters are unqueued already.
   */
  public record ReplayGaveUp(List<Long> numbers, ActorRef<Reply> replyTo) implements Command {}

  private record BillAnswered(long redelivery, boolean billed) implements Command, NoSerializationVerificationNeeded {}

  private record BillAgain() implements Command, NoSerializationVerificationNeeded {}

  /**
   * How the ledger has the subscription bill a redelivery: in the node, an ask of
   * {@link SubscriptionEntity.BillRedelivered}; completes once the subscription answered.
   */
  public interface RedeliveryBilling {
    CompletionStage<?> bill(String subscription, long redelivery, long units, long bytes, long atMillis);
  }

  /** A redelivery the subscription may not have billed yet. */
  record Unbilled(long redelivery, long units, long bytes, long atMillis) {}

  /** The ledger's state; the entity alone changes it, in its event handler. */
  public static final class State {
    final AttemptLog attempts;
    final DeadLetterStore letters;
    long lastRedelivery;
    final ArrayDeque<Unbilled> unbilled = new ArrayDeque<>();

    State(WebhookSettings settings) {
      this.attempts = new AttemptLog(settings.attemptLogSize());
      this.letters = new DeadLetterStore(settings.deadLetters().maxCount(), settings.deadLetters().maxBytes());
    }
  }

  public static void initSharding(ClusterSharding sharding, WebhookSettings settings, Duration timeout) {
    RedeliveryBilling billing = (subscription, redelivery, units, bytes, atMillis) ->
        sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, subscription).<SubscriptionEntity.Committed>ask(
            replyTo -> new SubscriptionEntity.BillRedelivered(redelivery, units, bytes, atMillis, replyTo), timeout);
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings, billing)));
  }

  /**
   * Has the ledger keep these attempts, sent again until it answers: a write told once was lost
   * when it reached the ledger's shard during a hand-off or its node as it died.
   */
  public static CompletionStage<Reply> recordAttempts(EntityRef<Command> ledger, List<Attempt> attempts,
                                                      ShardedAsk.Patience patience) {
    return ShardedAsk.<Command, Reply>ask(ledger, replyTo -> new RecordAttempts(attempts, replyTo), patience);
  }

  /**
   * Has the ledger unqueue letters whose replay gave up, sent again until it answers: told once
   * and lost, the letters stayed queued and the next replay sent them to a failing endpoint again.
   */
  public static CompletionStage<Reply> replayGaveUp(EntityRef<Command> ledger, List<Long> numbers,
                                                    ShardedAsk.Patience patience) {
    return ShardedAsk.<Command, Reply>ask(ledger, replyTo -> new ReplayGaveUp(numbers, replyTo), patience);
  }

  static Behavior<Command> create(String subscription, WebhookSettings settings, RedeliveryBilling billing) {
    return Behaviors.setup(actor -> new WebhookLedger(actor, subscription, settings, billing));
  }

  public static String persistenceId(String subscription) {
    return "WebhookLedger|" + subscription;
  }

  private final ActorContext<Command> context;
  private final String subscription;
  private final WebhookSettings settings;
  private final RedeliveryBilling billing;
  private boolean billingInFlight;

  private WebhookLedger(ActorContext<Command> context, String subscription, WebhookSettings settings,
                        RedeliveryBilling billing) {
    super(PersistenceId.ofUniqueId(persistenceId(subscription)));
    this.context = context;
    this.subscription = subscription;
    this.settings = settings;
    this.billing = billing;
  }

  @Override
  public State emptyState() {
    return new State(settings);
  }

  @Override
  public CommandHandler<Command, Message, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(RecordAttempts.class, this::onRecord)
        .onCommand(GetAttempts.class, (state, get) -> {
          AttemptLog.Page page = state.attempts.page(get.before(), get.limit());
          get.replyTo().tell(new WebhookWorker.AttemptsPage(page.attempts(), page.more(), ""));
          return Effect().none();
        })
        .onCommand(AddDeadLetters.class, this::onAdd)
        .onCommand(GetDeadLetters.class, (state, get) -> {
          DeadLetterStore.Page page = state.letters.page(get.after(), get.limit(), get.queuedOnly());
          get.replyTo().tell(new DeadLetterPage(page.letters(), page.more(), state.letters.count(),
              state.letters.bytes()));
          return Effect().none();
        })
        .onCommand(SelectDeadLetters.class, this::onSelect)
        .onCommand(Redelivered.class, this::onRedelivered)
        .onCommand(ReplayGaveUp.class, (state, gaveUp) -> Effect().persist(WebhookDeadLettersQueued.newBuilder()
                .addAllNumbers(gaveUp.numbers()).setQueued(false).build())
            .thenRun(newState -> gaveUp.replyTo().tell(Reply.done(gaveUp.numbers().size()))))
        .onCommand(BillAnswered.class, this::onBillAnswered)
        .onCommand(BillAgain.class, (state, again) -> {
          billNext(state);
          return Effect().none();
        })
        .build();
  }

  private Effect<Message, State> onRecord(State state, RecordAttempts record) {
    if (state.attempts.added(record.attempts())) {
      record.replyTo().tell(Reply.done(0));
      return Effect().none();
    }
    return Effect().persist(record.attempts().stream()
            .<Message>map(attempt -> WebhookAttemptRecorded.newBuilder().setAttempt(WebhookMessages.toProto(attempt))
                .build())
            .toList())
        .thenRun(newState -> record.replyTo().tell(Reply.done(record.attempts().size())));
  }

  private Effect<Message, State> onAdd(State state, AddDeadLetters add) {
    List<DeadLetter> fresh = state.letters.unstored(add.letters());
    if (fresh.isEmpty()) {
      add.replyTo().tell(Reply.done(0));
      return Effect().none();
    }
    var refusal = state.letters.refusal(fresh);
    if (refusal.isPresent()) {
      add.replyTo().tell(new Reply("dead_letters_full", refusal.get(), 0));
      return Effect().none();
    }
    return Effect().persist(WebhookDeadLettered.newBuilder()
            .addAllLetters(fresh.stream().map(WebhookMessages::toProto).toList()).build())
        .thenRun(newState -> add.replyTo().tell(Reply.done(fresh.size())));
  }

  private Effect<Message, State> onSelect(State state, SelectDeadLetters select) {
    List<Long> numbers = state.letters.select(select.selection());
    if (numbers.isEmpty()) {
      select.replyTo().tell(Reply.done(0));
      return Effect().none();
    }
    Message event = select.action().equals("delete")
        ? WebhookDeadLettersRemoved.newBuilder().addAllNumbers(numbers).build()
        : WebhookDeadLettersQueued.newBuilder().addAllNumbers(numbers).setQueued(true).build();
    return Effect().persist(event).thenRun(newState -> select.replyTo().tell(Reply.done(numbers.size())));
  }

  private Effect<Message, State> onRedelivered(State state, Redelivered redelivered) {
    List<Long> held = state.letters.held(redelivered.numbers()).stream().map(DeadLetter::number).toList();
    if (held.isEmpty()) {
      redelivered.replyTo().tell(Reply.done(0));
      return Effect().none();
    }
    return Effect().persist(WebhookDeadLettersRemoved.newBuilder().addAllNumbers(held)
            .setRedelivery(state.lastRedelivery + 1).setAtMillis(redelivered.at().toEpochMilli()).build())
        .thenRun(newState -> {
          redelivered.replyTo().tell(Reply.done(held.size()));
          billNext(newState);
        });
  }

  /** Has the subscription bill the oldest unbilled redelivery; one at a time, so they arrive in order. */
  private void billNext(State state) {
    if (billingInFlight || state.unbilled.isEmpty()) {
      return;
    }
    billingInFlight = true;
    Unbilled next = state.unbilled.peekFirst();
    context.pipeToSelf(billing.bill(subscription, next.redelivery(), next.units(), next.bytes(), next.atMillis()),
        (committed, failure) -> new BillAnswered(next.redelivery(), failure == null));
  }

  private Effect<Message, State> onBillAnswered(State state, BillAnswered answered) {
    billingInFlight = false;
    if (!answered.billed()) {
      context.scheduleOnce(BILL_RETRY, context.getSelf(), new BillAgain());
      return Effect().none();
    }
    while (!state.unbilled.isEmpty() && state.unbilled.peekFirst().redelivery() <= answered.redelivery()) {
      state.unbilled.removeFirst();
    }
    billNext(state);
    return Effect().none();
  }

  @Override
  public EventHandler<State, Message> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(WebhookAttemptRecorded.class, (state, recorded) -> {
          state.attempts.add(WebhookMessages.fromProto(recorded.getAttempt()));
          return state;
        })
        .onEvent(WebhookDeadLettered.class, (state, dead) -> {
          state.letters.add(dead.getLettersList().stream().map(WebhookMessages::fromProto).toList());
          return state;
        })
        .onEvent(WebhookDeadLettersQueued.class, (state, queued) -> {
          state.letters.queue(queued.getNumbersList(), queued.getQueued());
          return state;
        })
        .onEvent(WebhookDeadLettersRemoved.class, (state, removed) -> {
          if (removed.getRedelivery() > 0) {
            List<DeadLetter> redelivered = state.letters.held(removed.getNumbersList());
            long bytes = redelivered.stream().mapToLong(letter -> Delivery.billedBytes(letter.event())).sum();
            state.lastRedelivery = removed.getRedelivery();
            state.unbilled.addLast(new Unbilled(removed.getRedelivery(), redelivered.size(), bytes,
                removed.getAtMillis()));
          }
          state.letters.remove(removed.getNumbersList());
          return state;
        })
        .build();
  }

  /** Redeliveries not confirmed before a restart are billed again; the subscription ignores those it billed. */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::billNext).build();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        WebhookLedgerSnapshot.Builder snapshot = WebhookLedgerSnapshot.newBuilder()
            .setLastAttempt(state.attempts.last()).setLastLetter(state.letters.last())
            .setLastRedelivery(state.lastRedelivery);
        state.attempts.oldestFirst().forEach(attempt -> snapshot.addAttempts(WebhookMessages.toProto(attempt)));
        state.letters.all().forEach(letter -> snapshot.addLetters(WebhookMessages.toProto(letter)));
        state.unbilled.forEach(unbilled -> snapshot.addUnbilled(WebhookRedeliveryToBill.newBuilder()
            .setRedelivery(unbilled.redelivery()).setUnits(unbilled.units()).setBytes(unbilled.bytes())
            .setAtMillis(unbilled.atMillis())));
        return snapshot.build();
      }

      @Override
      public State fromJournal(Object stored) {
        WebhookLedgerSnapshot snapshot = (WebhookLedgerSnapshot) stored;
        State state = new State(settings);
        state.attempts.restore(snapshot.getAttemptsList().stream().map(WebhookMessages::fromProto).toList(),
            snapshot.getLastAttempt());
        state.letters.add(snapshot.getLettersList().stream().map(WebhookMessages::fromProto).toList());
        state.letters.numberedUpTo(snapshot.getLastLetter());
        state.lastRedelivery = snapshot.getLastRedelivery();
        snapshot.getUnbilledList().forEach(unbilled -> state.unbilled.addLast(new Unbilled(unbilled.getRedelivery(),
            unbilled.getUnits(), unbilled.getBytes(), unbilled.getAtMillis())));
        return state;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2).withDeleteEventsOnSnapshot();
  }
}
