package io.tollgate.broker.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.tollgate.broker.billing.AccountBilling;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.Rejection;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.topic.AckPoint;
import io.tollgate.broker.topic.PartitionRef;
import io.tollgate.broker.topic.StoredPosition;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.cluster.AdvanceCursorsRequest;
import io.tollgate.protocols.v1.cluster.AppendReply;
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

  private static final String EVENTS_APPENDED = "EventsAppended";
  private static final String PARTITION_SNAPSHOT = "PartitionSnapshot";
  private static final String CATALOG_CHANGE = "CatalogChange";
  private static final String CURSORS_ADVANCED = "CursorsAdvanced";
  private static final String APPEND = "Append";
  private static final String APPEND_REPLY = "AppendReply";
  private static final String GET_END = "GetEnd";
  private static final String ACK_POINT = "AckPoint";
  private static final String SUBSCRIPTION_SNAPSHOT = "SubscriptionSnapshot";
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
  private static final String QUOTA_EXHAUSTED = "QuotaExhausted";
  private static final String USAGE_RECORDED = "UsageRecorded";
  private static final String BILLING_SNAPSHOT = "BillingSnapshot";
  private static final String RECORD_USAGE = "RecordUsage";
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
    if (message instanceof EventsAppended) return EVENTS_APPENDED;
    if (message instanceof PartitionSnapshot) return PARTITION_SNAPSHOT;
    if (message instanceof CatalogChange) return CATALOG_CHANGE;
    if (message instanceof CursorsAdvanced) return CURSORS_ADVANCED;
    if (message instanceof TopicPartition.Append) return APPEND;
    if (message instanceof TopicPartition.AppendResult) return APPEND_REPLY;
    if (message instanceof TopicPartition.GetEnd) return GET_END;
    if (message instanceof AckPoint) return ACK_POINT;
    if (message instanceof SubscriptionSnapshot) return SUBSCRIPTION_SNAPSHOT;
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
    if (message instanceof SubscriptionEntity.QuotaExhausted) return QUOTA_EXHAUSTED;
    if (message instanceof UsageRecorded) return USAGE_RECORDED;
    if (message instanceof BillingSnapshot) return BILLING_SNAPSHOT;
    if (message instanceof AccountBilling.RecordUsage) return RECORD_USAGE;
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
      advance.points().forEach(point -> proto.addCursors(point.toProto()));
      return proto.build();
    }
    if (message instanceof SubscriptionEntity.SessionReplaced) {
      return SessionSignal.newBuilder().setKind(SESSION_REPLACED).build();
    }
    if (message instanceof SubscriptionEntity.GoingAway) {
      return SessionSignal.newBuilder().setKind(GOING_AWAY).build();
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
      report.byPeriod().forEach((period, bySubscription) -> bySubscription.forEach((subscription, units) ->
          proto.addUsage(PeriodUsage.newBuilder().setPeriod(period).setSubscription(subscription).setUnits(units))));
      return proto.build();
    }
    if (message instanceof SubscriptionEntity.QuotaExhausted exhausted) {
      return SessionSignal.newBuilder().setKind(QUOTA_EXHAUSTED).setCode(exhausted.period())
          .setMessage(exhausted.resumesAt().toString()).build();
    }
    if (message instanceof SubscriptionEntity.FrameRefused refused) {
      return SessionSignal.newBuilder().setKind(FRAME_REFUSED).setCode(refused.code()).setMessage(refused.message()).build();
    }
    throw new IllegalArgumentException("no Protobuf mapping for " + message.getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      return switch (manifest) {
        case EVENTS_APPENDED -> EventsAppended.parseFrom(bytes);
        case PARTITION_SNAPSHOT -> PartitionSnapshot.parseFrom(bytes);
        case CATALOG_CHANGE -> CatalogChange.parseFrom(bytes);
        case CURSORS_ADVANCED -> CursorsAdvanced.parseFrom(bytes);
        case APPEND -> {
          AppendRequest request = AppendRequest.parseFrom(bytes);
          yield new TopicPartition.Append(request.getEventsList(), ref(request.getReplyTo()));
        }
        case APPEND_REPLY -> appendResult(AppendReply.parseFrom(bytes));
        case GET_END -> new TopicPartition.GetEnd(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case ACK_POINT -> AckPoint.fromProto(PartitionCursor.parseFrom(bytes));
        case SUBSCRIPTION_SNAPSHOT -> SubscriptionSnapshot.parseFrom(bytes);
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
          List<AckPoint> points = new ArrayList<>();
          request.getCursorsList().forEach(proto -> points.add(AckPoint.fromProto(proto)));
          yield new SubscriptionEntity.AdvanceCursors(points, ref(request.getReplyTo()));
        }
        case SESSION_REPLACED -> new SubscriptionEntity.SessionReplaced();
        case GOING_AWAY -> new SubscriptionEntity.GoingAway();
        case USAGE_RECORDED -> UsageRecorded.parseFrom(bytes);
        case BILLING_SNAPSHOT -> BillingSnapshot.parseFrom(bytes);
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
          java.util.Map<String, java.util.Map<String, Long>> byPeriod = new java.util.TreeMap<>();
          for (PeriodUsage usage : UsageReport.parseFrom(bytes).getUsageList()) {
            byPeriod.computeIfAbsent(usage.getPeriod(), p -> new HashMap<>()).put(usage.getSubscription(), usage.getUnits());
          }
          yield new AccountBilling.UsageReport(byPeriod);
        }
        case QUOTA_EXHAUSTED -> {
          SessionSignal signal = SessionSignal.parseFrom(bytes);
          yield new SubscriptionEntity.QuotaExhausted(signal.getCode(), java.time.Instant.parse(signal.getMessage()));
        }
        case FRAME_REFUSED -> {
          SessionSignal signal = SessionSignal.parseFrom(bytes);
          yield new SubscriptionEntity.FrameRefused(signal.getCode(), signal.getMessage());
        }
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
