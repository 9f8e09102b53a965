package io.tollgate.broker.topic;

import io.tollgate.broker.error.Rejection;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.AppendReply;
import io.tollgate.protocols.v1.cluster.AppendRequest;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * What the topic package journals and sends across nodes, each with its manifest and its
 * Protobuf form (cluster.proto, journal.proto). A new message is one more entry here.
 */
public final class TopicMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(EventsAppended.getDefaultInstance()),
      MessageCodec.stored(PartitionSnapshot.getDefaultInstance()),
      MessageCodec.stored(PartitionAdvanced.getDefaultInstance()),
      MessageCodec.of("Append", TopicPartition.Append.class, AppendRequest.parser(),
          (append, refs) -> AppendRequest.newBuilder().addAllEvents(append.events())
              .setReplyTo(refs.text(append.replyTo())).build(),
          (request, refs) -> new TopicPartition.Append(request.getEventsList(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("AppendReply", TopicPartition.AppendResult.class, AppendReply.parser(),
          (result, refs) -> appendReply(result), (reply, refs) -> appendResult(reply)),
      MessageCodec.replyOnly("GetEnd", TopicPartition.GetEnd.class, TopicPartition.GetEnd::replyTo,
          TopicPartition.GetEnd::new),
      MessageCodec.of("AckPoint", AckPoint.class, PartitionCursor.parser(),
          (point, refs) -> point.toProto(), (proto, refs) -> AckPoint.fromProto(proto)));

  private TopicMessages() {}

  private static AppendReply appendReply(TopicPartition.AppendResult result) {
    if (result instanceof TopicPartition.AppendFailed failed) {
      return AppendReply.newBuilder().setErrorCode(failed.rejection().code())
          .setErrorMessage(failed.rejection().message()).build();
    }
    AppendReply.Builder reply = AppendReply.newBuilder();
    for (StoredPosition position : ((TopicPartition.Appended) result).positions()) {
      reply.addPositions(io.tollgate.protocols.v1.cluster.StoredPosition.newBuilder()
          .setOffset(position.offset()).setSequence(position.sequence()).setIndex(position.index())
          .setDuplicate(position.duplicate()));
    }
    return reply.build();
  }

  private static TopicPartition.AppendResult appendResult(AppendReply reply) {
    if (!reply.getErrorCode().isEmpty()) {
      return new TopicPartition.AppendFailed(new Rejection(reply.getErrorCode(), reply.getErrorMessage()));
    }
    List<StoredPosition> positions = new ArrayList<>(reply.getPositionsCount());
    for (var position : reply.getPositionsList()) {
      positions.add(new StoredPosition(position.getOffset(), position.getSequence(), position.getIndex(),
          position.getDuplicate()));
    }
    return new TopicPartition.Appended(positions);
  }
}
