package io.tollgate.broker.billing;

import com.google.protobuf.Message;
import io.tollgate.billing.Allocation;
import io.tollgate.billing.BillingException;
import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.billing.RevenueShare;
import io.tollgate.billing.RevenueSplit;
import io.tollgate.billing.Wallet;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.topic.PartitionRef;
import io.tollgate.broker.topic.Partitioner;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.PublishedUsage;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletBalance;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
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
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * An account's billing, as a consumer and as a producer.
 *
 * <p>As a consumer: the usage of each of its subscriptions per period, read from the
 * subscriptions' own usage journals by sequence number; the wallet of prepaid credits; and
 * the invoices. The usage feed cannot skip: it reads each journal in order from the last
 * applied position, and every read of the bill first reads every journal to its end. It
 * cannot count twice: a record is applied only past the subscription's position, and the
 * position moves in the same write. A period is invoiced once it ended and a grace period for
 * late usage passed: per currency, numbered by {@link InvoiceNumbering}, credits applied, and
 * then never edited.
 *
 * <p>As a producer: the revenue credited to it from its consumers' invoices, once per
 * (invoice, subscription), which make up its statements. A finalized invoice's credits are
 * sent until every producer confirmed them, across restarts.
 */
public final class AccountBilling extends EventSourcedBehaviorWithEnforcedReplies<AccountBilling.Command, Message, AccountBilling.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "AccountBilling");

  public sealed interface Command {}

  public record RecordUsage(UsageRecorded usage, ActorRef<Done> replyTo) implements Command {}

  /** What one journal entry of one of the account's topic partitions stored; applied once. */
  public record RecordPublished(PublishedRecorded published, ActorRef<Done> replyTo) implements Command {}

  /** Read the usage journals to their ends, of one subscription or (empty) all of the account's. */
  public record CatchUp(String subscription, ActorRef<Done> replyTo) implements Command {}

  public record GetUsage(ActorRef<UsageReport> replyTo) implements Command {}

  /** Invoice every period that ended more than the grace period ago and is not invoiced yet. */
  public record ClosePeriods(ActorRef<Done> replyTo) implements Command {}

  /** A producer's share of a consumer invoice; the reply confirms it is recorded. */
  public record CreditRevenue(RevenueCredited credit, ActorRef<Done> replyTo) implements Command {}

  public record TopUp(WalletToppedUp topUp, ActorRef<Outcome> replyTo) implements Command {}

  /** Mark an invoice {@code paid} or {@code void}; {@code actor} is recorded for the audit log. */
  public record ChangeInvoiceStatus(String invoice, String status, String actor, ActorRef<Outcome> replyTo)
      implements Command {}

  public record GetLedger(ActorRef<Ledger> replyTo) implements Command {}

  /** Correct a finalized or paid invoice by {@code amount}; idempotent by {@code idempotencyKey}. */
  public record IssueCreditNote(String invoice, String amount, String reason, String idempotencyKey, String actor,
                                ActorRef<Outcome> replyTo) implements Command {}

  /**
   * Units per plan segment, per subscription, per period (sorted by period); and, as a producer,
   * what its topics stored per period.
   */
  public record UsageReport(Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Long>>> byPeriod,
                            Map<String, Map<String, Published>> published) implements Invoicing.UsageOf {
    public long units(String period, String subscription) {
      return byPeriod.getOrDefault(period, Map.of()).getOrDefault(subscription, Map.of()).values().stream()
          .mapToLong(Long::longValue).sum();
    }

    @Override
    public long units(String period, String subscription, Invoicing.PlanSegmentKey segment) {
      return byPeriod.getOrDefault(period, Map.of()).getOrDefault(subscription, Map.of()).getOrDefault(segment, 0L);
    }
  }

  /** Events and their bytes stored on a topic. */
  public record Published(long events, long bytes) {
    Published plus(Published other) {
      return new Published(events + other.events, bytes + other.bytes);
    }
  }

  /** Refused with a code, or fine when {@code code} is null; {@code created} names a new document. */
  public record Outcome(String code, String message, String created) {
    static final Outcome OK = new Outcome(null, null, null);

    static Outcome refused(String code, String message) {
      return new Outcome(code, message, null);
    }

    static Outcome created(String id) {
      return new Outcome(null, null, id);
    }

    public boolean ok() {
      return code == null;
    }
  }

  /** The invoices (with their status), the revenue credits and the wallet of the account. */
  public record Ledger(List<Invoice> invoices, List<RevenueCredited> credits, Map<Currency, Money> wallet) {}

  public record Invoice(InvoiceFinalized finalized, String status, List<CreditNoteIssued> creditNotes) {
    Invoice withStatus(String newStatus) {
      return new Invoice(finalized, newStatus, creditNotes);
    }

    Invoice withCreditNote(CreditNoteIssued note) {
      List<CreditNoteIssued> notes = new ArrayList<>(creditNotes);
      notes.add(note);
      return new Invoice(finalized, status, List.copyOf(notes));
    }

    Money credited() {
      return creditNotes.stream().map(note -> StoredMoney.of(note.getAmount(), note.getCurrency()))
          .reduce(Money.zero(Currency.getInstance(finalized.getCurrency())), Money::plus);
    }
  }

  private record CreditNoteNumbered(IssueCreditNote request, Money amount, String number)
      implements Command, NoSerializationVerificationNeeded {}

  private record CaughtUpForClose() implements Command, NoSerializationVerificationNeeded {}

  private record CloseAbandoned(Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private record CreditsUnconfirmed(String creditKey) implements Command, NoSerializationVerificationNeeded {}

  private record AnnouncementStored(String invoice, boolean stored) implements Command, NoSerializationVerificationNeeded {}

  private record NumberReady(InvoiceFinalized.Builder invoice, String number)
      implements Command, NoSerializationVerificationNeeded {}

  private record CreditsDelivered(String invoice) implements Command, NoSerializationVerificationNeeded {}

  private record FeedDone(String subscription, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** Mutated only by the event handler. */
  public static final class State {
    final Map<String, Long> feedPositions = new HashMap<>();
    final Map<String, Long> publishPositions = new HashMap<>();
    final Map<String, Map<String, Published>> published = new TreeMap<>();
    final Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Long>>> usage = new TreeMap<>();
    final Map<String, Invoice> invoices = new LinkedHashMap<>();
    final Map<String, Boolean> revenueDelivered = new HashMap<>();
    final java.util.Set<String> announced = new java.util.HashSet<>();
    final Map<String, RevenueCredited> credits = new LinkedHashMap<>();
    Wallet wallet = Wallet.empty();
    Instant closedThrough = Instant.EPOCH;
  }

  /**
   * @param grace how long an ended period stays open for late usage; zero or more
   * @param timeout how long one ask to another entity may take; more than zero
   */
  public record Settings(PeriodScheme periods, Duration grace, Duration timeout) {
    public Settings {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("tollgate.billing.grace must not be negative: " + grace);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("the billing ask timeout must be more than zero: " + timeout);
      }
    }
  }

  /** Wallet credits the broker makes itself and those a client asks for never share a key. */
  private static final String INTERNAL_KEY = "tollgate:";
  private static final String CLIENT_KEY = "client:";

  public static void initSharding(ClusterSharding sharding, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                                  Clock clock, Settings settings) {
    sharding.init(Entity.of(ENTITY_KEY, context -> Behaviors.setup(actor ->
        new AccountBilling(actor, context.getEntityId(), view, journal, sharding, clock, settings))));
  }

  public static String persistenceId(String accountId) {
    return "AccountBilling|" + accountId;
  }

  /** Invoices are named by account, period and currency, so a retried close finds the same one. */
  public static String invoiceId(String accountId, Period period, Currency currency) {
    String compactPeriod = period.id().replaceAll("[^0-9]", "");
    return "inv_" + accountId.substring(accountId.indexOf('_') + 1) + "_" + compactPeriod + "_"
        + currency.getCurrencyCode().toLowerCase(Locale.ROOT);
  }

  public static Optional<String> accountOfInvoice(String invoiceId) {
    String[] parts = invoiceId.split("_");
    return parts.length == 4 && parts[0].equals("inv") ? Optional.of("acc_" + parts[1]) : Optional.empty();
  }

  private final ActorContext<Command> actor;
  private final String accountId;
  private final CatalogView view;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final ClusterSharding sharding;
  private final Clock clock;
  private final Settings settings;
  /** Usage feeds running now, each with who waits for it and whether it must run again. */
  private final Map<String, Feed> feeds = new HashMap<>();
  /** Invoices waiting to be numbered and finalized by the close in progress, oldest first. */
  private final Deque<InvoiceFinalized.Builder> toFinalize = new ArrayDeque<>();
  private Instant closingThrough;
  /** Invoice events being published now. */
  private final java.util.Set<String> announcing = new java.util.HashSet<>();
  /** Revenue credits sent and not yet confirmed or failed, so a retry does not send them twice at once. */
  private final java.util.Set<String> creditsInFlight = new java.util.HashSet<>();
  /** One credit note at a time, so that a number is never taken by a note that is then refused. */
  private boolean numberingCreditNote;

  private static final class Feed {
    final List<ActorRef<Done>> waiting = new ArrayList<>();
    boolean again;
  }

  private AccountBilling(ActorContext<Command> actor, String accountId, CatalogView view,
                         CurrentEventsByPersistenceIdQuery journal, ClusterSharding sharding, Clock clock,
                         Settings settings) {
    super(PersistenceId.ofUniqueId(persistenceId(accountId)));
    this.actor = actor;
    this.accountId = accountId;
    this.view = view;
    this.journal = journal;
    this.sharding = sharding;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::resendUndeliveredCredits).build();
  }

  /**
   * Revenue credits and invoice events not confirmed before a restart are sent again;
   * producers apply each credit once and the invoices topic stores each event once.
   */
  private void resendUndeliveredCredits(State state) {
    for (Invoice invoice : state.invoices.values()) {
      InvoiceFinalized finalized = invoice.finalized();
      if (!state.announced.contains(finalized.getId())) {
        announce(finalized);
      }
      if (!delivered(state, finalized.getId())) {
        sendCredits(finalized, finalized.getId(), chargesBySubscription(finalized), false);
      }
      if (invoice.status().equals("void") && !delivered(state, finalized.getId() + ":void")) {
        sendCredits(finalized, finalized.getId() + ":void", chargesBySubscription(finalized), true);
      }
      for (CreditNoteIssued note : invoice.creditNotes()) {
        if (!delivered(state, note.getId())) {
          sendCredits(finalized, note.getId(), creditNoteCharges(finalized, note), true);
        }
      }
    }
  }

  private static boolean delivered(State state, String creditKey) {
    return state.revenueDelivered.getOrDefault(creditKey, false);
  }

  @Override
  public CommandHandlerWithReply<Command, Message, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(RecordUsage.class, this::onRecord)
        .onCommand(RecordPublished.class, this::onRecordPublished)
        .onCommand(CatchUp.class, this::onCatchUp)
        .onCommand(FeedDone.class, this::onFeedDone)
        .onCommand(GetUsage.class, (state, get) -> Effect().reply(get.replyTo(), report(state)))
        .onCommand(ClosePeriods.class, this::onClosePeriods)
        .onCommand(CaughtUpForClose.class, this::onCaughtUpForClose)
        .onCommand(CloseAbandoned.class, this::onCloseAbandoned)
        .onCommand(AnnouncementStored.class, (state, stored) -> {
          announcing.remove(stored.invoice());
          return stored.stored() && !state.announced.contains(stored.invoice())
              ? Effect().persist(InvoiceAnnounced.newBuilder().setInvoice(stored.invoice()).build()).thenNoReply()
              : Effect().noReply();
        })
        .onCommand(CreditsUnconfirmed.class, (state, unconfirmed) -> {
          creditsInFlight.remove(unconfirmed.creditKey());
          return Effect().noReply();
        })
        .onCommand(NumberReady.class, this::onNumberReady)
        .onCommand(CaughtUpForCloseContinue.class, (state, next) -> finalizeNext(state))
        .onCommand(CreditsDelivered.class, (state, delivered) -> {
          creditsInFlight.remove(delivered.invoice());
          return Effect().persist(RevenueDelivered.newBuilder().setInvoice(delivered.invoice()).build()).thenNoReply();
        })
        .onCommand(CreditRevenue.class, this::onCreditRevenue)
        .onCommand(TopUp.class, this::onTopUp)
        .onCommand(ChangeInvoiceStatus.class, this::onChangeStatus)
        .onCommand(GetLedger.class, (state, get) -> Effect().reply(get.replyTo(), ledger(state)))
        .onCommand(IssueCreditNote.class, this::onIssueCreditNote)
        .onCommand(CreditNoteNumbered.class, this::onCreditNoteNumbered)
        .build();
  }

  // ---- usage ------------------------------------------------------------------------------

  private ReplyEffect<Message, State> onRecord(State state, RecordUsage record) {
    UsageRecorded usage = record.usage();
    if (usage.getSequence() <= state.feedPositions.getOrDefault(usage.getSubscription(), 0L)) {
      return Effect().reply(record.replyTo(), Done.getInstance());
    }
    return Effect().persist(usage).thenReply(record.replyTo(), newState -> Done.getInstance());
  }

  private ReplyEffect<Message, State> onRecordPublished(State state, RecordPublished record) {
    PublishedRecorded published = record.published();
    String key = new PartitionRef(published.getTopic(), published.getPartition()).persistenceId();
    if (published.getSequence() <= state.publishPositions.getOrDefault(key, 0L)) {
      return Effect().reply(record.replyTo(), Done.getInstance());
    }
    return Effect().persist(published).thenReply(record.replyTo(), newState -> Done.getInstance());
  }

  /** The journals of the account's topic partitions: publish-side metering of a producer. */
  private List<String> ownPartitionJournals() {
    Catalog catalog = view.catalog();
    List<String> journals = new ArrayList<>();
    catalog.topics().stream()
        .filter(topic -> catalog.domain(topic.domain()).map(Catalog.Domain::owner).filter(accountId::equals).isPresent())
        .sorted(java.util.Comparator.comparing(Catalog.Topic::name))
        .forEach(topic -> {
          for (int partition = 0; partition < topic.partitions(); partition++) {
            journals.add(new PartitionRef(topic.name(), partition).persistenceId());
          }
        });
    return journals;
  }

  private static long positionOf(State state, String feed) {
    return (PartitionRef.isPersistenceId(feed) ? state.publishPositions : state.feedPositions).getOrDefault(feed, 0L);
  }

  private List<Catalog.Subscription> ownSubscriptions() {
    return view.catalog().subscriptions().stream().filter(s -> s.account().equals(accountId))
        .sorted(java.util.Comparator.comparing(Catalog.Subscription::createdAt)).toList();
  }

  private ReplyEffect<Message, State> onCatchUp(State state, CatchUp catchUp) {
    List<String> subscriptions = new ArrayList<>();
    if (catchUp.subscription().isEmpty()) {
      ownSubscriptions().forEach(subscription -> subscriptions.add(subscription.id()));
      subscriptions.addAll(ownPartitionJournals());
    } else {
      subscriptions.add(catchUp.subscription());
    }
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
        runFeed(subscription, positionOf(state, subscription));
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

  /** Reads one journal from {@code position} on: a subscription's usage, or a topic partition's events. */
  private void runFeed(String feed, long position) {
    if (PartitionRef.isPersistenceId(feed)) {
      runPublishFeed(feed, position);
    } else {
      runUsageFeed(feed, position);
    }
  }

  private void runPublishFeed(String partitionJournal, long position) {
    ActorRef<Command> self = actor.getSelf();
    PartitionRef partition = PartitionRef.fromPersistenceId(partitionJournal);
    journal.currentEventsByPersistenceId(partitionJournal, position + 1, Long.MAX_VALUE)
        .mapAsync(1, envelope -> {
          EventsAppended appended = (EventsAppended) envelope.event();
          long bytes = appended.getEventsList().stream().mapToLong(CloudEvent::getSerializedSize).sum();
          PublishedRecorded published = PublishedRecorded.newBuilder().setTopic(partition.topic())
              .setPartition(partition.partition()).setSequence(envelope.sequenceNr())
              .setPeriod(settings.periods().periodOf(Instant.ofEpochMilli(appended.getAppendedAtMillis())).id())
              .setEvents(appended.getEventsCount()).setBytes(bytes).build();
          return AskPattern.<Command, Done>ask(self, replyTo -> new RecordPublished(published, replyTo), settings.timeout(),
              actor.getSystem().scheduler());
        })
        .runWith(Sink.ignore(), actor.getSystem())
        .whenComplete((done, failure) -> self.tell(new FeedDone(partitionJournal, failure)));
  }

  private void runUsageFeed(String subscription, long position) {
    ActorRef<Command> self = actor.getSelf();
    journal.currentEventsByPersistenceId(SubscriptionEntity.persistenceId(subscription), position + 1, Long.MAX_VALUE)
        .mapAsync(1, envelope -> {
          CursorsAdvanced advanced = (CursorsAdvanced) envelope.event();
          Invoicing.PlanSegmentKey segment = view.catalog().subscription(subscription)
              .map(s -> Invoicing.segmentAt(s, Instant.ofEpochMilli(advanced.getAtMillis())))
              .orElseThrow(() -> new IllegalStateException("subscription " + subscription + " is not in this node's catalog yet"));
          UsageRecorded usage = UsageRecorded.newBuilder().setSubscription(subscription)
              .setSequence(envelope.sequenceNr()).setPeriod(advanced.getPeriod())
              .setUnits(advanced.getUnits()).setAtMillis(advanced.getAtMillis())
              .setPlan(segment.plan()).setPlanFromMillis(segment.from().toEpochMilli()).build();
          return AskPattern.<Command, Done>ask(self, replyTo -> new RecordUsage(usage, replyTo), settings.timeout(),
              actor.getSystem().scheduler());
        })
        .runWith(Sink.ignore(), actor.getSystem())
        .whenComplete((done, failure) -> self.tell(new FeedDone(subscription, failure)));
  }

  private ReplyEffect<Message, State> onFeedDone(State state, FeedDone done) {
    Feed feed = feeds.get(done.subscription());
    if (done.failure() != null) {
      actor.getLog().warn("reading the usage journal of {} failed; the next read retries", done.subscription(), done.failure());
    }
    if (feed.again && done.failure() == null) {
      feed.again = false;
      runFeed(done.subscription(), positionOf(state, done.subscription()));
      return Effect().noReply();
    }
    feeds.remove(done.subscription());
    if (done.failure() == null) {
      feed.waiting.forEach(waiter -> waiter.tell(Done.getInstance()));
    }
    return Effect().noReply();
  }

  private static UsageReport report(State state) {
    Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Long>>> copy = new TreeMap<>();
    state.usage.forEach((period, bySubscription) -> {
      Map<String, Map<Invoicing.PlanSegmentKey, Long>> subscriptions = new HashMap<>();
      bySubscription.forEach((subscription, bySegment) -> subscriptions.put(subscription, Map.copyOf(bySegment)));
      copy.put(period, subscriptions);
    });
    Map<String, Map<String, Published>> published = new TreeMap<>();
    state.published.forEach((period, byTopic) -> published.put(period, Map.copyOf(byTopic)));
    return new UsageReport(copy, published);
  }

  // ---- closing periods --------------------------------------------------------------------

  /** Also the moment to send again any revenue credit that was not confirmed. */
  private ReplyEffect<Message, State> onClosePeriods(State state, ClosePeriods close) {
    resendUndeliveredCredits(state);
    if (closingThrough == null && !ownSubscriptions().isEmpty()) {
      closingThrough = clock.instant().minus(settings.grace());
      actor.ask(Done.class, actor.getSelf(), settings.timeout(), replyTo -> new CatchUp("", replyTo),
          (done, failure) -> failure == null ? new CaughtUpForClose() : new CloseAbandoned(failure));
    }
    return Effect().reply(close.replyTo(), Done.getInstance());
  }

  /** Without every usage journal read to its end, no period is closed: the next tick tries again. */
  private ReplyEffect<Message, State> onCloseAbandoned(State state, CloseAbandoned abandoned) {
    actor.getLog().warn("reading the usage journals of {} failed; no period is closed until they are read",
        accountId, abandoned.failure());
    closingThrough = null;
    return Effect().noReply();
  }

  private ReplyEffect<Message, State> onCaughtUpForClose(State state, CaughtUpForClose caughtUp) {
    List<Catalog.Subscription> subscriptions = ownSubscriptions();
    Instant first = subscriptions.get(0).createdAt();
    Period period = settings.periods().periodOf(first.isAfter(state.closedThrough) ? first : state.closedThrough);
    Instant processedThrough = period.start();
    // Bounded work per close; a long outage is caught up over several ticks.
    for (int periods = 0; !period.end().isAfter(closingThrough) && periods < 1000; periods++) {
      for (InvoiceFinalized.Builder invoice : invoicesOf(state, period, subscriptions)) {
        if (!state.invoices.containsKey(invoice.getId())) {
          toFinalize.add(invoice);
        }
      }
      processedThrough = period.end();
      period = settings.periods().periodOf(period.end());
    }
    closingThrough = processedThrough;
    return finalizeNext(state);
  }

  private ReplyEffect<Message, State> finalizeNext(State state) {
    InvoiceFinalized.Builder next = toFinalize.poll();
    if (next == null) {
      Instant through = closingThrough;
      closingThrough = null;
      if (!through.isAfter(state.closedThrough)) {
        return Effect().noReply();
      }
      return Effect().persist(PeriodsClosed.newBuilder().setThroughMillis(through.toEpochMilli()).build()).thenNoReply();
    }
    actor.ask(InvoiceNumbering.AssignedNumber.class, InvoiceNumbering.of(sharding, InvoiceNumbering.INVOICES),
        settings.timeout(), replyTo -> new InvoiceNumbering.Assign(next.getId(), replyTo),
        (assigned, failure) -> new NumberReady(next, assigned == null ? null : assigned.number()));
    return Effect().noReply();
  }

  private ReplyEffect<Message, State> onNumberReady(State state, NumberReady ready) {
    if (ready.number() == null) {
      actor.getLog().warn("numbering invoice {} failed; the next close retries", ready.invoice().getId());
      toFinalize.clear();
      closingThrough = null;
      return Effect().noReply();
    }
    Money total = StoredMoney.of(ready.invoice().getTotal(), ready.invoice().getCurrency());
    Wallet.Applied credits = state.wallet.apply(total);
    InvoiceFinalized invoice = ready.invoice().setNumber(ready.number())
        .setCreditsApplied(credits.applied().toString()).setAmountDue(credits.due().toString())
        .setFinalizedAtMillis(clock.millis()).build();
    return Effect().persist(invoice).thenRun(newState -> {
      sendCredits(invoice, invoice.getId(), chargesBySubscription(invoice), false);
      announce(invoice);
      actor.getSelf().tell(new CaughtUpForCloseContinue());
    }).thenNoReply();
  }

  /** The invoices of one period, one per currency with anything to bill. */
  private List<InvoiceFinalized.Builder> invoicesOf(State state, Period period, List<Catalog.Subscription> subscriptions) {
    Catalog catalog = view.catalog();
    Map<String, Catalog.Subscription> byId = new HashMap<>();
    subscriptions.forEach(subscription -> byId.put(subscription.id(), subscription));
    InvoiceDraft draft = Invoicing.draft(catalog, period, subscriptions, report(state));
    Map<Currency, InvoiceFinalized.Builder> byCurrency = new LinkedHashMap<>();
    for (InvoiceDraft.Line line : draft.lines()) {
      Currency currency = line.amount().currency();
      InvoiceFinalized.Builder invoice = byCurrency.computeIfAbsent(currency, c -> InvoiceFinalized.newBuilder()
          .setId(invoiceId(accountId, period, c)).setAccount(accountId).setPeriod(period.id())
          .setPeriodStartMillis(period.start().toEpochMilli()).setPeriodEndMillis(period.end().toEpochMilli())
          .setCurrency(c.getCurrencyCode()).setTotal(draft.totals().get(c).toString()));
      Catalog.Subscription subscription = byId.get(line.subscriptionId());
      Catalog.Plan plan = catalog.plan(line.planId()).orElseThrow();
      invoice.addLines(InvoiceLine.newBuilder()
          .setSubscription(line.subscriptionId()).setPlan(line.planId())
          .setKind(line.kind().name().toLowerCase(Locale.ROOT)).setTier(line.tier()).setQuantity(line.quantity())
          .setUnitAmount(line.unitPrice() == null ? "" : line.unitPrice().toString())
          .setAmount(line.amount().toString())
          .setProducer(catalog.product(subscription.product()).map(Catalog.Product::owner).orElse(""))
          .setRevenueShare(plan.terms().getRevenueShare()));
    }
    // A period in which nothing was used and nothing is due gets no invoice.
    return byCurrency.values().stream()
        .filter(invoice -> invoice.getLinesList().stream().anyMatch(line -> line.getQuantity() > 0))
        .toList();
  }

  private record CaughtUpForCloseContinue() implements Command, NoSerializationVerificationNeeded {}

  // ---- the invoice event -------------------------------------------------------------------

  /**
   * Publishes {@code tollgate.invoice.finalized} on the platform's invoices topic. Its CloudEvents
   * id is the invoice id, so publishing again after a failure or a restart stores it once.
   */
  private void announce(InvoiceFinalized invoice) {
    Optional<Catalog.Topic> topic = view.catalog().topic(Platform.INVOICES_TOPIC);
    if (topic.isEmpty() || !announcing.add(invoice.getId())) {
      return;
    }
    CloudEvent event = CloudEvent.newBuilder().setSpecVersion("1.0").setId(invoice.getId())
        .setSource(Platform.BILLING_SOURCE).setType(Platform.INVOICE_FINALIZED)
        .putAttributes("subject", AttributeValue.newBuilder().setCeString(invoice.getAccount()).build())
        .putAttributes("partitionkey", AttributeValue.newBuilder().setCeString(invoice.getAccount()).build())
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .putAttributes("time", AttributeValue.newBuilder()
            .setCeTimestamp(Instant.ofEpochMilli(invoice.getFinalizedAtMillis()).toString()).build())
        .setJsonData(InvoiceJson.of(new Invoice(invoice, "finalized", List.of())).toString())
        .build();
    int partition = Partitioner.partitionOf(event, topic.get().partitions());
    ActorRef<Command> self = actor.getSelf();
    sharding.entityRefFor(TopicPartition.ENTITY_KEY, new PartitionRef(Platform.INVOICES_TOPIC, partition).entityId())
        .<TopicPartition.AppendResult>ask(replyTo -> new TopicPartition.Append(List.of(event), replyTo), settings.timeout())
        .whenComplete((result, failure) -> self.tell(new AnnouncementStored(invoice.getId(),
            failure == null && result instanceof TopicPartition.Appended)));
  }

  // ---- revenue share ----------------------------------------------------------------------

  /** What each subscription of an invoice was charged, in the invoice's order. */
  private static Map<String, Money> chargesBySubscription(InvoiceFinalized invoice) {
    Map<String, Money> charges = new LinkedHashMap<>();
    for (InvoiceLine line : invoice.getLinesList()) {
      charges.merge(line.getSubscription(), StoredMoney.of(line.getAmount(), invoice.getCurrency()), Money::plus);
    }
    return charges;
  }

  /** A credit note's amount spread over the invoice's subscriptions in proportion to their charges. */
  private static Map<String, Money> creditNoteCharges(InvoiceFinalized invoice, CreditNoteIssued note) {
    Map<String, Money> charges = chargesBySubscription(invoice);
    List<Money> parts = Allocation.proportional(StoredMoney.of(note.getAmount(), note.getCurrency()),
        List.copyOf(charges.values()));
    Map<String, Money> byParts = new LinkedHashMap<>();
    int i = 0;
    for (String subscription : charges.keySet()) {
      byParts.put(subscription, parts.get(i++));
    }
    return byParts;
  }

  /**
   * One credit per subscription of {@code charges}, to the producer of its product, under
   * {@code creditKey}; {@code reverse} takes the amounts back (a void or a credit note).
   */
  private void sendCredits(InvoiceFinalized invoice, String creditKey, Map<String, Money> charges, boolean reverse) {
    if (!creditsInFlight.add(creditKey)) {
      return;
    }
    Map<String, InvoiceLine> firstLine = new LinkedHashMap<>();
    invoice.getLinesList().forEach(line -> firstLine.putIfAbsent(line.getSubscription(), line));
    List<CompletableFuture<Done>> confirmations = new ArrayList<>();
    charges.forEach((subscription, charge) -> {
      InvoiceLine line = firstLine.get(subscription);
      Money zero = Money.zero(Currency.getInstance(invoice.getCurrency()));
      RevenueSplit split = RevenueSplit.of(charge, RevenueShare.of(line.getRevenueShare()));
      java.util.function.UnaryOperator<Money> sign = amount -> reverse ? zero.minus(amount) : amount;
      RevenueCredited credit = RevenueCredited.newBuilder().setInvoice(creditKey).setSubscription(subscription)
          .setConsumer(invoice.getAccount()).setPeriod(invoice.getPeriod()).setCurrency(invoice.getCurrency())
          .setCharge(sign.apply(split.charge()).toString()).setProducerShare(sign.apply(split.producerShare()).toString())
          .setPlatformFee(sign.apply(split.platformFee()).toString()).setAtMillis(clock.millis()).build();
      confirmations.add(sharding.entityRefFor(ENTITY_KEY, line.getProducer())
          .<Done>ask(replyTo -> new CreditRevenue(credit, replyTo), settings.timeout()).toCompletableFuture());
    });
    ActorRef<Command> self = actor.getSelf();
    CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
      self.tell(failure == null ? new CreditsDelivered(creditKey) : new CreditsUnconfirmed(creditKey));
    });
  }

  private ReplyEffect<Message, State> onCreditRevenue(State state, CreditRevenue credit) {
    if (state.credits.containsKey(creditKey(credit.credit()))) {
      return Effect().reply(credit.replyTo(), Done.getInstance());
    }
    return Effect().persist(credit.credit()).thenReply(credit.replyTo(), newState -> Done.getInstance());
  }

  private static String creditKey(RevenueCredited credit) {
    return credit.getInvoice() + "|" + credit.getSubscription();
  }

  // ---- credit notes -----------------------------------------------------------------------

  private ReplyEffect<Message, State> onIssueCreditNote(State state, IssueCreditNote request) {
    Invoice invoice = state.invoices.get(request.invoice());
    if (invoice == null) {
      return Effect().reply(request.replyTo(), Outcome.refused("invoice_not_found", "invoice " + request.invoice() + " does not exist"));
    }
    Optional<CreditNoteIssued> earlier = invoice.creditNotes().stream()
        .filter(note -> note.getIdempotencyKey().equals(request.idempotencyKey())).findFirst();
    if (earlier.isPresent()) {
      return Effect().reply(request.replyTo(), Outcome.created(earlier.get().getId()));
    }
    if (numberingCreditNote) {
      return Effect().stash();
    }
    if (invoice.status().equals("void")) {
      return Effect().reply(request.replyTo(), Outcome.refused("invoice_void", "a void invoice cannot be credited"));
    }
    Money amount;
    try {
      amount = Money.of(request.amount(), invoice.finalized().getCurrency());
    } catch (BillingException e) {
      return Effect().reply(request.replyTo(), Outcome.refused(e.code(), e.getMessage()));
    }
    Money creditable = StoredMoney.of(invoice.finalized().getTotal(), invoice.finalized().getCurrency()).minus(invoice.credited());
    if (amount.signum() <= 0 || amount.compareTo(creditable) > 0) {
      return Effect().reply(request.replyTo(), Outcome.refused("credit_exceeds_invoice",
          "a credit note is more than zero and at most what the invoice has left to credit: " + creditable));
    }
    String document = request.invoice() + "|" + request.idempotencyKey();
    numberingCreditNote = true;
    actor.ask(InvoiceNumbering.AssignedNumber.class, InvoiceNumbering.of(sharding, InvoiceNumbering.CREDIT_NOTES),
        settings.timeout(), replyTo -> new InvoiceNumbering.Assign(document, replyTo),
        (assigned, failure) -> new CreditNoteNumbered(request, amount, assigned == null ? null : assigned.number()));
    return Effect().noReply();
  }

  private ReplyEffect<Message, State> onCreditNoteNumbered(State state, CreditNoteNumbered numbered) {
    IssueCreditNote request = numbered.request();
    numberingCreditNote = false;
    if (numbered.number() == null) {
      return Effect().reply(request.replyTo(), Outcome.refused("unavailable", "numbering the credit note failed; retry"))
          .thenUnstashAll();
    }
    Invoice invoice = state.invoices.get(request.invoice());
    CreditNoteIssued note = CreditNoteIssued.newBuilder()
        .setId("cn_" + numbered.number().toLowerCase(Locale.ROOT).replace("-", "_"))
        .setNumber(numbered.number()).setInvoice(request.invoice())
        .setCurrency(invoice.finalized().getCurrency()).setAmount(numbered.amount().toString())
        .setReason(request.reason()).setIdempotencyKey(request.idempotencyKey()).setActor(request.actor())
        .setAtMillis(clock.millis()).build();
    return Effect().persist(note)
        .thenRun(newState -> sendCredits(invoice.finalized(), note.getId(), creditNoteCharges(invoice.finalized(), note), true))
        .thenReply(request.replyTo(), newState -> Outcome.created(note.getId()))
        .thenUnstashAll();
  }

  // ---- wallet and invoice status -----------------------------------------------------------

  private ReplyEffect<Message, State> onTopUp(State state, TopUp topUp) {
    if (state.wallet.hasSeen(CLIENT_KEY + topUp.topUp().getIdempotencyKey())) {
      return Effect().reply(topUp.replyTo(), Outcome.OK);
    }
    return Effect().persist(topUp.topUp()).thenReply(topUp.replyTo(), newState -> Outcome.OK);
  }

  private ReplyEffect<Message, State> onChangeStatus(State state, ChangeInvoiceStatus change) {
    Invoice invoice = state.invoices.get(change.invoice());
    if (invoice == null) {
      return Effect().reply(change.replyTo(), Outcome.refused("invoice_not_found", "invoice " + change.invoice() + " does not exist"));
    }
    if (invoice.status().equals(change.status())) {
      return Effect().reply(change.replyTo(), Outcome.OK);
    }
    if (!invoice.status().equals("finalized")) {
      return Effect().reply(change.replyTo(), Outcome.refused("invoice_" + invoice.status(),
          "invoice " + change.invoice() + " is " + invoice.status() + " and cannot become " + change.status()));
    }
    InvoiceStatusChanged changed = InvoiceStatusChanged.newBuilder().setInvoice(change.invoice())
        .setStatus(change.status()).setActor(change.actor()).setAtMillis(clock.millis()).build();
    return Effect().persist(changed).thenRun(newState -> {
      if (change.status().equals("void")) {
        sendCredits(invoice.finalized(), change.invoice() + ":void", chargesBySubscription(invoice.finalized()), true);
      }
    }).thenReply(change.replyTo(), newState -> Outcome.OK);
  }

  private static Ledger ledger(State state) {
    Map<Currency, Money> balances = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
    balances.putAll(state.wallet.balances());
    return new Ledger(List.copyOf(state.invoices.values()), List.copyOf(state.credits.values()), balances);
  }

  // ---- snapshots --------------------------------------------------------------------------

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        BillingSnapshot.Builder snapshot = BillingSnapshot.newBuilder().putAllFeedPositions(state.feedPositions)
            .putAllPublishPositions(state.publishPositions)
            .addAllCredits(state.credits.values()).addAllTopUpKeys(state.wallet.topUpKeys())
            .setClosedThroughMillis(state.closedThrough.toEpochMilli());
        state.published.forEach((period, byTopic) -> byTopic.forEach((topic, totals) -> snapshot.addPublished(
            PublishedUsage.newBuilder().setPeriod(period).setTopic(topic).setEvents(totals.events()).setBytes(totals.bytes()))));
        state.usage.forEach((period, bySubscription) -> bySubscription.forEach((subscription, bySegment) ->
            bySegment.forEach((segment, units) -> snapshot.addUsage(PeriodUsage.newBuilder().setPeriod(period)
                .setSubscription(subscription).setUnits(units)
                .setPlan(segment.plan()).setPlanFromMillis(segment.from().toEpochMilli())))));
        state.invoices.forEach((id, invoice) -> snapshot.addInvoices(SnapshotInvoice.newBuilder()
            .setInvoice(invoice.finalized()).setStatus(invoice.status()).addAllCreditNotes(invoice.creditNotes())
            .setAnnounced(state.announced.contains(id))
            .setRevenueDelivered(state.revenueDelivered.getOrDefault(id, false))));
        state.wallet.balances().forEach((currency, amount) -> snapshot.addWallet(
            WalletBalance.newBuilder().setCurrency(currency.getCurrencyCode()).setAmount(amount.toString())));
        return snapshot.build();
      }

      @Override
      public State fromJournal(Object stored) {
        BillingSnapshot snapshot = (BillingSnapshot) stored;
        State state = new State();
        state.feedPositions.putAll(snapshot.getFeedPositionsMap());
        state.publishPositions.putAll(snapshot.getPublishPositionsMap());
        snapshot.getUsageList().forEach(usage -> state.usage.computeIfAbsent(usage.getPeriod(), p -> new HashMap<>())
            .computeIfAbsent(usage.getSubscription(), s -> new HashMap<>())
            .put(new Invoicing.PlanSegmentKey(usage.getPlan(), Instant.ofEpochMilli(usage.getPlanFromMillis())), usage.getUnits()));
        snapshot.getInvoicesList().forEach(invoice -> {
          state.invoices.put(invoice.getInvoice().getId(),
              new Invoice(invoice.getInvoice(), invoice.getStatus(), List.copyOf(invoice.getCreditNotesList())));
          state.revenueDelivered.put(invoice.getInvoice().getId(), invoice.getRevenueDelivered());
          if (invoice.getAnnounced()) {
            state.announced.add(invoice.getInvoice().getId());
          }
        });
        snapshot.getCreditsList().forEach(credit -> state.credits.put(creditKey(credit), credit));
        Map<Currency, Money> balances = new HashMap<>();
        snapshot.getWalletList().forEach(balance ->
            balances.put(Currency.getInstance(balance.getCurrency()), StoredMoney.of(balance.getAmount(), balance.getCurrency())));
        state.wallet = new Wallet(balances, java.util.Set.copyOf(snapshot.getTopUpKeysList()));
        state.closedThrough = Instant.ofEpochMilli(snapshot.getClosedThroughMillis());
        snapshot.getPublishedList().forEach(published -> state.published
            .computeIfAbsent(published.getPeriod(), period -> new TreeMap<>())
            .put(published.getTopic(), new Published(published.getEvents(), published.getBytes())));
        return state;
      }
    };
  }

  // ---- events -----------------------------------------------------------------------------

  @Override
  public EventHandler<State, Message> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(UsageRecorded.class, (state, usage) -> {
          state.feedPositions.put(usage.getSubscription(), usage.getSequence());
          if (usage.getUnits() > 0) {
            state.usage.computeIfAbsent(usage.getPeriod(), period -> new HashMap<>())
                .computeIfAbsent(usage.getSubscription(), subscription -> new HashMap<>())
                .merge(new Invoicing.PlanSegmentKey(usage.getPlan(), Instant.ofEpochMilli(usage.getPlanFromMillis())),
                    usage.getUnits(), Long::sum);
          }
          return state;
        })
        .onEvent(InvoiceFinalized.class, (state, invoice) -> {
          state.invoices.put(invoice.getId(), new Invoice(invoice, "finalized", List.of()));
          Money applied = StoredMoney.of(invoice.getCreditsApplied(), invoice.getCurrency());
          state.wallet = state.wallet.apply(applied).after();
          return state;
        })
        .onEvent(PublishedRecorded.class, (state, published) -> {
          state.publishPositions.put(new PartitionRef(published.getTopic(), published.getPartition()).persistenceId(),
              published.getSequence());
          state.published.computeIfAbsent(published.getPeriod(), period -> new TreeMap<>())
              .merge(published.getTopic(), new Published(published.getEvents(), published.getBytes()), Published::plus);
          return state;
        })
        .onEvent(InvoiceAnnounced.class, (state, announced) -> {
          state.announced.add(announced.getInvoice());
          return state;
        })
        .onEvent(RevenueDelivered.class, (state, delivered) -> {
          state.revenueDelivered.put(delivered.getInvoice(), true);
          return state;
        })
        .onEvent(RevenueCredited.class, (state, credit) -> {
          state.credits.put(creditKey(credit), credit);
          return state;
        })
        .onEvent(WalletToppedUp.class, (state, topUp) -> {
          state.wallet = state.wallet.topUp(CLIENT_KEY + topUp.getIdempotencyKey(),
              StoredMoney.of(topUp.getAmount(), topUp.getCurrency()));
          return state;
        })
        .onEvent(InvoiceStatusChanged.class, (state, changed) -> {
          Invoice invoice = state.invoices.get(changed.getInvoice());
          state.invoices.put(changed.getInvoice(), invoice.withStatus(changed.getStatus()));
          if (changed.getStatus().equals("void")) {
            Money applied = StoredMoney.of(invoice.finalized().getCreditsApplied(), invoice.finalized().getCurrency());
            if (applied.signum() > 0) {
              state.wallet = state.wallet.topUp(INTERNAL_KEY + "void:" + changed.getInvoice(), applied);
            }
          }
          return state;
        })
        .onEvent(CreditNoteIssued.class, (state, note) -> {
          state.invoices.computeIfPresent(note.getInvoice(), (id, invoice) -> invoice.withCreditNote(note));
          state.wallet = state.wallet.topUp(INTERNAL_KEY + "credit-note:" + note.getId(),
              StoredMoney.of(note.getAmount(), note.getCurrency()));
          return state;
        })
        .onEvent(PeriodsClosed.class, (state, closed) -> {
          state.closedThrough = Instant.ofEpochMilli(closed.getThroughMillis());
          return state;
        })
        .build();
  }
}
