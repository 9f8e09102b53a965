package io.tollgate.broker.webhook;

import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.WebhookAddDeadLetters;
import io.tollgate.protocols.v1.cluster.WebhookAttemptsPage;
import io.tollgate.protocols.v1.cluster.WebhookAttemptsRequest;
import io.tollgate.protocols.v1.cluster.WebhookDeadLetterPage;
import io.tollgate.protocols.v1.cluster.WebhookDeadLetterSelection;
import io.tollgate.protocols.v1.cluster.WebhookDeadLettersRequest;
import io.tollgate.protocols.v1.cluster.WebhookLedgerReply;
import io.tollgate.protocols.v1.cluster.WebhookRecordAttempt;
import io.tollgate.protocols.v1.cluster.WebhookRedelivered;
import io.tollgate.protocols.v1.cluster.WebhookReplayGaveUp;
import io.tollgate.protocols.v1.cluster.WebhookSelectDeadLetters;
import io.tollgate.protocols.v1.cluster.WebhookWake;
import io.tollgate.protocols.v1.journal.WebhookAttempt;
import io.tollgate.protocols.v1.journal.WebhookAttemptRecorded;
import io.tollgate.protocols.v1.journal.WebhookDeadLetter;
import io.tollgate.protocols.v1.journal.WebhookDeadLettered;
import io.tollgate.protocols.v1.journal.WebhookDeadLettersQueued;
import io.tollgate.protocols.v1.journal.WebhookDeadLettersRemoved;
import io.tollgate.protocols.v1.journal.WebhookLedgerSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What webhook workers and ledgers journal, are sent and answer, each with its manifest and its
 * Protobuf form (cluster.proto, journal.proto). A new message is one more entry here.
 */
