package io.tollgate.broker.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.MessageLite;
import io.tollgate.broker.billing.AccountBilling;
import io.tollgate.broker.billing.InvoiceNumbering;
import io.tollgate.broker.billing.Invoicing;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.Rejection;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.topic.AckPoint;
import io.tollgate.broker.topic.PartitionRef;
import io.tollgate.broker.topic.StoredPosition;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.cluster.AckRange;
import io.tollgate.protocols.v1.cluster.AdvanceCursorsRequest;
import io.tollgate.protocols.v1.cluster.CursorsCommittedReply;
import io.tollgate.protocols.v1.cluster.AppendReply;
import io.tollgate.protocols.v1.cluster.AssignNumberRequest;
import io.tollgate.protocols.v1.cluster.AssignedNumber;
import io.tollgate.protocols.v1.cluster.CreditRevenueRequest;
import io.tollgate.protocols.v1.cluster.InvoiceStatusRequest;
import io.tollgate.protocols.v1.cluster.IssueCreditNoteRequest;
import io.tollgate.protocols.v1.cluster.Outcome;
import io.tollgate.protocols.v1.cluster.TopUpRequest;
import io.tollgate.protocols.v1.cluster.AppendRequest;
import io.tollgate.protocols.v1.cluster.AttachRequest;
import io.tollgate.protocols.v1.cluster.Attached;
import io.tollgate.protocols.v1.cluster.CatalogReply;
import io.tollgate.protocols.v1.cluster.CatalogRequest;
import io.tollgate.protocols.v1.cluster.CatchUpRequest;
import io.tollgate.protocols.v1.cluster.RecordUsageRequest;
import io.tollgate.protocols.v1.cluster.UsageReport;
import io.tollgate.protocols.v1.cluster.Detach;
import io.tollgate.protocols.v1.cluster.ReplyOnlyRequest;
import io.tollgate.protocols.v1.cluster.SessionSignal;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.NumberAssigned;
import io.tollgate.protocols.v1.journal.NumberingSnapshot;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import io.tollgate.protocols.v1.journal.WalletBalance;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import io.tollgate.protocols.v1.journal.SubscriptionSnapshot;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Protobuf for everything the broker journals and everything its actors send each other.
 * Manifests are short stable names, never class names, so classes can be renamed or moved
 * without breaking stored data. Journal events are the generated Protobuf messages
 * themselves; commands are records mapped here to their cluster.proto form.
 */
public final class BrokerSerializer extends SerializerWithStringManifest {
  /** Fixed forever: stored data names the serializer by this number. */
  public static final int IDENTIFIER = 7_300_001;

  /**
   * Journal events and snapshots, and cluster messages that are Protobuf messages themselves
   * (PartitionAdvanced), are serialized as they are, named by their message name.
   */
  private static final Map<String, Parser<? extends MessageLite>> STORED = Map.ofEntries(
      stored(EventsAppended.getDefaultInstance()), stored(PartitionSnapshot.getDefaultInstance()),
      stored(CatalogChange.getDefaultInstance()), stored(CursorsAdvanced.getDefaultInstance()),
      stored(SubscriptionSnapshot.getDefaultInstance()), stored(UsageRecorded.getDefaultInstance()),
      stored(BillingSnapshot.getDefaultInstance()), stored(InvoiceFinalized.getDefaultInstance()),
      stored(RevenueDelivered.getDefaultInstance()), stored(RevenueCredited.getDefaultInstance()),
      stored(WalletToppedUp.getDefaultInstance()), stored(InvoiceStatusChanged.getDefaultInstance()),
      stored(PeriodsClosed.getDefaultInstance()), stored(NumberAssigned.getDefaultInstance()),
      stored(io.tollgate.protocols.v1.journal.CreditNoteIssued.getDefaultInstance()),
      stored(io.tollgate.protocols.v1.journal.CreditNoteRequested.getDefaultInstance()),
      stored(io.tollgate.protocols.v1.journal.InvoiceAnnounced.getDefaultInstance()),
      stored(io.tollgate.protocols.v1.journal.PublishedRecorded.getDefaultInstance()),
      stored(NumberingSnapshot.getDefaultInstance()),
      stored(io.tollgate.protocols.v1.cluster.PartitionAdvanced.getDefaultInstance()));

