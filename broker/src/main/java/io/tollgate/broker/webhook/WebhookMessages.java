package io.tollgate.broker.webhook;

import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.WebhookAttempt;
import io.tollgate.protocols.v1.cluster.WebhookAttemptsPage;
import io.tollgate.protocols.v1.cluster.WebhookAttemptsRequest;
import io.tollgate.protocols.v1.cluster.WebhookWake;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What is sent to webhook workers and what they answer, each with its manifest and its Protobuf
 * form (cluster.proto). A new message is one more entry here.
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
              page.getState())));

  private WebhookMessages() {}

  private static WebhookAttempt toProto(Attempt attempt) {
    return WebhookAttempt.newBuilder().setNumber(attempt.number()).setWebhookId(attempt.webhookId())
        .setAtMillis(attempt.at().toEpochMilli()).setStatus(attempt.status()).setLatencyMillis(attempt.latencyMillis())
        .setExcerpt(attempt.excerpt()).setError(attempt.error()).setEvents(attempt.events())
        .setFirstCursor(attempt.firstCursor()).setLastCursor(attempt.lastCursor())
        .setNextTryAtMillis(attempt.nextTryAt().map(Instant::toEpochMilli).orElse(0L))
        .setTryNumber(attempt.tryNumber()).build();
  }

  private static Attempt fromProto(WebhookAttempt proto) {
    return new Attempt(proto.getNumber(), proto.getWebhookId(), Instant.ofEpochMilli(proto.getAtMillis()),
        proto.getStatus(), proto.getLatencyMillis(), proto.getExcerpt(), proto.getError(), proto.getEvents(),
        proto.getFirstCursor(), proto.getLastCursor(),
        proto.getNextTryAtMillis() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(proto.getNextTryAtMillis())),
        proto.getTryNumber());
  }
}