public final class WebhookMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.of("WebhookWake", WebhookWorker.Wake.class, WebhookWake.parser(),
          (wake, refs) -> WebhookWake.newBuilder().setSubscription(wake.subscription()).build(),
          (wake, refs) -> new WebhookWorker.Wake(wake.getSubscription())),
      MessageCodec.of("WebhookGetAttempts", WebhookWorker.GetAttempts.class, WebhookAttemptsRequest.parser(),
          (get, refs) -> WebhookAttemptsRequest.newBuilder().setSubscription(get.subscription())
              .setBefore(get.before()).setLimit(get.limit()).setReplyTo(refs.text(get.replyTo())).build(),
          (get, refs) -> new WebhookWorker.GetAttempts(get.getSubscription(), get.getBefore(), get.getLimit(),
              refs.ref(get.getReplyTo()))),
      MessageCodec.of("WebhookAttemptsPage", WebhookWorker.AttemptsPage.class, WebhookAttemptsPage.parser(),
          (page, refs) -> WebhookAttemptsPage.newBuilder()
              .addAllAttempts(page.attempts().stream().map(WebhookMessages::toProto).toList())
              .setMore(page.more()).setState(page.state()).build(),
          (page, refs) -> new WebhookWorker.AttemptsPage(
              page.getAttemptsList().stream().map(WebhookMessages::fromProto).toList(), page.getMore(),
              page.getState())),
      MessageCodec.stored(WebhookAttemptRecorded.getDefaultInstance()),
      MessageCodec.stored(WebhookDeadLettered.getDefaultInstance()),
      MessageCodec.stored(WebhookDeadLettersQueued.getDefaultInstance()),
      MessageCodec.stored(WebhookDeadLettersRemoved.getDefaultInstance()),
      MessageCodec.stored(WebhookLedgerSnapshot.getDefaultInstance()),
      MessageCodec.of("WebhookRecordAttempt", WebhookLedger.RecordAttempts.class, WebhookRecordAttempt.parser(),
          (record, refs) -> WebhookRecordAttempt.newBuilder().setAttempt(toProto(record.attempts().get(0)))
              .addAllMoreAttempts(record.attempts().stream().skip(1).map(WebhookMessages::toProto).toList())
              .setReplyTo(refs.text(record.replyTo())).build(),
          (record, refs) -> new WebhookLedger.RecordAttempts(Stream.concat(Stream.of(record.getAttempt()),
              record.getMoreAttemptsList().stream()).map(WebhookMessages::fromProto).toList(),
              refs.ref(record.getReplyTo()))),
      MessageCodec.of("WebhookLedgerGetAttempts", WebhookLedger.GetAttempts.class, WebhookAttemptsRequest.parser(),
          (get, refs) -> WebhookAttemptsRequest.newBuilder().setBefore(get.before()).setLimit(get.limit())
              .setReplyTo(refs.text(get.replyTo())).build(),
          (get, refs) -> new WebhookLedger.GetAttempts(get.getBefore(), get.getLimit(), refs.ref(get.getReplyTo()))),
      MessageCodec.of("WebhookAddDeadLetters", WebhookLedger.AddDeadLetters.class, WebhookAddDeadLetters.parser(),
          (add, refs) -> WebhookAddDeadLetters.newBuilder()
              .addAllLetters(add.letters().stream().map(WebhookMessages::toProto).toList())
              .setReplyTo(refs.text(add.replyTo())).build(),
          (add, refs) -> new WebhookLedger.AddDeadLetters(
              add.getLettersList().stream().map(WebhookMessages::fromProto).toList(), refs.ref(add.getReplyTo()))),
      MessageCodec.of("WebhookLedgerReply", WebhookLedger.Reply.class, WebhookLedgerReply.parser(),
          (reply, refs) -> WebhookLedgerReply.newBuilder().setCode(reply.code()).setMessage(reply.message())
              .setCount(reply.count()).build(),
          (reply, refs) -> new WebhookLedger.Reply(reply.getCode(), reply.getMessage(), reply.getCount())),
      MessageCodec.of("WebhookGetDeadLetters", WebhookLedger.GetDeadLetters.class, WebhookDeadLettersRequest.parser(),
          (get, refs) -> WebhookDeadLettersRequest.newBuilder().setAfter(get.after()).setLimit(get.limit())
              .setQueuedOnly(get.queuedOnly()).setReplyTo(refs.text(get.replyTo())).build(),
          (get, refs) -> new WebhookLedger.GetDeadLetters(get.getAfter(), get.getLimit(), get.getQueuedOnly(),
              refs.ref(get.getReplyTo()))),
      MessageCodec.of("WebhookDeadLetterPage", WebhookLedger.DeadLetterPage.class, WebhookDeadLetterPage.parser(),
          (page, refs) -> WebhookDeadLetterPage.newBuilder()
              .addAllLetters(page.letters().stream().map(WebhookMessages::toProto).toList())
              .setMore(page.more()).setCount(page.count()).setBytes(page.bytes()).build(),
          (page, refs) -> new WebhookLedger.DeadLetterPage(
              page.getLettersList().stream().map(WebhookMessages::fromProto).toList(), page.getMore(),
              page.getCount(), page.getBytes())),
      MessageCodec.of("WebhookSelectDeadLetters", WebhookLedger.SelectDeadLetters.class,
          WebhookSelectDeadLetters.parser(),
          (select, refs) -> WebhookSelectDeadLetters.newBuilder().setAction(select.action())
              .setSelection(toProto(select.selection())).setReplyTo(refs.text(select.replyTo())).build(),
          (select, refs) -> new WebhookLedger.SelectDeadLetters(select.getAction(), fromProto(select.getSelection()),
              refs.ref(select.getReplyTo()))),
      MessageCodec.of("WebhookRedelivered", WebhookLedger.Redelivered.class, WebhookRedelivered.parser(),
          (redelivered, refs) -> WebhookRedelivered.newBuilder().addAllNumbers(redelivered.numbers())
              .setAtMillis(redelivered.at().toEpochMilli()).setReplyTo(refs.text(redelivered.replyTo())).build(),
          (redelivered, refs) -> new WebhookLedger.Redelivered(redelivered.getNumbersList(),
              Instant.ofEpochMilli(redelivered.getAtMillis()), refs.ref(redelivered.getReplyTo()))),
      MessageCodec.of("WebhookReplayGaveUp", WebhookLedger.ReplayGaveUp.class, WebhookReplayGaveUp.parser(),
          (gaveUp, refs) -> WebhookReplayGaveUp.newBuilder().addAllNumbers(gaveUp.numbers())
              .setReplyTo(refs.text(gaveUp.replyTo())).build(),
          (gaveUp, refs) -> new WebhookLedger.ReplayGaveUp(gaveUp.getNumbersList(), refs.ref(gaveUp.getReplyTo()))));

  private WebhookMessages() {}

  static WebhookAttempt toProto(Attempt attempt) {
    return WebhookAttempt.newBuilder().setNumber(attempt.number()).setWebhookId(attempt.webhookId())
        .setAtMillis(attempt.at().toEpochMilli()).setStatus(attempt.status()).setLatencyMillis(attempt.latencyMillis())
        .setExcerpt(attempt.excerpt()).setError(attempt.error()).setEvents(attempt.events())
        .setFirstCursor(attempt.firstCursor()).setLastCursor(attempt.lastCursor())
        .setNextTryAtMillis(attempt.nextTryAt().map(Instant::toEpochMilli).orElse(0L))
        .setTryNumber(attempt.tryNumber()).setReplay(attempt.replay()).build();
  }

  static Attempt fromProto(WebhookAttempt proto) {
    return new Attempt(proto.getNumber(), proto.getWebhookId(), Instant.ofEpochMilli(proto.getAtMillis()),
        proto.getStatus(), proto.getLatencyMillis(), proto.getExcerpt(), proto.getError(), proto.getEvents(),
        proto.getFirstCursor(), proto.getLastCursor(),
        proto.getNextTryAtMillis() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(proto.getNextTryAtMillis())),
        proto.getTryNumber(), proto.getReplay());
  }

  static WebhookDeadLetter toProto(DeadLetter letter) {
    return WebhookDeadLetter.newBuilder().setNumber(letter.number()).setCursor(letter.point().toProto())
        .setEvent(letter.event()).setAppendedAtMillis(letter.appendedAt().toEpochMilli())
        .setDeadAtMillis(letter.deadAt().toEpochMilli()).setReason(letter.reason()).setQueued(letter.queued()).build();
  }

  static DeadLetter fromProto(WebhookDeadLetter proto) {
    return new DeadLetter(proto.getNumber(), AckPoint.fromProto(proto.getCursor()), proto.getEvent(),
        Instant.ofEpochMilli(proto.getAppendedAtMillis()), Instant.ofEpochMilli(proto.getDeadAtMillis()),
        proto.getReason(), proto.getQueued());
  }

  private static WebhookDeadLetterSelection toProto(DeadLetterSelection selection) {
    return WebhookDeadLetterSelection.newBuilder()
        .setFromMillis(selection.from().map(Instant::toEpochMilli).orElse(0L))
        .setToMillis(selection.to().map(Instant::toEpochMilli).orElse(0L))
        .setFromCursor(selection.fromCursor().map(Cursor::encode).orElse(""))
        .setToCursor(selection.toCursor().map(Cursor::encode).orElse("")).setNumber(selection.number()).build();
  }

  private static DeadLetterSelection fromProto(WebhookDeadLetterSelection proto) {
    return new DeadLetterSelection(
        proto.getFromMillis() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(proto.getFromMillis())),
        proto.getToMillis() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(proto.getToMillis())),
        proto.getFromCursor().isEmpty() ? Optional.empty() : Optional.of(Cursor.parse(proto.getFromCursor())),
        proto.getToCursor().isEmpty() ? Optional.empty() : Optional.of(Cursor.parse(proto.getToCursor())),
        proto.getNumber());
  }
}
