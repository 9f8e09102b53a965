package io.tollgate.broker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * An ask to a sharded entity that is sent again when unanswered after {@code attempt}, then
 * after twice as long each time, until {@code deadline}. Cluster Sharding drops a message that
 * reaches a shard while the shard moves (a rolling restart), and one sent to a node that has
 * just died is lost until the node is downed and its shards start elsewhere; asking again turns
 * either into a delay instead of an error. An entity that is merely slow gets each command again
 * too, so the attempts back off: a slow entity is sent a few copies, not one every
 * {@code attempt}, which would add load exactly when it has too much. Only for commands the
 * entity handles idempotently.
 */
public final class ShardedAsk {
  private ShardedAsk() {}

  /**
   * How long one caller waits: the first attempt, the longest attempt, and the deadline. A
   * message that must arrive even when the entity's node dies waits out the downing (the node's
   * failover wait), so its shard has a home again before the caller gives up.
   */
  public record Patience(Duration attempt, Duration longestAttempt, Duration deadline) {
    public Patience {
      if (attempt.isNegative() || attempt.isZero() || longestAttempt.compareTo(attempt) < 0) {
        throw new IllegalArgumentException("an attempt is positive and no longer than the longest attempt");
      }
    }
  }

  public static <M, R> CompletionStage<R> ask(EntityRef<M> entity, Function<ActorRef<R>, M> command,
                                              Patience patience) {
    return ask(entity, command, patience.attempt(), patience.longestAttempt(), patience.deadline());
  }

  public static <M, R> CompletionStage<R> ask(EntityRef<M> entity, Function<ActorRef<R>, M> command,
                                              Duration attempt, Duration deadline) {
    return ask(entity, command, attempt, deadline, deadline);
  }

  /**
   * As {@link #ask(EntityRef, Function, Duration, Duration)}, but an attempt never waits longer
   * than {@code longestAttempt}. For an ask that waits out the downing of a dead node: a copy sent
   * while the shard still points at that node is lost, and a long attempt would then hold the
   * answer back well after the shard has moved, past the deadline.
   */
  public static <M, R> CompletionStage<R> ask(EntityRef<M> entity, Function<ActorRef<R>, M> command,
                                              Duration attempt, Duration longestAttempt, Duration deadline) {
    return ask(entity, command, attempt, longestAttempt, System.nanoTime() + deadline.toNanos());
  }

  private static <M, R> CompletableFuture<R> ask(EntityRef<M> entity, Function<ActorRef<R>, M> command,
                                                 Duration attempt, Duration longestAttempt, long deadlineNanos) {
    long startedAt = System.nanoTime();
    long remaining = deadlineNanos - startedAt;
    Duration thisAttempt = Duration.ofNanos(Math.max(1, Math.min(remaining, attempt.toNanos())));
    return entity.<R>ask(command::apply, thisAttempt)
        .toCompletableFuture()
        .exceptionallyCompose(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (cause instanceof TimeoutException && deadlineNanos - System.nanoTime() > 0) {
            Duration next = attempt.multipliedBy(2);
            Duration nextAttempt = next.compareTo(longestAttempt) > 0 ? longestAttempt : next;
            // A stopped shard region (its node downed) fails an ask at once, as a timeout: the next
            // attempt still waits for this one's time, and starts on another thread.
            long unused = Math.max(0, thisAttempt.toNanos() - (System.nanoTime() - startedAt));
            return CompletableFuture.supplyAsync(() -> null,
                    CompletableFuture.delayedExecutor(unused, TimeUnit.NANOSECONDS))
                .thenCompose(waited -> ask(entity, command, nextAttempt, longestAttempt, deadlineNanos));
          }
          return CompletableFuture.failedFuture(cause);
        });
  }
}
