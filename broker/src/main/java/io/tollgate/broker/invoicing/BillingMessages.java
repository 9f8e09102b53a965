package io.tollgate.broker.invoicing;

import io.tollgate.broker.error.Rejection;
import io.tollgate.billing.Money;
import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.ArchivePeriodRequest;
import io.tollgate.protocols.v1.cluster.AssignNumberRequest;
import io.tollgate.protocols.v1.cluster.AssignedNumber;
import io.tollgate.protocols.v1.cluster.CatchUpRequest;
import io.tollgate.protocols.v1.cluster.ClosePeriodsRequest;
import io.tollgate.protocols.v1.cluster.CloseStatus;
import io.tollgate.protocols.v1.cluster.CreateAlertRequest;
import io.tollgate.protocols.v1.cluster.CreditRevenueRequest;
import io.tollgate.protocols.v1.cluster.DeleteAlertRequest;
import io.tollgate.protocols.v1.cluster.InvoiceStatusRequest;
import io.tollgate.protocols.v1.cluster.IssueCreditNoteRequest;
import io.tollgate.protocols.v1.cluster.JournalPositions;
import io.tollgate.protocols.v1.cluster.Outcome;
import io.tollgate.protocols.v1.cluster.PublishesWrittenRequest;
import io.tollgate.protocols.v1.cluster.RecordPublishedRequest;
import io.tollgate.protocols.v1.cluster.RecordUsageRequest;
import io.tollgate.protocols.v1.cluster.ReleaseNumberRequest;
import io.tollgate.protocols.v1.cluster.TopUpRequest;
import io.tollgate.protocols.v1.cluster.UsageReport;
import io.tollgate.protocols.v1.journal.AlertAnnounced;
import io.tollgate.protocols.v1.journal.AlertCreated;
import io.tollgate.protocols.v1.journal.AlertCrossed;
import io.tollgate.protocols.v1.journal.AlertDeleted;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingArchiveSnapshot;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CreditNoteRequested;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceReopened;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.NumberAssigned;
import io.tollgate.protocols.v1.journal.NumberingSnapshot;
import io.tollgate.protocols.v1.journal.NumberReleased;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import io.tollgate.protocols.v1.journal.PeriodArchived;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.PublishedUsage;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import io.tollgate.protocols.v1.journal.UsageAlertList;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletBalance;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the billing entities journal and send across nodes, each with its manifest and its
 * Protobuf form (cluster.proto, journal.proto). A new message is one more entry here.
 */
