package io.tollgate.broker.webhook;

import java.time.Instant;
import java.util.Optional;

/**
 * One request to a webhook endpoint, as the attempt log shows it. {@code status} is 0 when there
 * was no answer, and then {@code error} says why (a timeout, a refused connection, a refused
 * target); {@code excerpt} is the start of the answer's body; {@code nextTryAt} is when the same
 * events are tried again, empty when they were delivered or will not be; {@code replay}: the
 * events were dead letters a replay sent again.
 */
public record Attempt(long number, String webhookId, Instant at, int status, long latencyMillis, String excerpt,
                      String error, int events, String firstCursor, String lastCursor, Optional<Instant> nextTryAt,
                      int tryNumber, boolean replay) {
  public boolean delivered() {
    return status >= 200 && status < 300;
  }

  /**
   * Whether {@code other} is this request, whatever the log numbered them: the same batch
   * ({@code webhookId}), try and replay, sent at the same millisecond (what the journal keeps).
   */
  boolean sameRequest(Attempt other) {
    return webhookId.equals(other.webhookId) && tryNumber == other.tryNumber && replay == other.replay
        && at.toEpochMilli() == other.at.toEpochMilli();
  }

  Attempt numbered(long assigned) {
    return new Attempt(assigned, webhookId, at, status, latencyMillis, excerpt, error, events, firstCursor,
        lastCursor, nextTryAt, tryNumber, replay);
  }
}
