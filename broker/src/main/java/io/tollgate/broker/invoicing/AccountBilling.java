package io.tollgate.broker.invoicing;

import io.tollgate.broker.error.Rejection;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.AlertCrossing;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingArchiveSnapshot;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.UsageAlert;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.concurrent.CompletionStage;
import java.util.Currency;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

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
 *
 * <p>This class only sequences, as {@code TopicPartition} does over {@code PartitionLog}: the
 * state and its rules are {@link BillingLedger}; the child {@link JournalFollower} reads the
 * journals; the child {@link Deliveries} sends credits and invoice events until confirmed; and
 * what it asks of the cluster goes through {@link Outside}.
 */
public final class AccountBilling extends EventSourcedBehaviorWithEnforcedReplies<AccountBilling.Command, BillingEvent, BillingLedger> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "AccountBilling");

  public sealed interface Command extends ClusterMessage {}

  public record RecordUsage(UsageRecorded usage, ActorRef<Done> replyTo) implements Command {}

  /** What journal entries of one of the account's topic partitions stored, summed per period; applied once. */
  public record RecordPublished(PublishedRecorded published, ActorRef<Done> replyTo) implements Command {}

  /**
   * Entries written to the account's topic partitions, as their partitions announced them
   * ({@link PublishFeed}): metered from these summaries in sequence order, without reading the
   * entries back; a partition whose entries do not follow on from its position is read instead.
   */
  public record PublishesWritten(List<PartitionAdvanced> entries) implements Command {
    public PublishesWritten {
      entries = List.copyOf(entries);
    }
  }

  /** Read the usage journals of these subscriptions to their ends, or (none) all of the account's. */
  public record CatchUp(List<String> subscriptions, ActorRef<Done> replyTo) implements Command {
    public CatchUp {
      subscriptions = List.copyOf(subscriptions);
    }

    public static CatchUp all(ActorRef<Done> replyTo) {
      return new CatchUp(List.of(), replyTo);
    }
  }

  public record GetUsage(ActorRef<UsageReport> replyTo) implements Command {}

  /** How far this billing has read each journal it follows ({@link BillingLedger#readPositions}). */
  public record GetReadPositions(ActorRef<Positions> replyTo) implements Command {}

  /** Positions by persistence id: usage journals of the account's subscriptions, partition journals of its topics. */
  public record Positions(Map<String, Long> byJournal) implements ClusterMessage {}

  /**
   * Usage as billing will price it, once the usage journal of {@code subscription} (or of every
   * subscription of the account, for "") has been read to its end: the one answer to how much a
   * subscription used, whichever endpoint asks. (The subscription's entity keeps its own count
   * of the period only to enforce the plan's quota while it streams.)
   */
  public static CompletionStage<UsageReport> usage(EntityRef<Command> billing, String subscription, Duration timeout) {
    return billing.<Done>ask(replyTo -> subscription.isEmpty() ? CatchUp.all(replyTo)
            : new CatchUp(List.of(subscription), replyTo), timeout)
        .thenCompose(caughtUp -> billing.ask(GetUsage::new, timeout));
  }

  /**
   * Invoice every period that ended more than the grace period ago and is not invoiced yet, once
   * this node's catalog view has applied {@code catalogVersion} changes (0: ask the catalog). The
   * answer says how far the account stands, at once: the close itself runs on.
   */
  public record ClosePeriods(long catalogVersion, ActorRef<CloseStatus> replyTo) implements Command {}

  /**
   * Every period that ended at or before {@code closedThrough} is invoiced; {@code settled} when
   * nothing waits to be confirmed (revenue credits, invoice events, a credit note's number).
   */
  public record CloseStatus(String account, Instant closedThrough, boolean settled) implements ClusterMessage {}

  /** A producer's share of a consumer invoice; the reply confirms it is recorded. */
  public record CreditRevenue(RevenueCredited credit, ActorRef<Done> replyTo) implements Command {}

  /** A client's credit to the wallet, once per {@code idempotencyKey}; {@code actor} is recorded for the audit log. */
  public record TopUp(String idempotencyKey, Money amount, String actor, ActorRef<Outcome> replyTo) implements Command {}

  /** Mark an invoice {@code paid} or {@code void}; {@code actor} is recorded for the audit log. */
  public record ChangeInvoiceStatus(String invoice, String status, String actor, ActorRef<Outcome> replyTo)
      implements Command {}

  public record GetLedger(ActorRef<Ledger> replyTo) implements Command {}

  /** Correct a finalized or paid invoice by {@code amount}; idempotent by {@code idempotencyKey}. */
  public record IssueCreditNote(String invoice, String amount, String reason, String idempotencyKey, String actor,
                                ActorRef<Outcome> replyTo) implements Command {}

  /**
   * Events and their bytes per plan segment, per subscription, per period (sorted by period); and,
   * as a producer, what its topics stored per period.
   */
  public record UsageReport(Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Metered>>> byPeriod,
                            Map<String, Map<String, Published>> published)
      implements Invoicing.UsageOf, ClusterMessage {
    /** Events and bytes of a subscription in a period, under any plan. */
    public Metered used(String period, String subscription) {
      return byPeriod.getOrDefault(period, Map.of()).getOrDefault(subscription, Map.of()).values().stream()
          .reduce(Metered.NONE, Metered::plus);
    }

    @Override
    public Metered used(String period, String subscription, Invoicing.PlanSegmentKey segment) {
      return byPeriod.getOrDefault(period, Map.of()).getOrDefault(subscription, Map.of()).getOrDefault(segment, Metered.NONE);
    }
  }

  /** Events and their bytes stored on a topic. */
  public record Published(long events, long bytes) {
    Published plus(Published other) {
      return new Published(events + other.events, bytes + other.bytes);
    }
  }

  /**
   * Set a usage alert ({@link UsageAlerts}); its id is chosen by the caller, so a retry finds it
   * made. Refused ({@code too_many_alerts}) past the account's limit. Usage read to its end first
   * ({@link CatchUp}) makes an alert that usage is past already fire at once.
   */
  public record CreateAlert(NewAlert alert, ActorRef<Outcome> replyTo) implements Command {}

  /** Delete a usage alert; {@code alert_not_found} when the account has none of that id. */
  public record DeleteAlert(String alert, ActorRef<Outcome> replyTo) implements Command {}

  public record GetAlerts(ActorRef<Alerts> replyTo) implements Command {}

  /** The account's usage alerts, and the crossings of its periods not closed yet. */
  public record Alerts(List<UsageAlert> alerts, List<AlertCrossing> crossings) implements ClusterMessage {}

  /** Refused, or fine when {@code rejection} is null; {@code created} names a new document. */
  public record Outcome(Rejection rejection, String created) implements ClusterMessage {
    static final Outcome OK = new Outcome(null, null);

    static Outcome refused(String code, String message) {
      return new Outcome(new Rejection(code, message), null);
    }

    static Outcome created(String id) {
      return new Outcome(null, id);
    }

    public boolean ok() {
      return rejection == null;
    }
  }

  /** The invoices (with their status), the revenue credits and the wallet of the account. */
  public record Ledger(List<Invoice> invoices, List<RevenueCredited> credits, Map<Currency, Money> wallet)
      implements ClusterMessage {}

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

  private record CreditNoteNumbered(BillingEvent.CreditNoteRequested request, String number)
      implements Command, NoSerializationVerificationNeeded {}

  private record NumberPendingCreditNote() implements Command, NoSerializationVerificationNeeded {}

  private record CatalogReadForClose() implements Command, NoSerializationVerificationNeeded {}

  private record CaughtUpForClose() implements Command, NoSerializationVerificationNeeded {}

  private record CloseAbandoned(Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private record AnnouncementStored(String eventId) implements Command, NoSerializationVerificationNeeded {}

  private record NumberReady(InvoiceFinalized.Builder invoice, String number)
      implements Command, NoSerializationVerificationNeeded {}

  private record CreditsDelivered(String creditKey) implements Command, NoSerializationVerificationNeeded {}

  private record FinalizeNext() implements Command, NoSerializationVerificationNeeded {}

  private record ArchiveNext() implements Command, NoSerializationVerificationNeeded {}

  private record PeriodStored(BillingLedger.Archivable period, ArchivedPeriod stored, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** A request that needs the archive, with what the archive holds (or why it could not be read). */
  private record WithArchive(Command request, BillingArchiveSnapshot archive, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** A request about an invoice that was reopened from the archive: it is live now. */
  private record Reopened(Command request) implements Command, NoSerializationVerificationNeeded {}



  /**
   * @param grace how long an ended period stays open for late usage; zero or more
   * @param timeout how long one ask to another entity may take; more than zero
   * @param maxAlerts how many usage alerts one account may set (tollgate.limits.max-alerts-per-account)
   * @param snapshotEvery a snapshot every so many entries; the journal trimmer deletes entries only up
   *     to the latest (tollgate.retention.snapshot-every)
   */
  public record Settings(PeriodScheme periods, Duration grace, Duration timeout, int maxAlerts, int snapshotEvery) {
    public Settings {
      if (maxAlerts < 1) {
        throw new IllegalArgumentException("tollgate.limits.max-alerts-per-account must be at least 1: " + maxAlerts);
      }
      if (grace.isNegative()) {
        throw new IllegalArgumentException("tollgate.billing.grace must not be negative: " + grace);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("the billing ask timeout must be more than zero: " + timeout);
      }
    }
  }

  /**
   * What the account's billing asks of the rest of the cluster. One interface, so that the entity
   * can be driven by a test that decides when (and whether) each answer comes; in a node it is
   * {@link ClusterOutside}.
   */
  public interface Outside {
    /** The number of {@code document} in the sequence of {@code issuer}; the same number when asked again. */
    CompletionStage<String> number(String issuer, String document);

    /**
     * Tells the sequence of {@code issuer} that {@code document} is final and never asks for its
     * number again; sent again until the sequence answers, in the background. A release never
     * answered leaves one entry in the sequence, nothing else.
     */
    void release(String issuer, String document);

    /** Records a revenue credit at the producer; completes once it is recorded. */
    CompletionStage<Done> credit(String producer, RevenueCredited credit);

    /** Stores a closed period in the account's archive; completes once it is stored. */
    CompletionStage<Done> archive(String account, ArchivedPeriod period);

    /** Every period the account's archive holds. */
    CompletionStage<BillingArchiveSnapshot> archived(String account);

    /** Stores an invoice or usage alert event on the platform's invoices topic; true once it is stored. */
    CompletionStage<Boolean> announce(CloudEvent event);

    /**
     * Completes once this node's catalog view has applied {@code version} changes; for 0, every
     * change the catalog had when asked.
     */
    CompletionStage<Void> catalogCaughtUp(long version);
  }

  /**
   * Starts the entities; {@code analyticsWritten} is told the account's persistence id after each
   * write the analytics read side counts (a finalized invoice, revenue credited), so it reads the
   * journal soon and leaves it alone otherwise. {@code mustArrive}: how a number's release is sent
   * again until the sequence answers.
   */
  public static void initSharding(ClusterSharding sharding, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                                  Clock clock, Settings settings, Consumer<String> analyticsWritten,
                                  ShardedAsk.Patience mustArrive) {
    Outside outside = new ClusterOutside(sharding, view, settings.timeout(), mustArrive);
    sharding.init(Entity.of(ENTITY_KEY, context -> Behaviors.setup(actor -> new AccountBilling(actor,
        context.getEntityId(), view, journal, outside, clock, settings, analyticsWritten))));
  }

  static Behavior<Command> create(String accountId, CatalogView view, CurrentEventsByPersistenceIdQuery journal,
                                  Outside outside, Clock clock, Settings settings) {
    return Behaviors.setup(actor -> new AccountBilling(actor, accountId, view, journal, outside, clock, settings,
        written -> { }));
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
  private final Outside outside;
  private final Clock clock;
  private final Settings settings;
  /** Told this journal's persistence id after a write the analytics read side counts. */
  private final Consumer<String> analyticsWritten;
  /** Reads the usage and partition journals and hands each record back. */
  private final ActorRef<JournalFollower.Command> follower;
  /** Told when every journal a close asked for was read, or when one could not be. */
  private final ActorRef<Done> closeRead;
  private final ActorRef<JournalFollower.ReadFailed> closeReadFailed;
  /** Invoices waiting to be numbered and finalized by the close in progress, oldest first. */
  private final Deque<InvoiceFinalized.Builder> toFinalize = new ArrayDeque<>();
  private Instant closingThrough;
  /** Sends credits and invoice events until they are confirmed. */
  private final ActorRef<Deliveries.Command> deliveries;
  /** How long an unconfirmed credit or invoice event waits before it is sent again. */
  private static final Duration DELIVERY_RETRY = Duration.ofSeconds(5);
  /** A closed period is being stored in the archive now. */
  private boolean archiving;
  /** The pending credit note is being numbered now. */
  private boolean numberingCreditNote;
  /** Who waits for the pending credit note to be issued. */
  private final List<ActorRef<Outcome>> noteWaiters = new ArrayList<>();
  /** How long a failed numbering of a credit note waits before it is asked again. */
  private static final Duration NUMBERING_RETRY = Duration.ofSeconds(1);

  private AccountBilling(ActorContext<Command> actor, String accountId, CatalogView view,
                         CurrentEventsByPersistenceIdQuery journal, Outside outside, Clock clock, Settings settings,
                         Consumer<String> analyticsWritten) {
    super(PersistenceId.ofUniqueId(persistenceId(accountId)));
    this.analyticsWritten = analyticsWritten;
    this.actor = actor;
    this.accountId = accountId;
    this.view = view;
    this.journal = journal;
    this.outside = outside;
    this.clock = clock;
    this.settings = settings;
    this.follower = actor.spawnAnonymous(JournalFollower.create(actor.getSelf(), view, journal, settings.periods(),
        settings.timeout()));
    this.closeRead = actor.messageAdapter(Done.class, done -> new CaughtUpForClose());
    this.closeReadFailed = actor.messageAdapter(JournalFollower.ReadFailed.class,
        failed -> new CloseAbandoned(new IllegalStateException("a journal read failed")));
    this.deliveries = actor.spawnAnonymous(Deliveries.create(outside,
        actor.messageAdapter(Deliveries.CreditsConfirmed.class, confirmed -> new CreditsDelivered(confirmed.creditKey())),
        actor.messageAdapter(Deliveries.AnnouncementConfirmed.class, confirmed -> new AnnouncementStored(confirmed.eventId())),
        DELIVERY_RETRY));
  }

  @Override
  public BillingLedger emptyState() {
    return new BillingLedger(accountId);
  }

  @Override
  public SignalHandler<BillingLedger> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::resendUnconfirmed).build();
  }

  /**
   * Revenue credits and invoice events not confirmed before a restart are sent again;
   * producers apply each credit once and the invoices topic stores each event once.
   */
  private void resendUnconfirmed(BillingLedger ledger) {
    ledger.pendingCreditNote().ifPresent(this::numberCreditNote);
    announceUnannounced(ledger);
    ledger.undelivered(clock.millis()).forEach(pending -> sendCredits(pending.creditKey(), pending.deliveries()));
  }

  @Override
  public CommandHandlerWithReply<Command, BillingEvent, BillingLedger> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(RecordUsage.class, this::onRecord)
        .onCommand(RecordPublished.class, this::onRecordPublished)
        .onCommand(PublishesWritten.class, this::onPublishesWritten)
        .onCommand(CatchUp.class, this::onCatchUp)
        .onCommand(GetReadPositions.class, (ledger, get) ->
            Effect().reply(get.replyTo(), new Positions(ledger.readPositions())))
        .onCommand(GetUsage.class, (ledger, get) -> ledger.archivedThrough().isAfter(Instant.EPOCH)
            ? readArchiveFor(get) : Effect().reply(get.replyTo(), ledger.usageReport()))
        .onCommand(ClosePeriods.class, this::onClosePeriods)
        .onCommand(CatalogReadForClose.class, this::onCatalogReadForClose)
        .onCommand(CaughtUpForClose.class, this::onCaughtUpForClose)
        .onCommand(CloseAbandoned.class, this::onCloseAbandoned)
        .onCommand(AnnouncementStored.class, this::onAnnouncementStored)
        .onCommand(NumberReady.class, this::onNumberReady)
        .onCommand(FinalizeNext.class, (ledger, next) -> finalizeNext(ledger))
        .onCommand(CreditsDelivered.class, (ledger, delivered) -> (ledger.isDelivered(delivered.creditKey())
            ? Effect().none()
            : Effect().persist(new BillingEvent.RevenueDelivered(delivered.creditKey())))
            .thenRun(recorded -> deliveries.tell(new Deliveries.CreditsRecorded(delivered.creditKey()))).thenNoReply())
        .onCommand(CreditRevenue.class, this::onCreditRevenue)
        .onCommand(TopUp.class, this::onTopUp)
        .onCommand(ChangeInvoiceStatus.class, (ledger, change) -> onChangeStatus(ledger, change, true))
        .onCommand(GetLedger.class, (ledger, get) -> ledger.archivedThrough().isAfter(Instant.EPOCH)
            ? readArchiveFor(get) : Effect().reply(get.replyTo(), ledger.view()))
        .onCommand(IssueCreditNote.class, (ledger, request) -> onIssueCreditNote(ledger, request, true))
        .onCommand(ArchiveNext.class, (ledger, next) -> archiveNext(ledger))
        .onCommand(PeriodStored.class, this::onPeriodStored)
        .onCommand(WithArchive.class, this::onWithArchive)
        .onCommand(Reopened.class, (ledger, reopened) -> reopened.request() instanceof ChangeInvoiceStatus change
            ? onChangeStatus(ledger, change, false)
            : onIssueCreditNote(ledger, (IssueCreditNote) reopened.request(), false))
        .onCommand(CreditNoteNumbered.class, this::onCreditNoteNumbered)
        .onCommand(NumberPendingCreditNote.class, (ledger, retry) -> {
          ledger.pendingCreditNote().ifPresent(this::numberCreditNote);
          return Effect().noReply();
        })
        .onCommand(CreateAlert.class, this::onCreateAlert)
        .onCommand(DeleteAlert.class, this::onDeleteAlert)
        .onCommand(GetAlerts.class, (ledger, get) ->
            Effect().reply(get.replyTo(), new Alerts(ledger.alerts(), ledger.alertCrossings())))
        .build();
  }

  // ---- usage ------------------------------------------------------------------------------

  /** Usage, and in the same write every alert it makes cross: a restart neither loses nor repeats a crossing. */
  private ReplyEffect<BillingEvent, BillingLedger> onRecord(BillingLedger ledger, RecordUsage record) {
    UsageRecorded usage = record.usage();
    if (usage.getSequence() <= ledger.positionOf(usage.getSubscription())) {
      return Effect().reply(record.replyTo(), Done.getInstance());
    }
    BillingEvent.UsageRecorded recorded = BillingJournal.usage(usage);
    List<BillingEvent> events = new ArrayList<>(List.of(recorded));
    settings.periods().named(recorded.period())
        .ifPresent(period -> crossedBy(ledger, period, recorded).forEach(crossing ->
            events.add(new BillingEvent.AlertCrossed(crossing))));
    if (events.size() == 1) {
      return Effect().persist(recorded).thenReply(record.replyTo(), newState -> Done.getInstance());
    }
    return Effect().persist(events).thenRun(this::announceUnannounced)
        .thenReply(record.replyTo(), newState -> Done.getInstance());
  }

  // ---- usage alerts -----------------------------------------------------------------------

  /**
   * The alerts {@code recorded} makes cross. An alert never stops usage from being recorded: if
   * the catalog view cannot price the period now, the record is kept without crossings and the
   * next record of the period checks again, counting it.
   */
  private List<AlertCrossing> crossedBy(BillingLedger ledger, Period period, BillingEvent.UsageRecorded recorded) {
    try {
      return ledger.alertsCrossed(view.catalog(), period, ownSubscriptions(), Optional.of(recorded), clock.instant());
    } catch (RuntimeException e) {
      actor.getLog().warn("the usage alerts of {} could not be checked for period {}; the next usage checks them",
          accountId, period.id(), e);
      return List.of();
    }
  }

  /**
   * An alert is checked against the current period as it is created, in the same write: usage
   * past it already makes it fire at once.
   */
  private ReplyEffect<BillingEvent, BillingLedger> onCreateAlert(BillingLedger ledger, CreateAlert create) {
    UsageAlert alert = create.alert().toAlert();
    if (ledger.alert(alert.getId()).isPresent()) {
      return Effect().reply(create.replyTo(), Outcome.created(alert.getId()));
    }
    if (ledger.alerts().size() >= settings.maxAlerts()) {
      return Effect().reply(create.replyTo(), Outcome.refused("too_many_alerts", "account " + accountId + " has "
          + settings.maxAlerts() + " usage alerts, the most it may have (tollgate.limits.max-alerts-per-account);"
          + " delete one first"));
    }
    List<BillingEvent> events = new ArrayList<>(List.of(new BillingEvent.AlertCreated(alert)));
    ledger.crossingsOfNew(alert, view.catalog(), settings.periods().periodOf(clock.instant()), ownSubscriptions(),
        clock.instant()).forEach(crossing -> events.add(new BillingEvent.AlertCrossed(crossing)));
    return Effect().persist(events).thenRun(this::announceUnannounced)
        .thenReply(create.replyTo(), newState -> Outcome.created(alert.getId()));
  }

  private ReplyEffect<BillingEvent, BillingLedger> onDeleteAlert(BillingLedger ledger, DeleteAlert delete) {
    if (ledger.alert(delete.alert()).isEmpty()) {
      return Effect().reply(delete.replyTo(), Outcome.refused("alert_not_found", "alert " + delete.alert()
          + " does not exist"));
    }
    return Effect().persist(new BillingEvent.AlertDeleted(delete.alert()))
        .thenReply(delete.replyTo(), newState -> Outcome.OK);
  }

  /** The child stored an invoice or alert event: recorded, so that it is not sent again. */
  private ReplyEffect<BillingEvent, BillingLedger> onAnnouncementStored(BillingLedger ledger, AnnouncementStored stored) {
    Optional<InvoiceEvent> invoiceEvent = ledger.unannounced(stored.eventId());
    EffectBuilder<BillingEvent, BillingLedger> recording = invoiceEvent.isPresent()
        ? Effect().persist(new BillingEvent.InvoiceAnnounced(invoiceEvent.get().invoice(), invoiceEvent.get().id()))
        : ledger.unannouncedCrossing(stored.eventId()).isPresent()
            ? Effect().persist(new BillingEvent.AlertAnnounced(stored.eventId()))
            : Effect().none();
    return recording.thenRun(recorded -> deliveries.tell(new Deliveries.AnnouncementRecorded(stored.eventId())))
        .thenNoReply();
  }

  private ReplyEffect<BillingEvent, BillingLedger> onRecordPublished(BillingLedger ledger, RecordPublished record) {
    PublishedRecorded published = record.published();
    String key = new PartitionRef(published.getTopic(), published.getPartition()).persistenceId();
    if (published.getSequence() <= ledger.positionOf(key)) {
      return Effect().reply(record.replyTo(), Done.getInstance());
    }
    return Effect().persist(BillingJournal.published(published)).thenReply(record.replyTo(), newState -> Done.getInstance());
  }

  private ReplyEffect<BillingEvent, BillingLedger> onPublishesWritten(BillingLedger ledger, PublishesWritten written) {
    List<String> journals = written.entries().stream().map(PartitionAdvanced::getPersistenceId).distinct().toList();
    follower.tell(new JournalFollower.Written(written.entries(), positionsOf(ledger, journals)));
    return Effect().noReply();
  }

  /** The journals of the account's topic partitions: publish-side metering of a producer. */
  private List<String> ownPartitionJournals() {
    List<String> journals = new ArrayList<>();
    view.catalog().topicsOwnedBy(accountId).stream().sorted(Comparator.comparing(Catalog.Topic::name))
        .forEach(topic -> topic.partitionRefs().forEach(partition -> journals.add(partition.persistenceId())));
    return journals;
  }

  private List<Catalog.Subscription> ownSubscriptions() {
    return view.catalog().subscriptionsOf(accountId);
  }

  private ReplyEffect<BillingEvent, BillingLedger> onCatchUp(BillingLedger ledger, CatchUp catchUp) {
    List<String> journals = catchUp.subscriptions().isEmpty() ? ownJournals() : catchUp.subscriptions();
    if (journals.isEmpty()) {
      return Effect().reply(catchUp.replyTo(), Done.getInstance());
    }
    // A failed read answers nothing: the caller's ask fails and the next read retries.
    follower.tell(new JournalFollower.Read(journals, positionsOf(ledger, journals), catchUp.replyTo(),
        actor.getSystem().ignoreRef()));
    return Effect().noReply();
  }

  /** Every usage journal of the account's subscriptions and every journal of its topics' partitions. */
  private List<String> ownJournals() {
    List<String> journals = new ArrayList<>();
    ownSubscriptions().forEach(subscription -> journals.add(subscription.id()));
    journals.addAll(ownPartitionJournals());
    return journals;
  }

  private static Map<String, Long> positionsOf(BillingLedger ledger, List<String> journals) {
    Map<String, Long> positions = new HashMap<>();
    journals.forEach(journalId -> positions.put(journalId, ledger.positionOf(journalId)));
    return positions;
  }

  // ---- closing periods --------------------------------------------------------------------

  /**
   * Work only when there is some: an account whose periods are invoiced through the last one due
   * answers from its state, without asking the catalog or reading a journal. Also the moment to
   * send again what is not confirmed, when anything is.
   */
  private ReplyEffect<BillingEvent, BillingLedger> onClosePeriods(BillingLedger ledger, ClosePeriods close) {
    if (!ledger.settled()) {
      resendUnconfirmed(ledger);
    }
    Instant now = clock.instant();
    Instant due = settings.periods().periodOf(now.minus(settings.grace())).start();
    if (closingThrough == null && ledger.closedThrough().isBefore(due) && !ownSubscriptions().isEmpty()) {
      closingThrough = now.minus(settings.grace());
      actor.pipeToSelf(outside.catalogCaughtUp(close.catalogVersion()),
          (caughtUp, failure) -> failure == null ? new CatalogReadForClose() : new CloseAbandoned(failure));
    }
    List<BillingLedger.Archivable> archivable = ledger.archivable(settings.periods()::named);
    if (closingThrough == null && !archiving && !archivable.isEmpty()) {
      actor.getSelf().tell(new ArchiveNext());
    }
    return Effect().reply(close.replyTo(),
        new CloseStatus(accountId, ledger.closedThrough(), ledger.settled() && archivable.isEmpty()));
  }

  // ---- the archive of closed periods -----------------------------------------------------------

  /**
   * Moves the oldest closed and settled period to the archive: stored there first, then left out
   * of the live state, one period at a time.
   */
  private ReplyEffect<BillingEvent, BillingLedger> archiveNext(BillingLedger ledger) {
    List<BillingLedger.Archivable> archivable = ledger.archivable(settings.periods()::named);
    if (archivable.isEmpty()) {
      archiving = false;
      return Effect().noReply();
    }
    archiving = true;
    BillingLedger.Archivable period = archivable.get(0);
    ArchivedPeriod stored = ledger.archiveOf(period);
    actor.pipeToSelf(outside.archive(accountId, stored), (done, failure) -> new PeriodStored(period, stored, failure));
    return Effect().noReply();
  }

  /**
   * What was stored must still be what the period holds, and the period must still be settled: a
   * change while it was stored stores it again, and a credit note or void begun meanwhile keeps
   * its invoice live until it is done (the next tick archives it then).
   */
  private ReplyEffect<BillingEvent, BillingLedger> onPeriodStored(BillingLedger ledger, PeriodStored stored) {
    if (stored.failure() != null) {
      actor.getLog().warn("archiving period {} of {} failed; the next tick retries", stored.period().period(), accountId,
          stored.failure());
      archiving = false;
      return Effect().noReply();
    }
    if (!ledger.archivable(settings.periods()::named).contains(stored.period())) {
      archiving = false;
      return Effect().noReply();
    }
    if (!ledger.archiveOf(stored.period()).equals(stored.stored())) {
      return archiveNext(ledger);
    }
    return Effect().persist(new BillingEvent.PeriodArchived(stored.period().period(), stored.period().end()))
        .thenRun(newState -> actor.getSelf().tell(new ArchiveNext()))
        .thenNoReply();
  }

  /** Reads that span history add the archive to the live state; its invoices are reopened to change them. */
  private ReplyEffect<BillingEvent, BillingLedger> readArchiveFor(Command request) {
    actor.pipeToSelf(outside.archived(accountId), (archive, failure) -> new WithArchive(request, archive, failure));
    return Effect().noReply();
  }

  private ReplyEffect<BillingEvent, BillingLedger> onWithArchive(BillingLedger ledger, WithArchive read) {
    Command request = read.request();
    if (read.failure() != null) {
      actor.getLog().warn("reading the archive of {} failed", accountId, read.failure());
      Outcome unavailable = Outcome.refused("unavailable", "the account's archive cannot be read now; retry");
      if (request instanceof ChangeInvoiceStatus change) {
        return Effect().reply(change.replyTo(), unavailable);
      }
      if (request instanceof IssueCreditNote note) {
        return Effect().reply(note.replyTo(), unavailable);
      }
      return Effect().noReply(); // a read: its asker's timeout answers
    }
    ArchivedPeriods archive = ArchivedPeriods.fromSnapshot(read.archive());
    if (request instanceof GetLedger get) {
      return Effect().reply(get.replyTo(), archive.withInvoicesOf(ledger.view()));
    }
    if (request instanceof GetUsage get) {
      return Effect().reply(get.replyTo(), archive.withUsageOf(ledger.usageReport()));
    }
    String invoiceId = request instanceof ChangeInvoiceStatus change ? change.invoice() : ((IssueCreditNote) request).invoice();
    Optional<Invoice> archived = archive.invoice(invoiceId).map(BillingJournal::invoice);
    if (ledger.invoice(invoiceId).isPresent() || archived.isEmpty()) {
      return Effect().none().thenRun(state -> actor.getSelf().tell(new Reopened(request))).thenNoReply();
    }
    return Effect().persist(new BillingEvent.InvoiceReopened(archived.get()))
        .thenRun(newState -> actor.getSelf().tell(new Reopened(request)))
        .thenNoReply();
  }

  /**
   * The catalog view has every subscription and plan change made before the close began; now
   * every journal is read to its end, however long that takes: a slow read delays the close, it
   * does not abandon it.
   */
  private ReplyEffect<BillingEvent, BillingLedger> onCatalogReadForClose(BillingLedger ledger, CatalogReadForClose read) {
    List<String> journals = ownJournals();
    if (journals.isEmpty()) {
      closingThrough = null;
      return Effect().noReply();
    }
    follower.tell(new JournalFollower.Read(journals, positionsOf(ledger, journals), closeRead, closeReadFailed));
    return Effect().noReply();
  }

  /** Without every usage journal read to its end, no period is closed: the next tick tries again. */
  private ReplyEffect<BillingEvent, BillingLedger> onCloseAbandoned(BillingLedger ledger, CloseAbandoned abandoned) {
    actor.getLog().warn("reading the usage journals of {} failed; no period is closed until they are read",
        accountId, abandoned.failure());
    closingThrough = null;
    return Effect().noReply();
  }

  private ReplyEffect<BillingEvent, BillingLedger> onCaughtUpForClose(BillingLedger ledger, CaughtUpForClose caughtUp) {
    List<Catalog.Subscription> subscriptions = ownSubscriptions();
    if (subscriptions.isEmpty()) {
      closingThrough = null;
      return Effect().noReply();
    }
    Instant first = subscriptions.get(0).createdAt();
    Period period = settings.periods().periodOf(first.isAfter(ledger.closedThrough()) ? first : ledger.closedThrough());
    Instant processedThrough = period.start();
    // Bounded work per close; a long outage is caught up over several ticks.
    for (int periods = 0; !period.end().isAfter(closingThrough) && periods < 1000; periods++) {
      toFinalize.addAll(ledger.draftInvoices(view.catalog(), period, subscriptions));
      processedThrough = period.end();
      period = settings.periods().periodOf(period.end());
    }
    closingThrough = processedThrough;
    return finalizeNext(ledger);
  }

  private ReplyEffect<BillingEvent, BillingLedger> finalizeNext(BillingLedger ledger) {
    InvoiceFinalized.Builder next = toFinalize.poll();
    if (next == null) {
      Instant through = closingThrough;
      closingThrough = null;
      if (!through.isAfter(ledger.closedThrough())) {
        return Effect().noReply();
      }
      return Effect().persist(new BillingEvent.PeriodsClosed(through)).thenNoReply();
    }
    actor.pipeToSelf(outside.number(InvoiceNumbering.INVOICES, next.getId()),
        (number, failure) -> new NumberReady(next, failure == null ? number : null));
    return Effect().noReply();
  }

  private ReplyEffect<BillingEvent, BillingLedger> onNumberReady(BillingLedger ledger, NumberReady ready) {
    if (ready.number() == null) {
      actor.getLog().warn("numbering invoice {} failed; the next close retries", ready.invoice().getId());
      toFinalize.clear();
      closingThrough = null;
      return Effect().noReply();
    }
    InvoiceFinalized invoice = ledger.finalize(ready.invoice(), ready.number(), clock.millis());
    List<BillingEvent> events = new ArrayList<>(List.of(new BillingEvent.InvoiceFinalized(invoice)));
    if (StoredMoney.of(invoice.getAmountDue(), invoice.getCurrency()).signum() == 0) {
      // The wallet covered it: nothing is due, so it is paid as it is finalized, in the same write.
      events.add(new BillingEvent.InvoiceStatusChanged(invoice.getId(), "paid", Platform.ACTOR, clock.instant()));
    }
    return Effect().persist(events).thenRun(newState -> {
      analyticsWritten.accept(persistenceId(accountId));
      outside.release(InvoiceNumbering.INVOICES, invoice.getId());
      sendCredits(invoice.getId(), newState.creditsFor(invoice, clock.millis()));
      announceUnannounced(newState);
      actor.getSelf().tell(new FinalizeNext());
    }).thenNoReply();
  }

  // ---- invoice events ----------------------------------------------------------------------

  /**
   * Hands every invoice event not stored yet to the child that stores them on the platform's
   * invoices topic, in order; one already on its way is not sent twice.
   */
  private void announceUnannounced(BillingLedger ledger) {
    ledger.unannounced().forEach(event ->
        ledger.invoice(event.invoice()).ifPresent(invoice -> deliveries.tell(
            new Deliveries.Announce(event.id(), cloudEvent(event, invoice)))));
    ledger.unannouncedCrossings().forEach(crossing -> deliveries.tell(
        new Deliveries.Announce(UsageAlerts.eventId(crossing), AlertJson.cloudEvent(accountId, crossing))));
  }

  /**
   * The CloudEvent of an invoice event: its id is the event's, so storing it again after a
   * failure or a restart stores it once. An invoice event carries the invoice as the API shows
   * it, with the status it announces; a credit note's event carries the note.
   */
  static CloudEvent cloudEvent(InvoiceEvent event, Invoice invoice) {
    String account = invoice.finalized().getAccount();
    String data = event.isCreditNote()
        ? InvoiceJson.creditNote(invoice.creditNotes().stream().filter(note -> note.getId().equals(event.id()))
            .findFirst().orElseThrow()).toString()
        : InvoiceJson.of(new Invoice(invoice.finalized(), event.status(),
            event.isFinalized() ? List.of() : invoice.creditNotes())).toString();
    return CloudEvent.newBuilder().setSpecVersion("1.0").setId(event.id())
        .setSource(Platform.BILLING_SOURCE).setType(event.type())
        .putAttributes("subject", AttributeValue.newBuilder().setCeString(account).build())
        .putAttributes("partitionkey", AttributeValue.newBuilder().setCeString(account).build())
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .putAttributes("time", AttributeValue.newBuilder().setCeTimestamp(event.at().toString()).build())
        .setJsonData(data)
        .build();
  }

  // ---- revenue share ----------------------------------------------------------------------

  /** Hands the credits of {@code creditKey} to the child that sends them until they are confirmed. */
  private void sendCredits(String creditKey, List<BillingLedger.Delivery> credits) {
    deliveries.tell(new Deliveries.SendCredits(creditKey, credits));
  }

  private ReplyEffect<BillingEvent, BillingLedger> onCreditRevenue(BillingLedger ledger, CreditRevenue credit) {
    if (ledger.hasCredit(credit.credit())) {
      return Effect().reply(credit.replyTo(), Done.getInstance());
    }
    return Effect().persist(new BillingEvent.RevenueCredited(credit.credit()))
        .thenRun(newState -> analyticsWritten.accept(persistenceId(accountId)))
        .thenReply(credit.replyTo(), newState -> Done.getInstance());
  }

  // ---- credit notes -----------------------------------------------------------------------

  /**
   * A credit note is first accepted ({@code CreditNoteRequested}), then numbered, then issued.
   * Once accepted it is issued whatever happens: a lost numbering reply is asked again, a restart
   * numbers it again, and the numbering gives the same number to the same request. Until it is
   * issued, other credit notes and status changes of the account wait, so a void never slips in
   * between a note's number and the note.
   */
  private ReplyEffect<BillingEvent, BillingLedger> onIssueCreditNote(BillingLedger ledger, IssueCreditNote request,
                                                                    boolean lookInArchive) {
    if (ledger.invoice(request.invoice()).isEmpty() && lookInArchive && ledger.archivedThrough().isAfter(Instant.EPOCH)) {
      return readArchiveFor(request);
    }
    BillingLedger.CreditNoteCheck check = ledger.checkCreditNote(request.invoice(), request.amount(), request.reason(),
        request.idempotencyKey());
    if (check instanceof BillingLedger.CreditNoteCheck.AlreadyIssued issued) {
      return Effect().reply(request.replyTo(), Outcome.created(issued.noteId()));
    }
    if (check instanceof BillingLedger.CreditNoteCheck.Refused refused) {
      return Effect().reply(request.replyTo(), Outcome.refused(refused.code(), refused.message()));
    }
    if (check instanceof BillingLedger.CreditNoteCheck.Busy) {
      return Effect().stash();
    }
    noteWaiters.add(request.replyTo());
    if (check instanceof BillingLedger.CreditNoteCheck.Pending) {
      ledger.pendingCreditNote().ifPresent(this::numberCreditNote);
      return Effect().noReply();
    }
    Money amount = ((BillingLedger.CreditNoteCheck.Allowed) check).amount();
    BillingEvent.CreditNoteRequested requested = new BillingEvent.CreditNoteRequested(request.invoice(), amount,
        request.reason(), request.idempotencyKey(), request.actor(), clock.instant());
    return Effect().persist(requested).thenRun(newState -> numberCreditNote(requested)).thenNoReply();
  }

  private void numberCreditNote(BillingEvent.CreditNoteRequested requested) {
    if (numberingCreditNote) {
      return;
    }
    numberingCreditNote = true;
    actor.pipeToSelf(outside.number(InvoiceNumbering.CREDIT_NOTES, requested.numberingDocument()),
        (number, failure) -> new CreditNoteNumbered(requested, failure == null ? number : null));
  }

  private ReplyEffect<BillingEvent, BillingLedger> onCreditNoteNumbered(BillingLedger ledger, CreditNoteNumbered numbered) {
    numberingCreditNote = false;
    if (!ledger.pendingCreditNote().equals(Optional.of(numbered.request()))) {
      return Effect().noReply();
    }
    if (numbered.number() == null) {
      actor.getLog().warn("numbering the credit note of {} failed; asking again", numbered.request().invoice());
      noteWaiters.forEach(waiter -> waiter.tell(Outcome.refused("unavailable",
          "the credit note is accepted and waits for its number; retry with the same idempotency key")));
      noteWaiters.clear();
      actor.scheduleOnce(NUMBERING_RETRY, actor.getSelf(), new NumberPendingCreditNote());
      return Effect().noReply();
    }
    CreditNoteIssued note = BillingLedger.issue(numbered.request(), numbered.number());
    InvoiceFinalized invoice = ledger.invoice(note.getInvoice()).orElseThrow().finalized();
    List<ActorRef<Outcome>> waiting = List.copyOf(noteWaiters);
    noteWaiters.clear();
    return Effect().persist(new BillingEvent.CreditNoteIssued(note))
        .thenRun(newState -> outside.release(InvoiceNumbering.CREDIT_NOTES, numbered.request().numberingDocument()))
        .thenRun(newState -> sendCredits(note.getId(), newState.noteCreditsFor(invoice, note, clock.millis())))
        .thenRun(this::announceUnannounced)
        .thenRun(newState -> waiting.forEach(waiter -> waiter.tell(Outcome.created(note.getId()))))
        .thenNoReply()
        .thenUnstashAll();
  }

  // ---- wallet and invoice status -----------------------------------------------------------

  private ReplyEffect<BillingEvent, BillingLedger> onTopUp(BillingLedger ledger, TopUp topUp) {
    switch (ledger.checkTopUp(topUp.idempotencyKey(), topUp.amount())) {
      case REPEATED -> {
        return Effect().reply(topUp.replyTo(), Outcome.OK);
      }
      case KEY_REUSED -> {
        return Effect().reply(topUp.replyTo(), Outcome.refused("idempotency_key_reused", "idempotency key "
            + topUp.idempotencyKey() + " was used for a top-up of another amount; a retry repeats its request exactly"));
      }
      case NEW -> { }
    }
    BillingEvent.WalletToppedUp toppedUp = new BillingEvent.WalletToppedUp(topUp.idempotencyKey(), topUp.amount(),
        topUp.actor(), clock.instant());
    return Effect().persist(toppedUp).thenReply(topUp.replyTo(), newState -> Outcome.OK);
  }

  private ReplyEffect<BillingEvent, BillingLedger> onChangeStatus(BillingLedger ledger, ChangeInvoiceStatus change,
                                                                 boolean lookInArchive) {
    if (ledger.pendingCreditNote().isPresent()) {
      return Effect().stash();
    }
    Optional<Invoice> found = ledger.invoice(change.invoice());
    if (found.isEmpty() && lookInArchive && ledger.archivedThrough().isAfter(Instant.EPOCH)) {
      return readArchiveFor(change);
    }
    if (found.isEmpty()) {
      return Effect().reply(change.replyTo(), Outcome.refused("invoice_not_found", "invoice " + change.invoice() + " does not exist"));
    }
    Invoice invoice = found.get();
    if (invoice.status().equals(change.status())) {
      return Effect().reply(change.replyTo(), Outcome.OK);
    }
    if (!invoice.status().equals("finalized")) {
      return Effect().reply(change.replyTo(), Outcome.refused("invoice_" + invoice.status(),
          "invoice " + change.invoice() + " is " + invoice.status() + " and cannot become " + change.status()));
    }
    BillingEvent.InvoiceStatusChanged changed = new BillingEvent.InvoiceStatusChanged(change.invoice(), change.status(),
        change.actor(), clock.instant());
    return Effect().persist(changed).thenRun(newState -> {
      if (change.status().equals("void")) {
        sendCredits(BillingLedger.voidKey(change.invoice()), newState.voidCreditsFor(invoice.finalized(), clock.millis()));
      }
      announceUnannounced(newState);
    }).thenReply(change.replyTo(), newState -> Outcome.OK);
  }

  // ---- snapshots and events -----------------------------------------------------------------

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public SnapshotAdapter<BillingLedger> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(BillingLedger ledger) {
        return ledger.toSnapshot();
      }

      @Override
      public BillingLedger fromJournal(Object stored) {
        return BillingLedger.fromSnapshot(accountId, (BillingSnapshot) stored);
      }
    };
  }

  @Override
  public EventHandler<BillingLedger, BillingEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(BillingLedger::apply);
  }

  /** The journal stores each event as the Protobuf message of its name, as it always did. */
  @Override
  public EventAdapter<BillingEvent, ?> eventAdapter() {
    return new BillingJournal();
  }
}