  private static Map.Entry<String, Parser<? extends MessageLite>> stored(Message prototype) {
    return Map.entry(prototype.getDescriptorForType().getName(), prototype.getParserForType());
  }

  private static final String APPEND = "Append";
  private static final String CLOSE_PERIODS = "ClosePeriods";
  private static final String CREDIT_REVENUE = "CreditRevenue";
  private static final String TOP_UP = "TopUp";
  private static final String CHANGE_INVOICE_STATUS = "ChangeInvoiceStatus";
  private static final String GET_LEDGER = "GetLedger";
  private static final String LEDGER = "Ledger";
  private static final String OUTCOME = "Outcome";
  private static final String ISSUE_CREDIT_NOTE = "IssueCreditNote";
  private static final String ASSIGN_NUMBER = "AssignNumber";
  private static final String ASSIGNED_NUMBER = "AssignedNumber";
  private static final String APPEND_REPLY = "AppendReply";
  private static final String GET_END = "GetEnd";
  private static final String ACK_POINT = "AckPoint";
  private static final String CATALOG_APPLY = "CatalogApply";
  private static final String CATALOG_REPLY = "CatalogReply";
  private static final String CATALOG_GET_VERSION = "CatalogGetVersion";
  private static final String ATTACH = "Attach";
  private static final String ATTACHED = "Attached";
  private static final String DETACH = "Detach";
  private static final String GET_ACKED = "GetAcked";
  private static final String ADVANCE_CURSORS = "AdvanceCursors";
  private static final String SESSION_REPLACED = "SessionReplaced";
  private static final String GOING_AWAY = "GoingAway";
  private static final String FRAME_REFUSED = "FrameRefused";
  private static final String MESSAGE_TOO_LARGE = "MessageTooLarge";
  private static final String QUOTA_EXHAUSTED = "QuotaExhausted";
  private static final String PLAN_CHANGED = "PlanChanged";
  private static final String PLAN_SWITCHED = "PlanSwitched";
  private static final String OUT_OF_STEP = "OutOfStep";
  private static final String COMMITTED = "Committed";
  private static final String RECORD_USAGE = "RecordUsage";
  private static final String RECORD_PUBLISHED = "RecordPublished";
  private static final String CATCH_UP = "CatchUp";
  private static final String GET_USAGE = "GetUsage";
  private static final String USAGE_REPORT = "UsageReport";

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  public BrokerSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  private ActorRefResolver resolver() {
    if (resolver == null) {
      resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }
    return resolver;
  }

  private String refText(ActorRef<?> ref) {
    return resolver().toSerializationFormat(ref);
  }

