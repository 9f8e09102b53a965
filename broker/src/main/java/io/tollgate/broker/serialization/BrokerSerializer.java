package io.tollgate.broker.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.Rejection;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.topic.Cursor;
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
import io.tollgate.protocols.v1.cluster.Detach;
import io.tollgate.protocols.v1.cluster.ReplyOnlyRequest;
import io.tollgate.protocols.v1.cluster.SessionSignal;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
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
  private static final String CURSOR = "Cursor";
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
    if (message instanceof Cursor) return CURSOR;
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
    if (message instanceof Cursor cursor) {
      return cursor.toProto();
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
      return AttachRequest.newBuilder().setSessionId(attach.sessionId()).setSession(refText(attach.session()))
          .setReplyTo(refText(attach.replyTo())).build();
    }
    if (message instanceof SubscriptionEntity.Attached attached) {
      Attached.Builder proto = Attached.newBuilder();
      attached.acked().values().forEach(cursor -> proto.addAcked(cursor.toProto()));
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
      advance.cursors().forEach(cursor -> proto.addCursors(cursor.toProto()));
      return proto.build();
    }
    if (message instanceof SubscriptionEntity.SessionReplaced) {
      return SessionSignal.newBuilder().setKind(SESSION_REPLACED).build();
    }
    if (message instanceof SubscriptionEntity.GoingAway) {
      return SessionSignal.newBuilder().setKind(GOING_AWAY).build();
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
        case CURSOR -> Cursor.fromProto(PartitionCursor.parseFrom(bytes));
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
          yield new SubscriptionEntity.Attach(request.getSessionId(), ref(request.getSession()), ref(request.getReplyTo()));
        }
        case ATTACHED -> {
          Map<PartitionRef, Cursor> acked = new HashMap<>();
          for (PartitionCursor proto : Attached.parseFrom(bytes).getAckedList()) {
            Cursor cursor = Cursor.fromProto(proto);
            acked.put(cursor.partitionRef(), cursor);
          }
          yield new SubscriptionEntity.Attached(acked);
        }
        case DETACH -> new SubscriptionEntity.Detach(Detach.parseFrom(bytes).getSession());
        case GET_ACKED -> new SubscriptionEntity.GetAcked(ref(ReplyOnlyRequest.parseFrom(bytes).getReplyTo()));
        case ADVANCE_CURSORS -> {
          AdvanceCursorsRequest request = AdvanceCursorsRequest.parseFrom(bytes);
          List<Cursor> cursors = new ArrayList<>();
          request.getCursorsList().forEach(proto -> cursors.add(Cursor.fromProto(proto)));
          yield new SubscriptionEntity.AdvanceCursors(cursors, ref(request.getReplyTo()));
        }
        case SESSION_REPLACED -> new SubscriptionEntity.SessionReplaced();
        case GOING_AWAY -> new SubscriptionEntity.GoingAway();
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
