package io.tollgate.broker.billing;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * An account's billing: the usage of each of its subscriptions per period, read from the
 * subscriptions' own usage journals by sequence number. The feed cannot skip: it reads each
 * journal in order from the last applied position, and every read of the bill first reads
 * every journal to its end. It cannot count twice: a record is applied only if its sequence
 * number is past the subscription's position, and the position moves in the same write.
 */
public final class AccountBilling
    extends EventSourcedBehaviorWithEnforcedReplies<AccountBilling.Command, UsageRecorded, AccountBilling.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "AccountBilling");

  public sealed interface Command {}

  public record RecordUsage(UsageRecorded usage, ActorRef<Done> replyTo) implements Command {}

  /** Read the usage journals to their ends, of one subscription or (empty) all of the account's. */
  public record CatchUp(String subscription, ActorRef<Done> replyTo) implements Command {}

  public record GetUsage(ActorRef<UsageReport> replyTo) implements Command {}

  /** Units per subscription, per period, sorted by period. */
  public record UsageReport(Map<String, Map<String, Long>> byPeriod) {
    public long units(String period, String subscription) {
      return byPeriod.getOrDefault(period, Map.of()).getOrDefault(subscription, 0L);
    }
  }

  private record FeedDone(String subscription, Throwable failure) implements Command {}

  public record State(Map<String, Long> feedPositions, Map<String, Map<String, Long>> usage) {
    static State empty() {
      return new State(new HashMap<>(), new TreeMap<>());
    }
  }

  public static void initSharding(ClusterSharding sharding, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                                  Duration timeout) {
    sharding.init(Entity.of(ENTITY_KEY, context -> Behaviors.setup(actor ->
        new AccountBilling(actor, context.getEntityId(), view, journal, timeout))));
  }

  public static String persistenceId(String accountId) {
    return "AccountBilling|" + accountId;
  }

  private final ActorContext<Command> actor;
  private final String accountId;
  private final CatalogView view;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Duration timeout;
  /** Feeds running now, each with who waits for it and whether it must run again. */
  private final Map<String, Feed> feeds = new HashMap<>();

  private static final class Feed {
    final List<ActorRef<Done>> waiting = new ArrayList<>();
    boolean again;
  }

  private AccountBilling(ActorContext<Command> actor, String accountId, CatalogView view,
                         CurrentEventsByPersistenceIdQuery journal, Duration timeout) {
    super(PersistenceId.ofUniqueId(persistenceId(accountId)));
    this.actor = actor;
    this.accountId = accountId;
    this.view = view;
    this.journal = journal;
    this.timeout = timeout;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, UsageRecorded, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(RecordUsage.class, this::onRecord)
        .onCommand(CatchUp.class, this::onCatchUp)
        .onCommand(FeedDone.class, this::onFeedDone)
        .onCommand(GetUsage.class, (state, get) -> Effect().reply(get.replyTo(), report(state)))
        .build();
  }

  private ReplyEffect<UsageRecorded, State> onRecord(State state, RecordUsage record) {
    UsageRecorded usage = record.usage();
    if (usage.getSequence() <= state.feedPositions().getOrDefault(usage.getSubscription(), 0L)) {
      return Effect().reply(record.replyTo(), Done.getInstance());
    }
    return Effect().persist(usage).thenReply(record.replyTo(), newState -> Done.getInstance());
  }

  private ReplyEffect<UsageRecorded, State> onCatchUp(State state, CatchUp catchUp) {
    List<String> subscriptions = catchUp.subscription().isEmpty()
        ? view.catalog().subscriptions().stream().filter(s -> s.account().equals(accountId)).map(Catalog.Subscription::id).toList()
        : List.of(catchUp.subscription());
    if (subscriptions.isEmpty()) {
      return Effect().reply(catchUp.replyTo(), Done.getInstance());
    }
    ActorRef<Done> allDone = subscriptions.size() == 1 ? catchUp.replyTo() : countDown(subscriptions.size(), catchUp.replyTo());
    for (String subscription : subscriptions) {
      Feed running = feeds.get(subscription);
      if (running != null) {
        running.again = true;
        running.waiting.add(allDone);
      } else {
        Feed feed = new Feed();
        feed.waiting.add(allDone);
        feeds.put(subscription, feed);
        runFeed(subscription, state.feedPositions().getOrDefault(subscription, 0L));
      }
    }
    return Effect().noReply();
  }

  /** A reply target that answers {@code replyTo} once it was told {@code count} times. */
  private ActorRef<Done> countDown(int count, ActorRef<Done> replyTo) {
    return actor.spawnAnonymous(Behaviors.setup(context -> new Object() {
      Behavior<Done> waiting(int left) {
        return Behaviors.receiveMessage(done -> {
          if (left == 1) {
            replyTo.tell(done);
            return Behaviors.stopped();
          }
          return waiting(left - 1);
        });
      }
    }.waiting(count)));
  }

  private void runFeed(String subscription, long position) {
    ActorRef<Command> self = actor.getSelf();
    journal.currentEventsByPersistenceId(SubscriptionEntity.persistenceId(subscription), position + 1, Long.MAX_VALUE)
        .mapAsync(1, envelope -> {
          CursorsAdvanced advanced = (CursorsAdvanced) envelope.event();
          UsageRecorded usage = UsageRecorded.newBuilder().setSubscription(subscription)
              .setSequence(envelope.sequenceNr()).setPeriod(advanced.getPeriod())
              .setUnits(advanced.getUnits()).setAtMillis(advanced.getAtMillis()).build();
          return AskPattern.<Command, Done>ask(self, replyTo -> new RecordUsage(usage, replyTo), timeout,
              actor.getSystem().scheduler());
        })
        .runWith(Sink.ignore(), actor.getSystem())
        .whenComplete((done, failure) -> self.tell(new FeedDone(subscription, failure)));
  }

  private ReplyEffect<UsageRecorded, State> onFeedDone(State state, FeedDone done) {
    Feed feed = feeds.get(done.subscription());
    if (done.failure() != null) {
      actor.getLog().warn("reading the usage journal of {} failed; the next read retries", done.subscription(), done.failure());
    }
    if (feed.again && done.failure() == null) {
      feed.again = false;
      runFeed(done.subscription(), state.feedPositions().getOrDefault(done.subscription(), 0L));
      return Effect().noReply();
    }
    feeds.remove(done.subscription());
    if (done.failure() == null) {
      feed.waiting.forEach(waiter -> waiter.tell(Done.getInstance()));
    }
    return Effect().noReply();
  }

  private static UsageReport report(State state) {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    state.usage().forEach((period, bySubscription) -> copy.put(period, Map.copyOf(bySubscription)));
    return new UsageReport(copy);
  }

  @Override
  public EventHandler<State, UsageRecorded> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(UsageRecorded.class, (state, usage) -> {
      state.feedPositions().put(usage.getSubscription(), usage.getSequence());
      if (usage.getUnits() > 0) {
        state.usage().computeIfAbsent(usage.getPeriod(), period -> new HashMap<>())
            .merge(usage.getSubscription(), usage.getUnits(), Long::sum);
      }
      return state;
    }).build();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        BillingSnapshot.Builder snapshot = BillingSnapshot.newBuilder().putAllFeedPositions(state.feedPositions());
        state.usage().forEach((period, bySubscription) -> bySubscription.forEach((subscription, units) ->
            snapshot.addUsage(PeriodUsage.newBuilder().setPeriod(period).setSubscription(subscription).setUnits(units))));
        return snapshot.build();
      }

      @Override
      public State fromJournal(Object stored) {
        BillingSnapshot snapshot = (BillingSnapshot) stored;
        State state = State.empty();
        state.feedPositions().putAll(snapshot.getFeedPositionsMap());
        snapshot.getUsageList().forEach(usage -> state.usage().computeIfAbsent(usage.getPeriod(), p -> new HashMap<>())
            .put(usage.getSubscription(), usage.getUnits()));
        return state;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }
}
