package io.tollgate.broker.subscription;

import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.cluster.AckRange;
import io.tollgate.protocols.v1.cluster.AdvanceCursorsRequest;
import io.tollgate.protocols.v1.cluster.AttachRequest;
import io.tollgate.protocols.v1.cluster.Attached;
import io.tollgate.protocols.v1.cluster.MoveCursors;
import io.tollgate.protocols.v1.cluster.BillRedelivered;
import io.tollgate.protocols.v1.cluster.CursorsCommittedReply;
import io.tollgate.protocols.v1.cluster.Detach;
import io.tollgate.protocols.v1.cluster.SessionAckReply;
import io.tollgate.protocols.v1.cluster.SessionAckRequest;
import io.tollgate.protocols.v1.cluster.SessionSignal;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.SubscriptionSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What subscriptions journal and send across nodes, each with its manifest and its Protobuf
 * form (cluster.proto, journal.proto). A new message is one more entry here.
 */
public final class SubscriptionMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(CursorsAdvanced.getDefaultInstance()),
      MessageCodec.stored(SubscriptionSnapshot.getDefaultInstance()),
      MessageCodec.of("Attach", SubscriptionEntity.Attach.class, AttachRequest.parser(),
          (attach, refs) -> {
            AttachRequest.Builder request = AttachRequest.newBuilder().setSessionId(attach.sessionId())
                .setSession(refs.text(attach.session())).setReplyTo(refs.text(attach.replyTo()))
                .setRejoin(attach.rejoin());
            attach.start().forEach(point -> request.addStart(point.toProto()));
            return request.build();
          },
          (request, refs) -> new SubscriptionEntity.Attach(request.getSessionId(), refs.ref(request.getSession()),
              request.getStartList().stream().map(AckPoint::fromProto).toList(), refs.ref(request.getReplyTo()),
              request.getRejoin())),
      MessageCodec.of("Attached", SubscriptionEntity.Attached.class, Attached.parser(),
          (attached, refs) -> {
            Attached.Builder proto = Attached.newBuilder().setPeriod(attached.period())
                .setUsedInPeriod(attached.usedInPeriod()).setNotResumable(!attached.resumable());
            attached.entity().ifPresent(entity -> proto.setEntity(refs.text(entity)));
            attached.acked().values().forEach(point -> proto.addAcked(point.toProto()));
            return proto.build();
          },
          (attached, refs) -> {
            Map<PartitionRef, AckPoint> acked = new HashMap<>();
            for (PartitionCursor proto : attached.getAckedList()) {
              AckPoint point = AckPoint.fromProto(proto);
              acked.put(point.partition(), point);
            }
            return new SubscriptionEntity.Attached(acked, attached.getPeriod(), attached.getUsedInPeriod(),
                !attached.getNotResumable(), attached.getEntity().isEmpty()
                    ? Optional.empty() : Optional.of(refs.ref(attached.getEntity())));
          }),
      MessageCodec.of("MoveCursors", SubscriptionEntity.MoveCursors.class, MoveCursors.parser(),
          (move, refs) -> MoveCursors.newBuilder().setReplyTo(refs.text(move.replyTo()))
              .addAllTo(move.to().stream().map(AckPoint::toProto).toList()).build(),
          (move, refs) -> new SubscriptionEntity.MoveCursors(move.getToList().stream().map(AckPoint::fromProto).toList(),
              refs.ref(move.getReplyTo()))),
      MessageCodec.of("Detach", SubscriptionEntity.Detach.class, Detach.parser(),
          (detach, refs) -> Detach.newBuilder().setSession(detach.sessionId()).build(),
          (detach, refs) -> new SubscriptionEntity.Detach(detach.getSession())),
      MessageCodec.replyOnly("GetAcked", SubscriptionEntity.GetAcked.class, SubscriptionEntity.GetAcked::replyTo,
          SubscriptionEntity.GetAcked::new),
      MessageCodec.of("AdvanceCursors", SubscriptionEntity.AdvanceCursors.class, AdvanceCursorsRequest.parser(),
          (advance, refs) -> {
            AdvanceCursorsRequest.Builder proto = AdvanceCursorsRequest.newBuilder()
                .setReplyTo(refs.text(advance.replyTo()));
            advance.ranges().forEach(range -> proto.addRanges(AckRange.newBuilder()
                .setFromOffset(range.fromOffset()).setTo(range.to().toProto()).setUnits(range.units())
                .setBytes(range.bytes()).setPeriod(range.period())));
            return proto.build();
          },
          (request, refs) -> {
            List<SubscriptionEntity.AckRange> ranges = new ArrayList<>();
            request.getRangesList().forEach(range -> ranges.add(new SubscriptionEntity.AckRange(
                range.getFromOffset(), AckPoint.fromProto(range.getTo()), range.getUnits(), range.getBytes(),
                range.getPeriod())));
            return new SubscriptionEntity.AdvanceCursors(ranges, refs.ref(request.getReplyTo()));
          }),
      MessageCodec.of("BillRedelivered", SubscriptionEntity.BillRedelivered.class, BillRedelivered.parser(),
          (bill, refs) -> BillRedelivered.newBuilder().setRedelivery(bill.redelivery()).setUnits(bill.units())
              .setBytes(bill.bytes()).setAtMillis(bill.atMillis()).setReplyTo(refs.text(bill.replyTo())).build(),
          (bill, refs) -> new SubscriptionEntity.BillRedelivered(bill.getRedelivery(), bill.getUnits(),
              bill.getBytes(), bill.getAtMillis(), refs.ref(bill.getReplyTo()))),
      MessageCodec.of("Committed", SubscriptionEntity.Committed.class, CursorsCommittedReply.parser(),
          (committed, refs) -> CursorsCommittedReply.newBuilder().setInSync(committed.inSync()).build(),
          (reply, refs) -> new SubscriptionEntity.Committed(reply.getInSync())),
      MessageCodec.of("AckOnSession", SubscriptionEntity.AckOnSession.class, SessionAckRequest.parser(),
          (ack, refs) -> SessionAckRequest.newBuilder().setCursor(ack.cursor().encode())
              .setReplyTo(refs.text(ack.replyTo())).build(),
          (request, refs) -> new SubscriptionEntity.AckOnSession(Cursor.parse(request.getCursor()),
              refs.ref(request.getReplyTo()))),
      MessageCodec.of("AckRequested", SubscriptionEntity.AckRequested.class, SessionAckRequest.parser(),
          (ack, refs) -> SessionAckRequest.newBuilder().setCursor(ack.cursor().encode())
              .setReplyTo(refs.text(ack.replyTo())).build(),
          (request, refs) -> new SubscriptionEntity.AckRequested(Cursor.parse(request.getCursor()),
              refs.ref(request.getReplyTo()))),
      MessageCodec.of("AckAnswer", SubscriptionEntity.AckAnswer.class, SessionAckReply.parser(),
          (answer, refs) -> SessionAckReply.newBuilder().setCode(answer.code()).setMessage(answer.message()).build(),
          (reply, refs) -> new SubscriptionEntity.AckAnswer(reply.getCode(), reply.getMessage())),
      signal("SessionReplaced", SubscriptionEntity.SessionReplaced.class,
          (replaced, signal) -> signal, signal -> new SubscriptionEntity.SessionReplaced()),
      signal("SessionEnded", SubscriptionEntity.Ended.class,
          (ended, signal) -> signal.setCode(ended.code()).setMessage(ended.message()),
          signal -> new SubscriptionEntity.Ended(signal.getCode(), signal.getMessage())),
      signal("FrameRefused", SubscriptionEntity.FrameRefused.class,
          (refused, signal) -> signal.setCode(refused.code()).setMessage(refused.message()),
          signal -> new SubscriptionEntity.FrameRefused(signal.getCode(), signal.getMessage())),
      signal("MessageTooLarge", SubscriptionEntity.MessageTooLarge.class,
          (tooLarge, signal) -> signal.setCode(Integer.toString(tooLarge.limit())),
          signal -> new SubscriptionEntity.MessageTooLarge(Integer.parseInt(signal.getCode()))),
      signal("QuotaExhausted", SubscriptionEntity.QuotaExhausted.class,
          (exhausted, signal) -> signal.setCode(exhausted.period()).setMessage(exhausted.resumesAt().toString()),
          signal -> new SubscriptionEntity.QuotaExhausted(signal.getCode(), Instant.parse(signal.getMessage()))),
      signal("PlanChanged", SubscriptionEntity.PlanChanged.class,
          (changed, signal) -> signal.setCode(changed.plan()),
          signal -> new SubscriptionEntity.PlanChanged(signal.getCode())),
      signal("PlanSwitched", SubscriptionEntity.PlanSwitched.class,
          (switched, signal) -> signal.setCode(switched.plan()),
          signal -> new SubscriptionEntity.PlanSwitched(signal.getCode())),
      signal("OutOfStep", SubscriptionEntity.OutOfStep.class,
          (outOfStep, signal) -> signal, signal -> new SubscriptionEntity.OutOfStep()),
      signal("CursorExpired", SubscriptionEntity.CursorExpired.class,
          (expired, signal) -> signal.setMessage(expired.message()),
          signal -> new SubscriptionEntity.CursorExpired(signal.getMessage())));

  private SubscriptionMessages() {}

  /** A message without reply that travels as a {@code SessionSignal} whose kind is its manifest. */
  private static <T> MessageCodec<T, SessionSignal> signal(String manifest, Class<T> type,
      BiFunction<T, SessionSignal.Builder, SessionSignal.Builder> fields, Function<SessionSignal, T> create) {
    return MessageCodec.of(manifest, type, SessionSignal.parser(),
        (message, refs) -> fields.apply(message, SessionSignal.newBuilder().setKind(manifest)).build(),
        (signal, refs) -> create.apply(signal));
  }
}
