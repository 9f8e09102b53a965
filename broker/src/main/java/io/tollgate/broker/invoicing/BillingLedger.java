package io.tollgate.broker.invoicing;

import io.tollgate.billing.Allocation;
import io.tollgate.billing.BillingException;
import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.billing.RevenueShare;
import io.tollgate.billing.RevenueSplit;
import io.tollgate.billing.Wallet;
import io.tollgate.broker.invoicing.AccountBilling.Invoice;
import io.tollgate.broker.invoicing.AccountBilling.Published;
import io.tollgate.broker.invoicing.AccountBilling.UsageReport;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.AlertCrossing;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.PendingInvoiceEvent;
import io.tollgate.protocols.v1.journal.PublishedUsage;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import io.tollgate.protocols.v1.journal.UsageAlert;
import io.tollgate.protocols.v1.journal.WalletBalance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The billing state of one account and its rules, without actors: what its events did
 * ({@link #apply}, a closed set: {@link BillingEvent}), the invoices a period gets ({@link #draftInvoices}), whether a credit note
 * may be issued ({@link #checkCreditNote}), the revenue credits an invoice, a void or a note
 * sends ({@link #creditsFor}), which usage alerts a usage record crosses ({@link #alertsCrossed},
 * the rule in {@link UsageAlerts}), and the snapshot it is stored as. {@link AccountBilling} only
 * sequences: it decides with these methods and persists what they return. Mutated only by
 * {@link #apply}.
 */
public final class BillingLedger {
  /** Wallet credits the broker makes itself and those a client asks for never share a key. */
  static final String INTERNAL_KEY = "tollgate:";
  static final String CLIENT_KEY = "client:";

  private final String accountId;
  private final Map<String, Long> feedPositions = new HashMap<>();
  private final Map<String, Long> publishPositions = new HashMap<>();
  private final Map<String, Map<String, Published>> published = new TreeMap<>();
  private final Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Metered>>> usage = new TreeMap<>();
  private final Map<String, Invoice> invoices = new LinkedHashMap<>();
  /** Credit keys (an invoice, its void, a credit note) that every producer confirmed. */
  private final Set<String> delivered = new HashSet<>();
  /**
   * Credit keys not confirmed yet, each with its invoice, and invoice events not stored yet, by
   * id, in the order they happened: what a restart or a tick sends again, found without a pass
   * over every invoice.
   */
  private final Map<String, String> unconfirmed = new LinkedHashMap<>();
  private final Map<String, InvoiceEvent> unannounced = new LinkedHashMap<>();
  private final Map<String, RevenueCredited> credits = new LinkedHashMap<>();
  private Wallet wallet = Wallet.empty();
  /** Each top-up idempotency key and what it credited, to refuse the key for another amount. */
  private final Map<String, String> topUpPayloads = new HashMap<>();
  private Instant closedThrough = Instant.EPOCH;
  /** The end of the latest period moved to the archive: what the live state no longer holds. */
  private Instant archivedThrough = Instant.EPOCH;
  /** The credit note accepted and not issued yet: at most one per account at a time. */
  private BillingEvent.CreditNoteRequested pendingNote;
  private final UsageAlerts alerts = new UsageAlerts();

  public BillingLedger(String accountId) {
    this.accountId = accountId;
  }

  public String accountId() {
    return accountId;
  }

  // ---- events -----------------------------------------------------------------------------

  /** Applies one event. */
  public BillingLedger apply(BillingEvent event) {
    return event.accept(applier);
  }

  private final BillingEvent.Cases<BillingLedger> applier = new BillingEvent.Cases<>() {
    @Override
    public BillingLedger usageRecorded(BillingEvent.UsageRecorded recorded) {
      feedPositions.put(recorded.subscription(), recorded.sequence());
      if (recorded.usage().units() > 0 || recorded.usage().bytes() > 0) {
        usage.computeIfAbsent(recorded.period(), period -> new HashMap<>())
            .computeIfAbsent(recorded.subscription(), subscription -> new HashMap<>())
            .merge(recorded.segment(), recorded.usage(), Metered::plus);
      }
      return BillingLedger.this;
    }

    @Override
    public BillingLedger publishedRecorded(BillingEvent.PublishedRecorded recorded) {
      publishPositions.put(recorded.partition().persistenceId(), recorded.sequence());
      published.computeIfAbsent(recorded.period(), period -> new TreeMap<>())
          .merge(recorded.partition().topic(), recorded.stored(), Published::plus);
      return BillingLedger.this;
    }

    @Override
    public BillingLedger invoiceFinalized(BillingEvent.InvoiceFinalized finalized) {
      InvoiceFinalized invoice = finalized.invoice();
      invoices.put(invoice.getId(), new Invoice(invoice, "finalized", List.of()));
      wallet = wallet.apply(StoredMoney.of(invoice.getCreditsApplied(), invoice.getCurrency())).after();
      awaitConfirmation(invoice.getId(), invoice.getId());
      awaitAnnouncement(InvoiceEvent.finalized(invoice));
      return BillingLedger.this;
    }

    @Override
    public BillingLedger invoiceAnnounced(BillingEvent.InvoiceAnnounced announcement) {
      unannounced.remove(announcement.eventId());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger revenueDelivered(BillingEvent.RevenueDelivered confirmed) {
      delivered.add(confirmed.creditKey());
      unconfirmed.remove(confirmed.creditKey());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger revenueCredited(BillingEvent.RevenueCredited credited) {
      credits.put(creditKey(credited.credit()), credited.credit());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger walletToppedUp(BillingEvent.WalletToppedUp topUp) {
      wallet = wallet.topUp(CLIENT_KEY + topUp.idempotencyKey(), topUp.amount());
      topUpPayloads.put(topUp.idempotencyKey(), payload(topUp.amount()));
      return BillingLedger.this;
    }

    @Override
    public BillingLedger invoiceStatusChanged(BillingEvent.InvoiceStatusChanged changed) {
      Invoice invoice = invoices.get(changed.invoice());
      invoices.put(changed.invoice(), invoice.withStatus(changed.status()));
      awaitAnnouncement(InvoiceEvent.statusChanged(changed.invoice(), changed.status(), changed.at()));
      if (changed.status().equals("void")) {
        Money refund = voidRefund(invoice);
        if (refund.signum() > 0) {
          wallet = wallet.topUp(INTERNAL_KEY + "void:" + changed.invoice(), refund);
        }
        awaitConfirmation(voidKey(changed.invoice()), changed.invoice());
      }
      return BillingLedger.this;
    }

    @Override
    public BillingLedger creditNoteRequested(BillingEvent.CreditNoteRequested requested) {
      pendingNote = requested;
      return BillingLedger.this;
    }

    @Override
    public BillingLedger creditNoteIssued(BillingEvent.CreditNoteIssued issued) {
      CreditNoteIssued note = issued.note();
      pendingNote = null;
      invoices.computeIfPresent(note.getInvoice(), (id, invoice) -> invoice.withCreditNote(note));
      awaitConfirmation(note.getId(), note.getInvoice());
      awaitAnnouncement(InvoiceEvent.creditNoteIssued(note));
      wallet = wallet.topUp(INTERNAL_KEY + "credit-note:" + note.getId(), StoredMoney.of(note.getAmount(), note.getCurrency()));
      return BillingLedger.this;
    }

    @Override
    public BillingLedger periodsClosed(BillingEvent.PeriodsClosed closed) {
      closedThrough = closed.through();
      alerts.closed(closed.through());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger periodArchived(BillingEvent.PeriodArchived archived) {
      List<Invoice> leaving = invoices.values().stream()
          .filter(invoice -> invoice.finalized().getPeriod().equals(archived.period())).toList();
      for (Invoice invoice : leaving) {
        String id = invoice.finalized().getId();
        invoices.remove(id);
        creditKeys(invoice).forEach(delivered::remove);
      }
      if (archived.periodEnd().isAfter(archivedThrough)) {
        usage.remove(archived.period());
        published.remove(archived.period());
        archivedThrough = archived.periodEnd();
      }
      return BillingLedger.this;
    }

    @Override
    public BillingLedger invoiceReopened(BillingEvent.InvoiceReopened reopened) {
      Invoice invoice = reopened.invoice();
      invoices.put(invoice.finalized().getId(), invoice);
      delivered.addAll(creditKeys(invoice));
      return BillingLedger.this;
    }

    @Override
    public BillingLedger alertCreated(BillingEvent.AlertCreated created) {
      alerts.created(created.alert());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger alertDeleted(BillingEvent.AlertDeleted deleted) {
      alerts.deleted(deleted.alert());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger alertCrossed(BillingEvent.AlertCrossed crossed) {
      alerts.crossed(crossed.crossing());
      return BillingLedger.this;
    }

    @Override
    public BillingLedger alertAnnounced(BillingEvent.AlertAnnounced announced) {
      alerts.announced(announced.eventId());
      return BillingLedger.this;
    }
  };

  // ---- queries ----------------------------------------------------------------------------

  /** How far a usage journal or a topic partition's journal was applied. */
  public long positionOf(String journal) {
    return (PartitionRef.isPersistenceId(journal) ? publishPositions : feedPositions).getOrDefault(journal, 0L);
  }

  /**
   * Every journal the account's billing has applied, by persistence id, with how far: its
   * subscriptions' usage journals and its topics' partition journals. Durable, since each
   * position moves with the event that applies what was read.
   */
  public Map<String, Long> readPositions() {
    Map<String, Long> positions = new HashMap<>(publishPositions);
    feedPositions.forEach((subscription, position) -> positions.put(SubscriptionEntity.persistenceId(subscription), position));
    return positions;
  }

  public Optional<Invoice> invoice(String id) {
    return Optional.ofNullable(invoices.get(id));
  }

  public Wallet wallet() {
    return wallet;
  }

  public Instant closedThrough() {
    return closedThrough;
  }

  public Instant archivedThrough() {
    return archivedThrough;
  }

  // ---- the archive ------------------------------------------------------------------------

  /** A closed and settled period to move to the archive: its name and end. */
  public record Archivable(String period, Instant end) {}

  /**
   * The periods to move to the archive, oldest first: closed (invoiced), and with nothing of
   * theirs waiting to be confirmed. A period archived before comes back only for an invoice that
   * was reopened; usage that arrives for it after it was archived stays live (it was never
   * invoiced, see billing.md on late usage).
   *
   * @param named the period of a name, in the node's scheme
   */
  public List<Archivable> archivable(Function<String, Optional<Period>> named) {
    Set<String> candidates = new TreeSet<>(usage.keySet());
    candidates.addAll(published.keySet());
    invoices.values().forEach(invoice -> candidates.add(invoice.finalized().getPeriod()));
    Set<String> waiting = new HashSet<>(unconfirmed.values());
    unannounced.values().forEach(event -> waiting.add(event.invoice()));
    if (pendingNote != null) {
      waiting.add(pendingNote.invoice());
    }
    List<Archivable> closed = new ArrayList<>();
    candidates.forEach(id -> named.apply(id).filter(period -> !period.end().isAfter(closedThrough))
        .ifPresent(period -> closed.add(new Archivable(id, period.end()))));
    closed.sort(Comparator.comparing(Archivable::end));
    List<Archivable> archivable = new ArrayList<>();
    for (Archivable period : closed) {
      List<Invoice> ofPeriod = invoices.values().stream()
          .filter(invoice -> invoice.finalized().getPeriod().equals(period.period())).toList();
      boolean settled = ofPeriod.stream().noneMatch(invoice -> waiting.contains(invoice.finalized().getId()));
      boolean fresh = period.end().isAfter(archivedThrough);
      if (fresh && !settled) {
        break; // in order, so that what is archived is always everything up to archivedThrough
      }
      if (settled && (fresh || !ofPeriod.isEmpty())) {
        archivable.add(period);
      }
    }
    return archivable;
  }

  /** What the archive stores of a period: its invoices, and its usage unless it was archived before. */
  public ArchivedPeriod archiveOf(Archivable period) {
    ArchivedPeriod.Builder archived = ArchivedPeriod.newBuilder().setPeriod(period.period())
        .setPeriodEndMillis(period.end().toEpochMilli());
    invoices.values().stream().filter(invoice -> invoice.finalized().getPeriod().equals(period.period()))
        .forEach(invoice -> archived.addInvoices(BillingJournal.settled(invoice)));
    if (period.end().isAfter(archivedThrough)) {
      usage.getOrDefault(period.period(), Map.of()).forEach((subscription, bySegment) -> bySegment.forEach((segment, used) ->
          archived.addUsage(used.toProto(period.period(), subscription, segment))));
      published.getOrDefault(period.period(), Map.of()).forEach((topic, totals) -> archived.addPublished(
          PublishedUsage.newBuilder().setPeriod(period.period()).setTopic(topic)
              .setEvents(totals.events()).setBytes(totals.bytes())));
    }
    return archived.build();
  }

  /** Every credit key an invoice has: its own, its void's, its credit notes'. */
  private static List<String> creditKeys(Invoice invoice) {
    List<String> keys = new ArrayList<>();
    keys.add(invoice.finalized().getId());
    if (invoice.status().equals("void")) {
      keys.add(voidKey(invoice.finalized().getId()));
    }
    invoice.creditNotes().forEach(note -> keys.add(note.getId()));
    return keys;
  }

  /** Nothing waits to be confirmed: no credits, no invoice or alert event, no credit note being numbered. */
  public boolean settled() {
    return pendingNote == null && unconfirmed.isEmpty() && unannounced.isEmpty() && alerts.allAnnounced();
  }

  private void awaitConfirmation(String creditKey, String invoiceId) {
    if (!delivered.contains(creditKey)) {
      unconfirmed.put(creditKey, invoiceId);
    }
  }

  private void awaitAnnouncement(InvoiceEvent event) {
    unannounced.put(event.id(), event);
  }

  /** The invoice event of this id, if it is not stored on the invoices topic yet. */
  public Optional<InvoiceEvent> unannounced(String eventId) {
    return Optional.ofNullable(unannounced.get(eventId));
  }

  public boolean isDelivered(String creditKey) {
    return delivered.contains(creditKey);
  }

  public boolean hasCredit(RevenueCredited credit) {
    return credits.containsKey(creditKey(credit));
  }

  /** What a top-up with this idempotency key would be. */
  public enum TopUpCheck { NEW, REPEATED, KEY_REUSED }

  /**
   * A key seen before is the same top-up again when it carries the same amount (or when it was
   * credited before its amount was kept), and another use of the key when it does not.
   */
  public TopUpCheck checkTopUp(String idempotencyKey, Money amount) {
    if (!wallet.hasSeen(CLIENT_KEY + idempotencyKey)) {
      return TopUpCheck.NEW;
    }
    String earlier = topUpPayloads.get(idempotencyKey);
    return earlier == null || earlier.equals(payload(amount)) ? TopUpCheck.REPEATED : TopUpCheck.KEY_REUSED;
  }

  private static String payload(Money amount) {
    return amount.amount().toPlainString() + " " + amount.currency().getCurrencyCode();
  }

  public UsageReport usageReport() {
    Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Metered>>> copy = new TreeMap<>();
    usage.forEach((period, bySubscription) -> {
      Map<String, Map<Invoicing.PlanSegmentKey, Metered>> subscriptions = new HashMap<>();
      bySubscription.forEach((subscription, bySegment) -> subscriptions.put(subscription, Map.copyOf(bySegment)));
      copy.put(period, subscriptions);
    });
    Map<String, Map<String, Published>> publishedCopy = new TreeMap<>();
    published.forEach((period, byTopic) -> publishedCopy.put(period, Map.copyOf(byTopic)));
    return new UsageReport(copy, publishedCopy);
  }

  public AccountBilling.Ledger view() {
    Map<Currency, Money> balances = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
    balances.putAll(wallet.balances());
    return new AccountBilling.Ledger(List.copyOf(invoices.values()), List.copyOf(credits.values()), balances);
  }

  // ---- usage alerts -----------------------------------------------------------------------

  public List<UsageAlert> alerts() {
    return alerts.all();
  }

  public Optional<UsageAlert> alert(String id) {
    return alerts.alert(id);
  }

  /** The crossings of the periods not closed yet. */
  public List<AlertCrossing> alertCrossings() {
    return alerts.crossingsOfOpenPeriods();
  }

  /** Crossings whose event is not stored on the invoices topic yet, in the order they happened. */
  public List<AlertCrossing> unannouncedCrossings() {
    return alerts.unannounced();
  }

  public Optional<AlertCrossing> unannouncedCrossing(String eventId) {
    return alerts.unannounced(eventId);
  }

  /**
   * The alerts that cross in {@code period} once {@code recording} (usage about to be persisted,
   * or none) is counted with what the ledger holds: what that write must persist with it
   * ({@link UsageAlerts} states the rule).
   */
  public List<AlertCrossing> alertsCrossed(Catalog catalog, Period period, List<Catalog.Subscription> subscriptions,
                                           Optional<BillingEvent.UsageRecorded> recording, Instant at) {
    if (alerts.isEmpty()) {
      return List.of();
    }
    return alerts.crossedIn(alerts.all(), period, closedThrough, measure(catalog, period, subscriptions, recording), at);
  }

  /** Whether an alert about to be created crosses in {@code period} with the usage the ledger holds now. */
  public List<AlertCrossing> crossingsOfNew(UsageAlert alert, Catalog catalog, Period period,
                                            List<Catalog.Subscription> subscriptions, Instant at) {
    return alerts.crossedIn(List.of(alert), period, closedThrough,
        measure(catalog, period, subscriptions, Optional.empty()), at);
  }

  /**
   * Units are those of the subscriptions invoices bill (the platform's free invoice feed is not
   * counted); money is the period's running charge as {@link Invoicing#draft} prices it, the
   * upcoming invoice's, in the alert's currency.
   */
  private UsageAlerts.Measure measure(Catalog catalog, Period period, List<Catalog.Subscription> subscriptions,
                                      Optional<BillingEvent.UsageRecorded> recording) {
    List<Catalog.Subscription> billed = subscriptions.stream()
        .filter(subscription -> !subscription.product().equals(Platform.INVOICES_PRODUCT)).toList();
    Invoicing.UsageOf usageOf = (periodId, subscription, segment) -> {
      Metered held = usage.getOrDefault(periodId, Map.of()).getOrDefault(subscription, Map.of())
          .getOrDefault(segment, Metered.NONE);
      return held.plus(recording.filter(r -> r.period().equals(periodId) && r.subscription().equals(subscription)
          && r.segment().equals(segment)).map(BillingEvent.UsageRecorded::usage).orElse(Metered.NONE));
    };
    return new UsageAlerts.Measure() {
      @Override
      public long units(String subscription) {
        return billed.stream().filter(s -> subscription.isEmpty() || s.id().equals(subscription))
            .mapToLong(s -> unitsOf(period.id(), s.id()) + recording
                .filter(r -> r.period().equals(period.id()) && r.subscription().equals(s.id()))
                .map(r -> r.usage().units()).orElse(0L))
            .sum();
      }

      @Override
      public Money charge(String subscription, Currency currency) {
        List<Catalog.Subscription> scope = billed.stream()
            .filter(s -> subscription.isEmpty() || s.id().equals(subscription)).toList();
        return Invoicing.draft(catalog, period, scope, usageOf).lines().stream()
            .map(InvoiceDraft.Line::amount).filter(amount -> amount.currency().equals(currency))
            .reduce(Money.zero(currency), Money::plus);
      }
    };
  }

  /** Units of a subscription in a period, every plan segment together. */
  private long unitsOf(String period, String subscription) {
    return usage.getOrDefault(period, Map.of()).getOrDefault(subscription, Map.of()).values().stream()
        .mapToLong(Metered::units).sum();
  }

  // ---- invoices ---------------------------------------------------------------------------

  /**
   * The invoices of one period not finalized yet, one per currency with anything to bill,
   * without number, credits or finalization time: those are set when each is finalized.
   */
  public List<InvoiceFinalized.Builder> draftInvoices(Catalog catalog, Period period, List<Catalog.Subscription> subscriptions) {
    Map<String, Catalog.Subscription> byId = new HashMap<>();
    subscriptions.forEach(subscription -> byId.put(subscription.id(), subscription));
    InvoiceDraft draft = Invoicing.draft(catalog, period, subscriptions, usageReport());
    Map<Currency, InvoiceFinalized.Builder> byCurrency = new LinkedHashMap<>();
    for (InvoiceDraft.Line line : draft.lines()) {
      Currency currency = line.amount().currency();
      InvoiceFinalized.Builder invoice = byCurrency.computeIfAbsent(currency, c -> InvoiceFinalized.newBuilder()
          .setId(AccountBilling.invoiceId(accountId, period, c)).setAccount(accountId).setPeriod(period.id())
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
          .setRevenueShare(plan.terms().getRevenueShare())
          .setFromMillis(line.from().toEpochMilli()).setToMillis(line.to().toEpochMilli()));
    }
    // A period in which nothing was used and nothing is due gets no invoice.
    return byCurrency.values().stream()
        .filter(invoice -> !invoices.containsKey(invoice.getId()))
        .filter(invoice -> invoice.getLinesList().stream().anyMatch(line -> line.getQuantity() > 0))
        .toList();
  }

  /** The invoice as it is finalized: its number, the wallet credits it consumes, and when. */
  public InvoiceFinalized finalize(InvoiceFinalized.Builder draft, String number, long atMillis) {
    Wallet.Applied credits = wallet.apply(StoredMoney.of(draft.getTotal(), draft.getCurrency()));
    return draft.clone().setNumber(number).setCreditsApplied(credits.applied().toString())
        .setAmountDue(credits.due().toString()).setFinalizedAtMillis(atMillis).build();
  }

  /**
   * What a void gives back to the wallet: the credits the invoice consumed, less what its credit
   * notes already gave back, and never less than zero. The consumer gets back what it paid, once.
   */
  static Money voidRefund(Invoice invoice) {
    Money left = StoredMoney.of(invoice.finalized().getCreditsApplied(), invoice.finalized().getCurrency())
        .minus(invoice.credited());
    return left.signum() > 0 ? left : Money.zero(left.currency());
  }

  // ---- credit notes -----------------------------------------------------------------------

  private static boolean sameRequest(String amountText, String reason, Money amount, String earlierReason) {
    try {
      Money asked = Money.of(amountText, amount.currency());
      return asked.compareTo(amount) == 0 && reason.equals(earlierReason);
    } catch (BillingException e) {
      return false;
    }
  }

  private static CreditNoteCheck keyReused(String idempotencyKey, String note) {
    return new CreditNoteCheck.Refused("idempotency_key_reused", "idempotency key " + idempotencyKey
        + " was used for " + note + " with another amount or reason; a retry repeats its request exactly");
  }

  /** What {@link #checkCreditNote} decided. */
  public sealed interface CreditNoteCheck {
    /** A note with this idempotency key was issued already. */
    record AlreadyIssued(String noteId) implements CreditNoteCheck {}

    record Refused(String code, String message) implements CreditNoteCheck {}

    record Allowed(Money amount) implements CreditNoteCheck {}

    /** This very request was accepted and its note is being numbered. */
    record Pending() implements CreditNoteCheck {}

    /** Another note of the account is being numbered: decide once it is issued. */
    record Busy() implements CreditNoteCheck {}
  }

  /**
   * A request whose idempotency key an earlier note of the invoice carries is that note again
   * when it asks for the same amount with the same reason, and is refused
   * ({@code idempotency_key_reused}) when it does not: a retry must repeat its request exactly.
   */
  public CreditNoteCheck checkCreditNote(String invoiceId, String amountText, String reason, String idempotencyKey) {
    Invoice invoice = invoices.get(invoiceId);
    if (invoice == null) {
      return new CreditNoteCheck.Refused("invoice_not_found", "invoice " + invoiceId + " does not exist");
    }
    String currency = invoice.finalized().getCurrency();
    Optional<CreditNoteIssued> earlier = invoice.creditNotes().stream()
        .filter(note -> note.getIdempotencyKey().equals(idempotencyKey)).findFirst();
    if (earlier.isPresent()) {
      return sameRequest(amountText, reason, StoredMoney.of(earlier.get().getAmount(), currency), earlier.get().getReason())
          ? new CreditNoteCheck.AlreadyIssued(earlier.get().getId()) : keyReused(idempotencyKey, earlier.get().getId());
    }
    if (pendingNote != null) {
      if (!pendingNote.invoice().equals(invoiceId) || !pendingNote.idempotencyKey().equals(idempotencyKey)) {
        return new CreditNoteCheck.Busy();
      }
      return sameRequest(amountText, reason, pendingNote.amount(), pendingNote.reason())
          ? new CreditNoteCheck.Pending() : keyReused(idempotencyKey, "the note being issued");
    }
    if (invoice.status().equals("void")) {
      return new CreditNoteCheck.Refused("invoice_void", "a void invoice cannot be credited");
    }
    Money amount;
    try {
      amount = Money.of(amountText, invoice.finalized().getCurrency());
    } catch (BillingException e) {
      return new CreditNoteCheck.Refused(e.code(), e.getMessage());
    }
    Money creditable = StoredMoney.of(invoice.finalized().getTotal(), invoice.finalized().getCurrency()).minus(invoice.credited());
    if (amount.signum() <= 0 || amount.compareTo(creditable) > 0) {
      return new CreditNoteCheck.Refused("credit_exceeds_invoice",
          "a credit note is more than zero and at most what the invoice has left to credit: " + creditable);
    }
    return new CreditNoteCheck.Allowed(amount);
  }

  public Optional<BillingEvent.CreditNoteRequested> pendingCreditNote() {
    return Optional.ofNullable(pendingNote);
  }

  /** The note a request becomes once it has its number. */
  static CreditNoteIssued issue(BillingEvent.CreditNoteRequested requested, String number) {
    return CreditNoteIssued.newBuilder()
        .setId("cn_" + number.toLowerCase(Locale.ROOT).replace("-", "_"))
        .setNumber(number).setInvoice(requested.invoice())
        .setCurrency(requested.amount().currency().getCurrencyCode()).setAmount(requested.amount().toString())
        .setReason(requested.reason()).setIdempotencyKey(requested.idempotencyKey()).setActor(requested.actor())
        .setAtMillis(requested.at().toEpochMilli()).build();
  }

  // ---- revenue credits --------------------------------------------------------------------

  /** A credit to send to the producer that owns the subscription's product. */
  public record Delivery(String producer, RevenueCredited credit) {}

  /** A credit key whose deliveries are not all confirmed yet. */
  public record Undelivered(String creditKey, List<Delivery> deliveries) {}

  /**
   * The credits a finalized invoice sends: one per subscription, its charge split line by line by
   * the revenue share of the plan each line bills, so a subscription that changed plan in the
   * period is split by each plan's share.
   */
  public List<Delivery> creditsFor(InvoiceFinalized invoice, long atMillis) {
    return deliveries(invoice, invoice.getId(), splits(invoice, chargesByShare(invoice)), atMillis);
  }

  /**
   * The credits a void sends: exactly what is still credited for the invoice, its credit less its
   * credit notes' reversals, part by part, taken back; so the producer nets zero to the cent.
   */
  public List<Delivery> voidCreditsFor(InvoiceFinalized invoice, long atMillis) {
    Map<String, Parts> left = splits(invoice, chargesByShare(invoice));
    for (CreditNoteIssued note : invoice(invoice.getId()).map(Invoice::creditNotes).orElse(List.of())) {
      noteSplits(invoice, note).forEach((subscription, parts) -> left.merge(subscription, parts, Parts::plus));
    }
    left.replaceAll((subscription, parts) -> parts.negated());
    return deliveries(invoice, voidKey(invoice.getId()), left, atMillis);
  }

  /**
   * The credits a credit note sends: its amount spread over the invoice's lines in proportion to
   * their charges ({@link Allocation}, no cent on a line that charged nothing), each part split by
   * its line's share, taken back.
   */
  public List<Delivery> noteCreditsFor(InvoiceFinalized invoice, CreditNoteIssued note, long atMillis) {
    return deliveries(invoice, note.getId(), noteSplits(invoice, note), atMillis);
  }

  /** Every credit key of the account's invoices that is not confirmed: after a restart, on a tick. */
  public List<Undelivered> undelivered(long atMillis) {
    List<Undelivered> pending = new ArrayList<>();
    unconfirmed.forEach((creditKey, invoiceId) -> {
      Invoice invoice = invoices.get(invoiceId);
      InvoiceFinalized finalized = invoice.finalized();
      if (creditKey.equals(invoiceId)) {
        pending.add(new Undelivered(creditKey, creditsFor(finalized, atMillis)));
      } else if (creditKey.equals(voidKey(invoiceId))) {
        pending.add(new Undelivered(creditKey, voidCreditsFor(finalized, atMillis)));
      } else {
        invoice.creditNotes().stream().filter(note -> note.getId().equals(creditKey)).findFirst().ifPresent(note ->
            pending.add(new Undelivered(creditKey, noteCreditsFor(finalized, note, atMillis))));
      }
    });
    return pending;
  }

  /** Invoice events not stored on the invoices topic yet, in the order they happened. */
  public List<InvoiceEvent> unannounced() {
    return List.copyOf(unannounced.values());
  }

  static String voidKey(String invoiceId) {
    return invoiceId + ":void";
  }

  static String creditKey(RevenueCredited credit) {
    return credit.getInvoice() + "|" + credit.getSubscription();
  }

  /** A charge and its two parts; {@code producerShare + platformFee == charge}. */
  private record Parts(Money charge, Money producerShare, Money platformFee) {
    static Parts of(RevenueSplit split) {
      return new Parts(split.charge(), split.producerShare(), split.platformFee());
    }

    Parts plus(Parts other) {
      return new Parts(charge.plus(other.charge), producerShare.plus(other.producerShare), platformFee.plus(other.platformFee));
    }

    Parts negated() {
      Money zero = Money.zero(charge.currency());
      return new Parts(zero.minus(charge), zero.minus(producerShare), zero.minus(platformFee));
    }
  }

  /** The lines of one subscription under one revenue share. */
  private record ShareOfSubscription(String subscription, String revenueShare) {}

  /** What the invoice charged per (subscription, revenue share), in the invoice's order. */
  private static Map<ShareOfSubscription, Money> chargesByShare(InvoiceFinalized invoice) {
    Map<ShareOfSubscription, Money> charges = new LinkedHashMap<>();
    for (InvoiceLine line : invoice.getLinesList()) {
      charges.merge(new ShareOfSubscription(line.getSubscription(), line.getRevenueShare()),
          StoredMoney.of(line.getAmount(), invoice.getCurrency()), Money::plus);
    }
    return charges;
  }

  /** Each charge split by its share, added up per subscription. */
  private static Map<String, Parts> splits(InvoiceFinalized invoice, Map<ShareOfSubscription, Money> charges) {
    Map<String, Parts> bySubscription = new LinkedHashMap<>();
    charges.forEach((share, charge) -> bySubscription.merge(share.subscription(),
        Parts.of(RevenueSplit.of(charge, RevenueShare.of(share.revenueShare()))), Parts::plus));
    return bySubscription;
  }

  /** A note's amount spread over the invoice's charges, split, added up per subscription, taken back. */
  private static Map<String, Parts> noteSplits(InvoiceFinalized invoice, CreditNoteIssued note) {
    Map<ShareOfSubscription, Money> charges = chargesByShare(invoice);
    List<Money> parts = Allocation.proportional(StoredMoney.of(note.getAmount(), note.getCurrency()),
        List.copyOf(charges.values()));
    Map<ShareOfSubscription, Money> byParts = new LinkedHashMap<>();
    int i = 0;
    for (ShareOfSubscription share : charges.keySet()) {
      byParts.put(share, parts.get(i++));
    }
    Map<String, Parts> split = splits(invoice, byParts);
    split.replaceAll((subscription, p) -> p.negated());
    return split;
  }

  private static List<Delivery> deliveries(InvoiceFinalized invoice, String creditKey, Map<String, Parts> bySubscription,
                                           long atMillis) {
    Map<String, String> producers = new LinkedHashMap<>();
    invoice.getLinesList().forEach(line -> producers.putIfAbsent(line.getSubscription(), line.getProducer()));
    List<Delivery> deliveries = new ArrayList<>();
    bySubscription.forEach((subscription, parts) -> deliveries.add(new Delivery(producers.get(subscription),
        RevenueCredited.newBuilder().setInvoice(creditKey).setSubscription(subscription)
            .setConsumer(invoice.getAccount()).setPeriod(invoice.getPeriod()).setCurrency(invoice.getCurrency())
            .setCharge(parts.charge().toString()).setProducerShare(parts.producerShare().toString())
            .setPlatformFee(parts.platformFee().toString()).setAtMillis(atMillis).build())));
    return deliveries;
  }

  // ---- snapshots --------------------------------------------------------------------------

  public BillingSnapshot toSnapshot() {
    BillingSnapshot.Builder snapshot = BillingSnapshot.newBuilder().putAllFeedPositions(feedPositions)
        .putAllPublishPositions(publishPositions)
        .addAllCredits(credits.values()).addAllTopUpKeys(wallet.topUpKeys())
        .setClosedThroughMillis(closedThrough.toEpochMilli())
        .addAllDeliveredCreditKeys(new TreeSet<>(delivered))
        .setArchivedThroughMillis(archivedThrough.toEpochMilli())
        .putAllTopUpPayloads(topUpPayloads);
    if (pendingNote != null) {
      snapshot.setPendingCreditNote(BillingJournal.creditNoteRequested(pendingNote));
    }
    alerts.addTo(snapshot);
    published.forEach((period, byTopic) -> byTopic.forEach((topic, totals) -> snapshot.addPublished(
        PublishedUsage.newBuilder().setPeriod(period).setTopic(topic).setEvents(totals.events()).setBytes(totals.bytes()))));
    usage.forEach((period, bySubscription) -> bySubscription.forEach((subscription, bySegment) ->
        bySegment.forEach((segment, used) -> snapshot.addUsage(used.toProto(period, subscription, segment)))));
    invoices.forEach((id, invoice) -> snapshot.addInvoices(SnapshotInvoice.newBuilder()
        .setInvoice(invoice.finalized()).setStatus(invoice.status()).addAllCreditNotes(invoice.creditNotes())
        .setAnnounced(!unannounced.containsKey(id))
        .addAllUnannouncedEvents(unannounced.values().stream()
            .filter(event -> event.invoice().equals(id) && !event.isFinalized())
            .map(event -> PendingInvoiceEvent.newBuilder().setId(event.id()).setType(event.type())
                .setAtMillis(event.at().toEpochMilli()).build()).toList())
        .setRevenueDelivered(delivered.contains(id))));
    wallet.balances().forEach((currency, amount) -> snapshot.addWallet(
        WalletBalance.newBuilder().setCurrency(currency.getCurrencyCode()).setAmount(amount.toString())));
    return snapshot.build();
  }

  public static BillingLedger fromSnapshot(String accountId, BillingSnapshot snapshot) {
    BillingLedger ledger = new BillingLedger(accountId);
    ledger.feedPositions.putAll(snapshot.getFeedPositionsMap());
    ledger.publishPositions.putAll(snapshot.getPublishPositionsMap());
    snapshot.getUsageList().forEach(usage -> ledger.usage.computeIfAbsent(usage.getPeriod(), p -> new HashMap<>())
        .computeIfAbsent(usage.getSubscription(), s -> new HashMap<>())
        .put(Metered.segmentOf(usage), Metered.of(usage)));
    snapshot.getInvoicesList().forEach(invoice -> {
      String id = invoice.getInvoice().getId();
      ledger.invoices.put(id, new Invoice(invoice.getInvoice(), invoice.getStatus(), List.copyOf(invoice.getCreditNotesList())));
      if (invoice.getRevenueDelivered()) {
        ledger.delivered.add(id);
      }
      if (!invoice.getAnnounced()) {
        ledger.awaitAnnouncement(InvoiceEvent.finalized(invoice.getInvoice()));
      }
      invoice.getUnannouncedEventsList().forEach(event -> ledger.awaitAnnouncement(
          new InvoiceEvent(event.getId(), id, event.getType(), Instant.ofEpochMilli(event.getAtMillis()))));
    });
    ledger.delivered.addAll(snapshot.getDeliveredCreditKeysList());
    ledger.invoices.values().forEach(invoice -> {
      String id = invoice.finalized().getId();
      ledger.awaitConfirmation(id, id);
      if (invoice.status().equals("void")) {
        ledger.awaitConfirmation(voidKey(id), id);
      }
      invoice.creditNotes().forEach(note -> ledger.awaitConfirmation(note.getId(), id));
    });
    if (snapshot.hasPendingCreditNote()) {
      ledger.pendingNote = BillingJournal.creditNoteRequested(snapshot.getPendingCreditNote());
    }
    snapshot.getCreditsList().forEach(credit -> ledger.credits.put(creditKey(credit), credit));
    Map<Currency, Money> balances = new HashMap<>();
    snapshot.getWalletList().forEach(balance ->
        balances.put(Currency.getInstance(balance.getCurrency()), StoredMoney.of(balance.getAmount(), balance.getCurrency())));
    ledger.wallet = new Wallet(balances, Set.copyOf(snapshot.getTopUpKeysList()));
    ledger.topUpPayloads.putAll(snapshot.getTopUpPayloadsMap());
    ledger.closedThrough = Instant.ofEpochMilli(snapshot.getClosedThroughMillis());
    ledger.archivedThrough = Instant.ofEpochMilli(snapshot.getArchivedThroughMillis());
    ledger.alerts.readFrom(snapshot);
    snapshot.getPublishedList().forEach(published -> ledger.published
        .computeIfAbsent(published.getPeriod(), period -> new TreeMap<>())
        .put(published.getTopic(), new Published(published.getEvents(), published.getBytes())));
    return ledger;
  }
}