public final class BillingMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(UsageRecorded.getDefaultInstance()),
      MessageCodec.stored(BillingSnapshot.getDefaultInstance()),
      MessageCodec.stored(InvoiceFinalized.getDefaultInstance()),
      MessageCodec.stored(RevenueDelivered.getDefaultInstance()),
      MessageCodec.stored(RevenueCredited.getDefaultInstance()),
      MessageCodec.stored(WalletToppedUp.getDefaultInstance()),
      MessageCodec.stored(InvoiceStatusChanged.getDefaultInstance()),
      MessageCodec.stored(PeriodsClosed.getDefaultInstance()),
      MessageCodec.stored(NumberAssigned.getDefaultInstance()),
      MessageCodec.stored(CreditNoteIssued.getDefaultInstance()),
      MessageCodec.stored(CreditNoteRequested.getDefaultInstance()),
      MessageCodec.stored(InvoiceAnnounced.getDefaultInstance()),
      MessageCodec.stored(PublishedRecorded.getDefaultInstance()),
      MessageCodec.stored(NumberingSnapshot.getDefaultInstance()),
      MessageCodec.stored(NumberReleased.getDefaultInstance()),
      MessageCodec.stored(PeriodArchived.getDefaultInstance()),
      MessageCodec.stored(InvoiceReopened.getDefaultInstance()),
      MessageCodec.stored(ArchivedPeriod.getDefaultInstance()),
      MessageCodec.stored(BillingArchiveSnapshot.getDefaultInstance()),
      MessageCodec.stored(AlertCreated.getDefaultInstance()),
      MessageCodec.stored(AlertDeleted.getDefaultInstance()),
      MessageCodec.stored(AlertCrossed.getDefaultInstance()),
      MessageCodec.stored(AlertAnnounced.getDefaultInstance()),
      MessageCodec.of("CreateAlert", AccountBilling.CreateAlert.class, CreateAlertRequest.parser(),
          (create, refs) -> CreateAlertRequest.newBuilder().setAlert(create.alert().toAlert())
              .setReplyTo(refs.text(create.replyTo())).build(),
          (request, refs) -> new AccountBilling.CreateAlert(NewAlert.of(request.getAlert()), refs.ref(request.getReplyTo()))),
      MessageCodec.of("DeleteAlert", AccountBilling.DeleteAlert.class, DeleteAlertRequest.parser(),
          (delete, refs) -> DeleteAlertRequest.newBuilder().setAlert(delete.alert())
              .setReplyTo(refs.text(delete.replyTo())).build(),
          (request, refs) -> new AccountBilling.DeleteAlert(request.getAlert(), refs.ref(request.getReplyTo()))),
      MessageCodec.replyOnly("BillingReadPositionsRequest", AccountBilling.GetReadPositions.class,
          AccountBilling.GetReadPositions::replyTo, AccountBilling.GetReadPositions::new),
      MessageCodec.of("BillingReadPositions", AccountBilling.Positions.class, JournalPositions.parser(),
          (positions, refs) -> JournalPositions.newBuilder().putAllPositions(positions.byJournal()).build(),
          (proto, refs) -> new AccountBilling.Positions(Map.copyOf(proto.getPositionsMap()))),
      MessageCodec.replyOnly("GetAlerts", AccountBilling.GetAlerts.class, AccountBilling.GetAlerts::replyTo,
          AccountBilling.GetAlerts::new),
      MessageCodec.of("Alerts", AccountBilling.Alerts.class, UsageAlertList.parser(),
          (alerts, refs) -> UsageAlertList.newBuilder().addAllAlerts(alerts.alerts())
              .addAllCrossings(alerts.crossings()).build(),
          (list, refs) -> new AccountBilling.Alerts(List.copyOf(list.getAlertsList()),
              List.copyOf(list.getCrossingsList()))),
      MessageCodec.of("ArchivePeriod", BillingArchive.Store.class, ArchivePeriodRequest.parser(),
          (store, refs) -> ArchivePeriodRequest.newBuilder().setPeriod(store.period())
              .setReplyTo(refs.text(store.replyTo())).build(),
          (request, refs) -> new BillingArchive.Store(request.getPeriod(), refs.ref(request.getReplyTo()))),
      MessageCodec.replyOnly("ReadArchive", BillingArchive.Read.class, BillingArchive.Read::replyTo,
          BillingArchive.Read::new),
      MessageCodec.of("RecordUsage", AccountBilling.RecordUsage.class, RecordUsageRequest.parser(),
          (record, refs) -> RecordUsageRequest.newBuilder().setUsage(record.usage())
              .setReplyTo(refs.text(record.replyTo())).build(),
          (request, refs) -> new AccountBilling.RecordUsage(request.getUsage(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("RecordPublished", AccountBilling.RecordPublished.class, RecordPublishedRequest.parser(),
          (record, refs) -> RecordPublishedRequest.newBuilder().setPublished(record.published())
              .setReplyTo(refs.text(record.replyTo())).build(),
          (request, refs) -> new AccountBilling.RecordPublished(request.getPublished(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("PublishesWritten", AccountBilling.PublishesWritten.class, PublishesWrittenRequest.parser(),
          (written, refs) -> PublishesWrittenRequest.newBuilder().addAllEntries(written.entries()).build(),
          (request, refs) -> new AccountBilling.PublishesWritten(request.getEntriesList())),
      MessageCodec.of("CatchUp", AccountBilling.CatchUp.class, CatchUpRequest.parser(),
          (catchUp, refs) -> catchUpRequest(catchUp, refs.text(catchUp.replyTo())),
          (request, refs) -> new AccountBilling.CatchUp(subscriptionsOf(request), refs.ref(request.getReplyTo()))),
      MessageCodec.replyOnly("GetUsage", AccountBilling.GetUsage.class, AccountBilling.GetUsage::replyTo,
          AccountBilling.GetUsage::new),
      MessageCodec.of("UsageReport", AccountBilling.UsageReport.class, UsageReport.parser(),
          (report, refs) -> usageReport(report), (report, refs) -> usageReport(report)),
      MessageCodec.of("ClosePeriods", AccountBilling.ClosePeriods.class, ClosePeriodsRequest.parser(),
          (close, refs) -> ClosePeriodsRequest.newBuilder().setCatalogVersion(close.catalogVersion())
              .setReplyTo(refs.text(close.replyTo())).build(),
          (request, refs) -> new AccountBilling.ClosePeriods(request.getCatalogVersion(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("CloseStatus", AccountBilling.CloseStatus.class, CloseStatus.parser(),
          (status, refs) -> CloseStatus.newBuilder().setAccount(status.account())
              .setClosedThroughMillis(status.closedThrough().toEpochMilli()).setSettled(status.settled()).build(),
          (status, refs) -> new AccountBilling.CloseStatus(status.getAccount(),
              Instant.ofEpochMilli(status.getClosedThroughMillis()), status.getSettled())),
      MessageCodec.of("CreditRevenue", AccountBilling.CreditRevenue.class, CreditRevenueRequest.parser(),
          (credit, refs) -> CreditRevenueRequest.newBuilder().setCredit(credit.credit())
              .setReplyTo(refs.text(credit.replyTo())).build(),
          (request, refs) -> new AccountBilling.CreditRevenue(request.getCredit(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("TopUp", AccountBilling.TopUp.class, TopUpRequest.parser(),
          (topUp, refs) -> TopUpRequest.newBuilder().setTopUp(WalletToppedUp.newBuilder()
                  .setIdempotencyKey(topUp.idempotencyKey()).setCurrency(topUp.amount().currency().getCurrencyCode())
                  .setAmount(topUp.amount().toString()).setActor(topUp.actor()))
              .setReplyTo(refs.text(topUp.replyTo())).build(),
          (request, refs) -> new AccountBilling.TopUp(request.getTopUp().getIdempotencyKey(),
              Money.of(request.getTopUp().getAmount(), request.getTopUp().getCurrency()), request.getTopUp().getActor(),
              refs.ref(request.getReplyTo()))),
      MessageCodec.of("ChangeInvoiceStatus", AccountBilling.ChangeInvoiceStatus.class, InvoiceStatusRequest.parser(),
          (change, refs) -> InvoiceStatusRequest.newBuilder().setInvoice(change.invoice()).setStatus(change.status())
              .setActor(change.actor()).setReplyTo(refs.text(change.replyTo())).build(),
          (request, refs) -> new AccountBilling.ChangeInvoiceStatus(request.getInvoice(), request.getStatus(),
              request.getActor(), refs.ref(request.getReplyTo()))),
      MessageCodec.replyOnly("GetLedger", AccountBilling.GetLedger.class, AccountBilling.GetLedger::replyTo,
          AccountBilling.GetLedger::new),
      MessageCodec.of("Ledger", AccountBilling.Ledger.class, BillingSnapshot.parser(),
          (ledger, refs) -> ledger(ledger), (snapshot, refs) -> ledger(snapshot)),
      MessageCodec.of("Outcome", AccountBilling.Outcome.class, Outcome.parser(),
          (outcome, refs) -> Outcome.newBuilder().setErrorCode(outcome.ok() ? "" : outcome.rejection().code())
              .setErrorMessage(outcome.ok() ? "" : outcome.rejection().message())
              .setCreated(outcome.created() == null ? "" : outcome.created()).build(),
          (outcome, refs) -> new AccountBilling.Outcome(outcome.getErrorCode().isEmpty() ? null
              : new Rejection(outcome.getErrorCode(), outcome.getErrorMessage()),
              outcome.getCreated().isEmpty() ? null : outcome.getCreated())),
      MessageCodec.of("IssueCreditNote", AccountBilling.IssueCreditNote.class, IssueCreditNoteRequest.parser(),
          (issue, refs) -> IssueCreditNoteRequest.newBuilder().setInvoice(issue.invoice()).setAmount(issue.amount())
              .setReason(issue.reason()).setIdempotencyKey(issue.idempotencyKey()).setActor(issue.actor())
              .setReplyTo(refs.text(issue.replyTo())).build(),
          (request, refs) -> new AccountBilling.IssueCreditNote(request.getInvoice(), request.getAmount(),
              request.getReason(), request.getIdempotencyKey(), request.getActor(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("AssignNumber", InvoiceNumbering.Assign.class, AssignNumberRequest.parser(),
          (assign, refs) -> AssignNumberRequest.newBuilder().setDocument(assign.document())
              .setReplyTo(refs.text(assign.replyTo())).build(),
          (request, refs) -> new InvoiceNumbering.Assign(request.getDocument(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("ReleaseNumber", InvoiceNumbering.Release.class, ReleaseNumberRequest.parser(),
          (release, refs) -> ReleaseNumberRequest.newBuilder().setDocument(release.document())
              .setReplyTo(refs.text(release.replyTo())).build(),
          (request, refs) -> new InvoiceNumbering.Release(request.getDocument(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("AssignedNumber", InvoiceNumbering.AssignedNumber.class, AssignedNumber.parser(),
          (assigned, refs) -> AssignedNumber.newBuilder().setNumber(assigned.number()).build(),
          (assigned, refs) -> new InvoiceNumbering.AssignedNumber(assigned.getNumber())));

  private BillingMessages() {}

  private static UsageReport usageReport(AccountBilling.UsageReport report) {
    UsageReport.Builder proto = UsageReport.newBuilder();
    report.byPeriod().forEach((period, bySubscription) -> bySubscription.forEach((subscription, bySegment) ->
        bySegment.forEach((segment, used) -> proto.addUsage(used.toProto(period, subscription, segment)))));
    report.published().forEach((period, byTopic) -> byTopic.forEach((topic, totals) -> proto.addPublished(
        PublishedUsage.newBuilder().setPeriod(period).setTopic(topic)
            .setEvents(totals.events()).setBytes(totals.bytes()))));
    return proto.build();
  }

  private static AccountBilling.UsageReport usageReport(UsageReport report) {
    Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Metered>>> byPeriod = new TreeMap<>();
    for (PeriodUsage usage : report.getUsageList()) {
      byPeriod.computeIfAbsent(usage.getPeriod(), p -> new HashMap<>())
          .computeIfAbsent(usage.getSubscription(), s -> new HashMap<>())
          .put(Metered.segmentOf(usage), Metered.of(usage));
    }
    Map<String, Map<String, AccountBilling.Published>> published = new TreeMap<>();
    for (PublishedUsage usage : report.getPublishedList()) {
      published.computeIfAbsent(usage.getPeriod(), p -> new TreeMap<>())
          .put(usage.getTopic(), new AccountBilling.Published(usage.getEvents(), usage.getBytes()));
    }
    return new AccountBilling.UsageReport(byPeriod, published);
  }

  private static BillingSnapshot ledger(AccountBilling.Ledger ledger) {
    BillingSnapshot.Builder proto = BillingSnapshot.newBuilder().addAllCredits(ledger.credits());
    ledger.invoices().forEach(invoice -> proto.addInvoices(SnapshotInvoice.newBuilder()
        .setInvoice(invoice.finalized()).setStatus(invoice.status()).addAllCreditNotes(invoice.creditNotes())));
    ledger.wallet().forEach((currency, amount) -> proto.addWallet(
        WalletBalance.newBuilder().setCurrency(currency.getCurrencyCode()).setAmount(amount.toString())));
    return proto.build();
  }

  private static AccountBilling.Ledger ledger(BillingSnapshot proto) {
    Map<Currency, Money> wallet = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
    proto.getWalletList().forEach(balance -> wallet.put(Currency.getInstance(balance.getCurrency()),
        StoredMoney.of(balance.getAmount(), balance.getCurrency())));
    return new AccountBilling.Ledger(
        proto.getInvoicesList().stream().map(invoice -> new AccountBilling.Invoice(invoice.getInvoice(),
            invoice.getStatus(), List.copyOf(invoice.getCreditNotesList()))).toList(),
        proto.getCreditsList(), wallet);
  }

  /** One subscription goes in the field every release reads; several in the list. */
  private static CatchUpRequest catchUpRequest(AccountBilling.CatchUp catchUp, String replyTo) {
    CatchUpRequest.Builder request = CatchUpRequest.newBuilder().setReplyTo(replyTo);
    if (catchUp.subscriptions().size() == 1) {
      request.setSubscription(catchUp.subscriptions().get(0));
    } else {
      request.addAllSubscriptions(catchUp.subscriptions());
    }
    return request.build();
  }

  private static List<String> subscriptionsOf(CatchUpRequest request) {
    if (request.getSubscriptionsCount() > 0) {
      return List.copyOf(request.getSubscriptionsList());
    }
    return request.getSubscription().isEmpty() ? List.of() : List.of(request.getSubscription());
  }
}
