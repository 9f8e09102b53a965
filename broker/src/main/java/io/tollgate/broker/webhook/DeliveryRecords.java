package io.tollgate.broker.webhook;

import io.tollgate.broker.position.AckPoint;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What a webhook run keeps beyond itself: its attempts and dead letters (the subscription's
 * {@link WebhookLedger}), and the cursor it moves past a batch it gave up, without billing, as a
 * seek moves it. A small interface, so that a run does not depend on sharding.
 */
public interface DeliveryRecords {
  /**
   * Keeps these attempts, oldest first, in one write of the subscription's ledger; completes once
   * written, sent again until then (or fails past the node's failover wait).
   */
  CompletionStage<WebhookLedger.Reply> attempts(String subscription, List<Attempt> attempts);

  /** A page of attempts, newest first, numbered below {@code before} (0: from the newest); its state is empty. */
  CompletionStage<WebhookWorker.AttemptsPage> attemptPage(String subscription, long before, int limit);

  /** Stores the letters; a reply not done ({@code dead_letters_full}) stored none. */
  CompletionStage<WebhookLedger.Reply> deadLetter(String subscription, List<DeadLetter> letters);

  /** Moves the subscription's ack points to these, unbilled; its open session ends with {@code cursor_moved}. */
  CompletionStage<Void> skip(String subscription, List<AckPoint> to);

  /** Up to {@code limit} dead letters queued for replay, oldest first. */
  CompletionStage<List<DeadLetter>> queued(String subscription, int limit);

  /** A 2xx acknowledged these replayed letters at {@code at}: removed, then billed once. */
  CompletionStage<WebhookLedger.Reply> redelivered(String subscription, List<Long> numbers, Instant at);

  /**
   * A replay of these letters failed past the policy: they stay dead letters, no longer queued.
   * Completes once written, sent again until then (or fails past the node's failover wait).
   */
  CompletionStage<WebhookLedger.Reply> replayGaveUp(String subscription, List<Long> numbers);
}