  private <T> ActorRef<T> ref(String text) {
    return resolver().resolveActorRef(text);
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object message) {
    if (message instanceof Message proto && STORED.containsKey(proto.getDescriptorForType().getName())) {
      return proto.getDescriptorForType().getName();
    }
    if (message instanceof TopicPartition.Append) return APPEND;
    if (message instanceof TopicPartition.AppendResult) return APPEND_REPLY;
    if (message instanceof TopicPartition.GetEnd) return GET_END;
    if (message instanceof AckPoint) return ACK_POINT;
    if (message instanceof CatalogEntity.Apply) return CATALOG_APPLY;
    if (message instanceof CatalogEntity.Result) return CATALOG_REPLY;
    if (message instanceof CatalogEntity.GetVersion) return CATALOG_GET_VERSION;
    if (message instanceof SubscriptionEntity.Attach) return ATTACH;
    if (message instanceof SubscriptionEntity.Attached) return ATTACHED;
    if (message instanceof SubscriptionEntity.Detach) return DETACH;
    if (message instanceof SubscriptionEntity.GetAcked) return GET_ACKED;
    if (message instanceof SubscriptionEntity.AdvanceCursors) return ADVANCE_CURSORS;
    if (message instanceof SubscriptionEntity.SessionReplaced) return SESSION_REPLACED;
    if (message instanceof SubscriptionEntity.GoingAway) return GOING_AWAY;
    if (message instanceof SubscriptionEntity.FrameRefused) return FRAME_REFUSED;
    if (message instanceof SubscriptionEntity.MessageTooLarge) return MESSAGE_TOO_LARGE;
    if (message instanceof SubscriptionEntity.QuotaExhausted) return QUOTA_EXHAUSTED;
    if (message instanceof SubscriptionEntity.PlanChanged) return PLAN_CHANGED;
    if (message instanceof SubscriptionEntity.PlanSwitched) return PLAN_SWITCHED;
    if (message instanceof SubscriptionEntity.OutOfStep) return OUT_OF_STEP;
    if (message instanceof SubscriptionEntity.Committed) return COMMITTED;
    if (message instanceof AccountBilling.ClosePeriods) return CLOSE_PERIODS;
    if (message instanceof AccountBilling.CreditRevenue) return CREDIT_REVENUE;
    if (message instanceof AccountBilling.TopUp) return TOP_UP;
    if (message instanceof AccountBilling.ChangeInvoiceStatus) return CHANGE_INVOICE_STATUS;
    if (message instanceof AccountBilling.GetLedger) return GET_LEDGER;
    if (message instanceof AccountBilling.Ledger) return LEDGER;
    if (message instanceof AccountBilling.Outcome) return OUTCOME;
    if (message instanceof AccountBilling.IssueCreditNote) return ISSUE_CREDIT_NOTE;
    if (message instanceof InvoiceNumbering.Assign) return ASSIGN_NUMBER;
    if (message instanceof InvoiceNumbering.AssignedNumber) return ASSIGNED_NUMBER;
    if (message instanceof AccountBilling.RecordUsage) return RECORD_USAGE;
    if (message instanceof AccountBilling.RecordPublished) return RECORD_PUBLISHED;
    if (message instanceof AccountBilling.CatchUp) return CATCH_UP;
    if (message instanceof AccountBilling.GetUsage) return GET_USAGE;
    if (message instanceof AccountBilling.UsageReport) return USAGE_REPORT;
    throw new IllegalArgumentException("no Protobuf mapping for " + message.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object message) {
    return toProto(message).toByteArray();
  }

  private MessageLite toProto(Object message) {
    if (message instanceof MessageLite proto) {
      return proto;
    }
    if (message instanceof TopicPartition.Append append) {
      return AppendRequest.newBuilder().addAllEvents(append.events()).setReplyTo(refText(append.replyTo())).build();
    }
    if (message instanceof TopicPartition.Appended appended) {
      AppendReply.Builder reply = AppendReply.newBuilder();
      for (StoredPosition position : appended.positions()) {
        reply.addPositions(io.tollgate.protocols.v1.cluster.StoredPosition.newBuilder()
            .setOffset(position.offset()).setSequence(position.sequence()).setIndex(position.index())
            .setDuplicate(position.duplicate()));
      }
      return reply.build();
    }
    if (message instanceof TopicPartition.AppendFailed failed) {
      return AppendReply.newBuilder().setErrorCode(failed.code()).setErrorMessage(failed.message()).build();
    }
    if (message instanceof TopicPartition.GetEnd get) {
      return ReplyOnlyRequest.newBuilder().setReplyTo(refText(get.replyTo())).build();
    }
    if (message instanceof AckPoint point) {
      return point.toProto();
    }
    if (message instanceof CatalogEntity.Apply apply) {
      return CatalogRequest.newBuilder().setChange(apply.change()).setReplyTo(refText(apply.replyTo())).build();
    }
    if (message instanceof CatalogEntity.Applied applied) {
      return CatalogReply.newBuilder().setSequence(applied.version()).build();
    }
    if (message instanceof CatalogEntity.Rejected rejected) {
      return CatalogReply.newBuilder().setErrorCode(rejected.rejection().code())
          .setErrorMessage(rejected.rejection().message()).build();
    }
    if (message instanceof CatalogEntity.GetVersion get) {
      return ReplyOnlyRequest.newBuilder().setReplyTo(refText(get.replyTo())).build();
    }
    if (message instanceof SubscriptionEntity.Attach attach) {
      AttachRequest.Builder request = AttachRequest.newBuilder().setSessionId(attach.sessionId())
          .setSession(refText(attach.session())).setReplyTo(refText(attach.replyTo()));
      attach.start().forEach(point -> request.addStart(point.toProto()));
      return request.build();
    }
    if (message instanceof SubscriptionEntity.Attached attached) {
      Attached.Builder proto = Attached.newBuilder().setPeriod(attached.period()).setUsedInPeriod(attached.usedInPeriod());
      attached.acked().values().forEach(point -> proto.addAcked(point.toProto()));
      return proto.build();
    }
    if (message instanceof SubscriptionEntity.Detach detach) {
      return Detach.newBuilder().setSession(detach.sessionId()).build();
    }
    if (message instanceof SubscriptionEntity.GetAcked get) {
      return ReplyOnlyRequest.newBuilder().setReplyTo(refText(get.replyTo())).build();
    }
    if (message instanceof SubscriptionEntity.AdvanceCursors advance) {
      AdvanceCursorsRequest.Builder proto = AdvanceCursorsRequest.newBuilder().setReplyTo(refText(advance.replyTo()));
      advance.ranges().forEach(range -> proto.addRanges(AckRange.newBuilder()
          .setFromOffset(range.fromOffset()).setTo(range.to().toProto()).setUnits(range.units())));
      return proto.build();
    }
    if (message instanceof SubscriptionEntity.SessionReplaced) {
      return SessionSignal.newBuilder().setKind(SESSION_REPLACED).build();
    }
    if (message instanceof SubscriptionEntity.GoingAway) {
      return SessionSignal.newBuilder().setKind(GOING_AWAY).build();
    }
    if (message instanceof AccountBilling.ClosePeriods close) {
      return ReplyOnlyRequest.newBuilder().setReplyTo(refText(close.replyTo())).build();
    }
    if (message instanceof AccountBilling.CreditRevenue credit) {
      return CreditRevenueRequest.newBuilder().setCredit(credit.credit()).setReplyTo(refText(credit.replyTo())).build();
    }
    if (message instanceof AccountBilling.TopUp topUp) {
      return TopUpRequest.newBuilder().setTopUp(topUp.topUp()).setReplyTo(refText(topUp.replyTo())).build();
    }
    if (message instanceof AccountBilling.ChangeInvoiceStatus change) {
      return InvoiceStatusRequest.newBuilder().setInvoice(change.invoice()).setStatus(change.status())
          .setActor(change.actor()).setReplyTo(refText(change.replyTo())).build();
    }
    if (message instanceof AccountBilling.GetLedger get) {
      return ReplyOnlyRequest.newBuilder().setReplyTo(refText(get.replyTo())).build();
    }
    if (message instanceof AccountBilling.Ledger ledger) {
      BillingSnapshot.Builder proto = BillingSnapshot.newBuilder().addAllCredits(ledger.credits());
      ledger.invoices().forEach(invoice -> proto.addInvoices(SnapshotInvoice.newBuilder()
          .setInvoice(invoice.finalized()).setStatus(invoice.status()).addAllCreditNotes(invoice.creditNotes())));
      ledger.wallet().forEach((currency, amount) -> proto.addWallet(
          WalletBalance.newBuilder().setCurrency(currency.getCurrencyCode()).setAmount(amount.toString())));
      return proto.build();
    }
    if (message instanceof AccountBilling.Outcome outcome) {
      return Outcome.newBuilder().setErrorCode(outcome.ok() ? "" : outcome.code())
          .setErrorMessage(outcome.ok() ? "" : outcome.message())
          .setCreated(outcome.created() == null ? "" : outcome.created()).build();
    }
    if (message instanceof AccountBilling.IssueCreditNote issue) {
      return IssueCreditNoteRequest.newBuilder().setInvoice(issue.invoice()).setAmount(issue.amount())
          .setReason(issue.reason()).setIdempotencyKey(issue.idempotencyKey()).setActor(issue.actor())
          .setReplyTo(refText(issue.replyTo())).build();
    }
    if (message instanceof InvoiceNumbering.Assign assign) {
      return AssignNumberRequest.newBuilder().setDocument(assign.document()).setReplyTo(refText(assign.replyTo())).build();
    }
    if (message instanceof InvoiceNumbering.AssignedNumber assigned) {
      return AssignedNumber.newBuilder().setNumber(assigned.number()).build();
    }
    if (message instanceof AccountBilling.RecordPublished record) {
      return io.tollgate.protocols.v1.cluster.RecordPublishedRequest.newBuilder().setPublished(record.published())
          .setReplyTo(refText(record.replyTo())).build();
    }
    if (message instanceof AccountBilling.RecordUsage record) {
      return RecordUsageRequest.newBuilder().setUsage(record.usage()).setReplyTo(refText(record.replyTo())).build();
    }
    if (message instanceof AccountBilling.CatchUp catchUp) {
      return CatchUpRequest.newBuilder().setSubscription(catchUp.subscription()).setReplyTo(refText(catchUp.replyTo())).build();
    }
    if (message instanceof AccountBilling.GetUsage get) {
      return ReplyOnlyRequest.newBuilder().setReplyTo(refText(get.replyTo())).build();
    }
    if (message instanceof AccountBilling.UsageReport report) {
      UsageReport.Builder proto = UsageReport.newBuilder();
      report.byPeriod().forEach((period, bySubscription) -> bySubscription.forEach((subscription, bySegment) ->
          bySegment.forEach((segment, units) -> proto.addUsage(PeriodUsage.newBuilder().setPeriod(period)
              .setSubscription(subscription).setUnits(units)
              .setPlan(segment.plan()).setPlanFromMillis(segment.from().toEpochMilli())))));
      report.published().forEach((period, byTopic) -> byTopic.forEach((topic, totals) -> proto.addPublished(
          io.tollgate.protocols.v1.journal.PublishedUsage.newBuilder().setPeriod(period).setTopic(topic)
              .setEvents(totals.events()).setBytes(totals.bytes()))));
      return proto.build();
    }
    if (message instanceof SubscriptionEntity.PlanChanged changed) {
      return SessionSignal.newBuilder().setKind(PLAN_CHANGED).setCode(changed.plan()).build();
    }
    if (message instanceof SubscriptionEntity.OutOfStep) {
      return SessionSignal.newBuilder().setKind(OUT_OF_STEP).build();
    }
    if (message instanceof SubscriptionEntity.Committed committed) {
      return CursorsCommittedReply.newBuilder().setInSync(committed.inSync()).build();
    }
    if (message instanceof SubscriptionEntity.PlanSwitched switched) {
      return SessionSignal.newBuilder().setKind(PLAN_SWITCHED).setCode(switched.plan()).build();
    }
    if (message instanceof SubscriptionEntity.QuotaExhausted exhausted) {
      return SessionSignal.newBuilder().setKind(QUOTA_EXHAUSTED).setCode(exhausted.period())
          .setMessage(exhausted.resumesAt().toString()).build();
    }
    if (message instanceof SubscriptionEntity.FrameRefused refused) {
      return SessionSignal.newBuilder().setKind(FRAME_REFUSED).setCode(refused.code()).setMessage(refused.message()).build();
    }
    if (message instanceof SubscriptionEntity.MessageTooLarge tooLarge) {
      return SessionSignal.newBuilder().setKind(MESSAGE_TOO_LARGE).setCode(Integer.toString(tooLarge.limit())).build();
    }
    throw new IllegalArgumentException("no Protobuf mapping for " + message.getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      Parser<? extends MessageLite> stored = STORED.get(manifest);
      if (stored != null) {
        return stored.parseFrom(bytes);
      }
      return switch (manifest) {
        case APPEND -> {
          AppendRequest request = AppendRequest.parseFrom(bytes);
          yield new TopicPartition.Append(request.getEventsList(), ref(request.getReplyTo()));
        }
        case APPEND_REPLY -> appendResult(AppendReply.parseFrom(bytes));
        case GET_END -> new TopicPartition.GetEnd(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case ACK_POINT -> AckPoint.fromProto(PartitionCursor.parseFrom(bytes));
        case CATALOG_APPLY -> {
          CatalogRequest request = CatalogRequest.parseFrom(bytes);
          yield new CatalogEntity.Apply(request.getChange(), ref(request.getReplyTo()));
        }
        case CATALOG_REPLY -> {
          CatalogReply reply = CatalogReply.parseFrom(bytes);
          yield reply.getErrorCode().isEmpty() ? new CatalogEntity.Applied(reply.getSequence())
              : new CatalogEntity.Rejected(new Rejection(reply.getErrorCode(), reply.getErrorMessage()));
        }
        case CATALOG_GET_VERSION -> new CatalogEntity.GetVersion(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case ATTACH -> {
          AttachRequest request = AttachRequest.parseFrom(bytes);
          yield new SubscriptionEntity.Attach(request.getSessionId(), ref(request.getSession()),
              request.getStartList().stream().map(AckPoint::fromProto).toList(), ref(request.getReplyTo()));
        }
        case ATTACHED -> {
          Attached attached = Attached.parseFrom(bytes);
          Map<PartitionRef, AckPoint> acked = new HashMap<>();
          for (PartitionCursor proto : attached.getAckedList()) {
            AckPoint point = AckPoint.fromProto(proto);
            acked.put(point.partition(), point);
          }
          yield new SubscriptionEntity.Attached(acked, attached.getPeriod(), attached.getUsedInPeriod());
        }
        case DETACH -> new SubscriptionEntity.Detach(Detach.parseFrom(bytes).getSession());
        case GET_ACKED -> new SubscriptionEntity.GetAcked(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case ADVANCE_CURSORS -> {
          AdvanceCursorsRequest request = AdvanceCursorsRequest.parseFrom(bytes);
          List<SubscriptionEntity.AckRange> ranges = new ArrayList<>();
          request.getRangesList().forEach(range -> ranges.add(new SubscriptionEntity.AckRange(
              range.getFromOffset(), AckPoint.fromProto(range.getTo()), range.getUnits())));
          yield new SubscriptionEntity.AdvanceCursors(ranges, ref(request.getReplyTo()));
        }
        case SESSION_REPLACED -> new SubscriptionEntity.SessionReplaced();
        case GOING_AWAY -> new SubscriptionEntity.GoingAway();
        case CLOSE_PERIODS -> new AccountBilling.ClosePeriods(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case CREDIT_REVENUE -> {
          CreditRevenueRequest request = CreditRevenueRequest.parseFrom(bytes);
          yield new AccountBilling.CreditRevenue(request.getCredit(), ref(request.getReplyTo()));
        }
        case TOP_UP -> {
          TopUpRequest request = TopUpRequest.parseFrom(bytes);
          yield new AccountBilling.TopUp(request.getTopUp(), ref(request.getReplyTo()));
        }
        case CHANGE_INVOICE_STATUS -> {
          InvoiceStatusRequest request = InvoiceStatusRequest.parseFrom(bytes);
          yield new AccountBilling.ChangeInvoiceStatus(request.getInvoice(), request.getStatus(), request.getActor(),
              ref(request.getReplyTo()));
        }
        case GET_LEDGER -> new AccountBilling.GetLedger(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case LEDGER -> {
          BillingSnapshot proto = BillingSnapshot.parseFrom(bytes);
          java.util.Map<java.util.Currency, io.tollgate.billing.Money> wallet = new java.util.TreeMap<>(
              java.util.Comparator.comparing(java.util.Currency::getCurrencyCode));
          proto.getWalletList().forEach(balance -> wallet.put(java.util.Currency.getInstance(balance.getCurrency()),
              io.tollgate.broker.billing.StoredMoney.of(balance.getAmount(), balance.getCurrency())));
          yield new AccountBilling.Ledger(
              proto.getInvoicesList().stream().map(i -> new AccountBilling.Invoice(i.getInvoice(), i.getStatus(),
                  List.copyOf(i.getCreditNotesList()))).toList(),
              proto.getCreditsList(), wallet);
        }
        case OUTCOME -> {
          Outcome outcome = Outcome.parseFrom(bytes);
          yield new AccountBilling.Outcome(outcome.getErrorCode().isEmpty() ? null : outcome.getErrorCode(),
              outcome.getErrorCode().isEmpty() ? null : outcome.getErrorMessage(),
              outcome.getCreated().isEmpty() ? null : outcome.getCreated());
        }
        case ISSUE_CREDIT_NOTE -> {
          IssueCreditNoteRequest request = IssueCreditNoteRequest.parseFrom(bytes);
          yield new AccountBilling.IssueCreditNote(request.getInvoice(), request.getAmount(), request.getReason(),
              request.getIdempotencyKey(), request.getActor(), ref(request.getReplyTo()));
        }
        case ASSIGN_NUMBER -> {
          AssignNumberRequest request = AssignNumberRequest.parseFrom(bytes);
          yield new InvoiceNumbering.Assign(request.getDocument(), ref(request.getReplyTo()));
        }
        case ASSIGNED_NUMBER -> new InvoiceNumbering.AssignedNumber(AssignedNumber.parseFrom(bytes).getNumber());
        case RECORD_PUBLISHED -> {
          io.tollgate.protocols.v1.cluster.RecordPublishedRequest request =
              io.tollgate.protocols.v1.cluster.RecordPublishedRequest.parseFrom(bytes);
          yield new AccountBilling.RecordPublished(request.getPublished(), ref(request.getReplyTo()));
        }
        case RECORD_USAGE -> {
          RecordUsageRequest request = RecordUsageRequest.parseFrom(bytes);
          yield new AccountBilling.RecordUsage(request.getUsage(), ref(request.getReplyTo()));
        }
        case CATCH_UP -> {
          CatchUpRequest request = CatchUpRequest.parseFrom(bytes);
          yield new AccountBilling.CatchUp(request.getSubscription(), ref(request.getReplyTo()));
        }
        case GET_USAGE -> new AccountBilling.GetUsage(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case USAGE_REPORT -> {
          java.util.Map<String, java.util.Map<String, java.util.Map<Invoicing.PlanSegmentKey, Long>>> byPeriod = new java.util.TreeMap<>();
          UsageReport report = UsageReport.parseFrom(bytes);
          for (PeriodUsage usage : report.getUsageList()) {
            byPeriod.computeIfAbsent(usage.getPeriod(), p -> new HashMap<>())
                .computeIfAbsent(usage.getSubscription(), s -> new HashMap<>())
                .put(new Invoicing.PlanSegmentKey(usage.getPlan(), java.time.Instant.ofEpochMilli(usage.getPlanFromMillis())),
                    usage.getUnits());
          }
          java.util.Map<String, java.util.Map<String, AccountBilling.Published>> published = new java.util.TreeMap<>();
          for (io.tollgate.protocols.v1.journal.PublishedUsage usage : report.getPublishedList()) {
            published.computeIfAbsent(usage.getPeriod(), p -> new java.util.TreeMap<>())
                .put(usage.getTopic(), new AccountBilling.Published(usage.getEvents(), usage.getBytes()));
          }
          yield new AccountBilling.UsageReport(byPeriod, published);
        }
        case PLAN_CHANGED -> new SubscriptionEntity.PlanChanged(SessionSignal.parseFrom(bytes).getCode());
        case PLAN_SWITCHED -> new SubscriptionEntity.PlanSwitched(SessionSignal.parseFrom(bytes).getCode());
        case OUT_OF_STEP -> new SubscriptionEntity.OutOfStep();
        case COMMITTED -> new SubscriptionEntity.Committed(CursorsCommittedReply.parseFrom(bytes).getInSync());
        case QUOTA_EXHAUSTED -> {
          SessionSignal signal = SessionSignal.parseFrom(bytes);
          yield new SubscriptionEntity.QuotaExhausted(signal.getCode(), java.time.Instant.parse(signal.getMessage()));
        }
        case FRAME_REFUSED -> {
          SessionSignal signal = SessionSignal.parseFrom(bytes);
          yield new SubscriptionEntity.FrameRefused(signal.getCode(), signal.getMessage());
        }
        case MESSAGE_TOO_LARGE -> new SubscriptionEntity.MessageTooLarge(Integer.parseInt(SessionSignal.parseFrom(bytes).getCode()));
        default -> throw new NotSerializableException("unknown manifest " + manifest);
      };
    } catch (InvalidProtocolBufferException e) {
      NotSerializableException failure = new NotSerializableException("corrupt " + manifest + ": " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }

  private static TopicPartition.AppendResult appendResult(AppendReply reply) {
    if (!reply.getErrorCode().isEmpty()) {
      return new TopicPartition.AppendFailed(reply.getErrorCode(), reply.getErrorMessage());
    }
    List<StoredPosition> positions = new ArrayList<>(reply.getPositionsCount());
    for (var position : reply.getPositionsList()) {
      positions.add(new StoredPosition(position.getOffset(), position.getSequence(), position.getIndex(),
          position.getDuplicate()));
    }
    return new TopicPartition.Appended(positions);
  }
}
