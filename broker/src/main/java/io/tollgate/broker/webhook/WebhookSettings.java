package io.tollgate.broker.webhook;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code tollgate.webhooks} (reference.conf documents each key). {@code secrets} is empty when the
 * operator gave no key: the node then refuses webhook subscriptions and secret rotations
 * ({@code webhooks_unavailable}) and delivers no webhook, since it could neither store a secret
 * nor sign with one.
 *
 * @param batchSize events per request when a subscription does not say, at most {@code maxBatchSize}
 * @param concurrency requests in flight per endpoint when a subscription does not say, at most {@code maxConcurrency}
 * @param requestTimeout how long a request may take until its status arrives
 * @param bodyTimeout how long the start of an answer's body is read for the attempt log
 * @param maxExcerptBytes how much of an answer's body is read and kept, at most
 * @param breakerFailures failures in a row that open an endpoint's circuit
 * @param breakerReset how long an open circuit waits before it lets one request through
 * @param secretOverlap how long a rotated-out secret still signs
 * @param attemptLogSize attempts kept per subscription (durably, in its {@link WebhookLedger})
 * @param attemptLogInterval how long a run gathers its attempts before it writes them to the log together
 * @param wakeEvery how often every node makes sure each webhook subscription's worker runs
 * @param deadLetters when a failing batch is given up, and how much each subscription's dead-letter store holds
 */
public record WebhookSettings(Optional<SecretBox> secrets, boolean allowPrivateTargets, int batchSize,
                              int maxBatchSize, int concurrency, int maxConcurrency, Duration connectTimeout,
                              Duration requestTimeout, Duration bodyTimeout, int maxExcerptBytes, RetryPolicy retries,
                              int breakerFailures, Duration breakerReset, Duration secretOverlap, int attemptLogSize,
                              Duration attemptLogInterval, Duration wakeEvery, Duration linger,
                              DeadLetters deadLetters) {
  /** {@code tollgate.webhooks.dead-letters}: the policy, and the store's bounds per subscription. */
  public record DeadLetters(DeadLetterPolicy policy, int maxCount, long maxBytes) {}
}
