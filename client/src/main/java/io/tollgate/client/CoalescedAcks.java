package io.tollgate.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Acknowledges handled events without making the next one wait for the broker's commit. An ack
 * covers its event and every earlier one of the partition, so per partition at most one ack is
 * in flight: what is handled meanwhile waits as that partition's newest cursor, and goes out,
 * alone, when the ack in flight is answered. However fast events come, a partition costs one
 * request per answered ack, and nothing is acknowledged before its handler returned.
 */
final class CoalescedAcks {
  private final Function<String, CompletionStage<?>> post;
  /** Partitions with an ack in flight, each with the newest cursor handled since it went out (or null). */
  private final Map<String, String> inFlight = new HashMap<>();
  private final CompletableFuture<Void> failed = new CompletableFuture<>();
  private CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);

  /** {@code post} sends one cursor's ack; its stage completes when the broker has committed it. */
  CoalescedAcks(Function<String, CompletionStage<?>> post) {
    this.post = Objects.requireNonNull(post, "post");
  }

  /** The event of {@code cursor}, of {@code partition} (its topic and number), was handled. */
  void handled(String partition, String cursor) {
    synchronized (this) {
      if (failed.isDone()) {
        return;
      }
      if (inFlight.containsKey(partition)) {
        inFlight.put(partition, cursor);
        return;
      }
      inFlight.put(partition, null);
      if (settled.isDone()) {
        settled = new CompletableFuture<>();
      }
    }
    send(partition, cursor);
  }

  private void send(String partition, String cursor) {
    CompletionStage<?> answer;
    try {
      answer = post.apply(cursor);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((ok, failure) -> answered(partition, failure));
  }

  private void answered(String partition, Throwable failure) {
    String next = null;
    CompletableFuture<Void> nowSettled = null;
    synchronized (this) {
      if (failure != null) {
        inFlight.clear();
        failed.completeExceptionally(failure);
        nowSettled = settled;
      } else {
        next = inFlight.get(partition);
        if (next != null) {
          inFlight.put(partition, null);
        } else {
          inFlight.remove(partition);
          nowSettled = inFlight.isEmpty() ? settled : null;
        }
      }
    }
    if (next != null) {
      send(partition, next);
    }
    if (nowSettled != null && failure != null) {
      nowSettled.completeExceptionally(failure);
    } else if (nowSettled != null) {
      nowSettled.complete(null);
    }
  }

  /**
   * Completes once every handled event's ack was answered (at once when none is outstanding), or
   * exceptionally when one failed.
   */
  synchronized CompletableFuture<Void> settled() {
    return settled.copy();
  }

  /** Completes exceptionally with the first ack that failed; never completes normally. */
  CompletableFuture<Void> failed() {
    return failed.copy();
  }
}
