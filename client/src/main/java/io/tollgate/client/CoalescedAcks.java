package io.tollgate.client;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Acknowledges handled events without making the next one wait for the broker's commit. An ack
 * covers its event and every earlier one of the partition, so what is handled while acks are in
 * flight waits as the partition's newest cursor. It goes out when an ack in flight is answered,
 * or at once when the partition has fewer than {@code maxInFlight} acks in flight and its last
 * ack went out at least {@code spacing} ago.
 *
 * <p>Why more than one in flight: the broker frees a stream's window when an ack arrives, but
 * answers a posted ack only once its commit is done, and commits go out in groups (every 200 ms
 * by default). With one ack in flight a partition would free its window once per commit, which
 * bounds a stream at one window per commit interval; acks spaced within the interval free it
 * several times. The broker answers an ack that an earlier-sent, later cursor already covered at
 * once, so acks of one partition may arrive in any order. However fast events come, a partition
 * costs at most one request per spacing, and nothing is acknowledged before its handler returned.
 */
final class CoalescedAcks {
  static final int DEFAULT_MAX_IN_FLIGHT = 4;
  static final Duration DEFAULT_SPACING = Duration.ofMillis(40);

  /** A partition with acks in flight: how many, when the last went out, and the newest cursor handled since (or null). */
  private static final class Lane {
    int inFlight;
    long lastSentNanos;
    String newest;
  }

  private final Function<String, CompletionStage<?>> post;
  private final int maxInFlight;
  private final long spacingNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Lane> lanes = new HashMap<>();
  private final CompletableFuture<Void> failed = new CompletableFuture<>();
  private CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);

  /** {@code post} sends one cursor's ack; its stage completes when the broker has committed it. */
  CoalescedAcks(Function<String, CompletionStage<?>> post) {
    this(post, DEFAULT_MAX_IN_FLIGHT, DEFAULT_SPACING, System::nanoTime);
  }

  CoalescedAcks(Function<String, CompletionStage<?>> post, int maxInFlight, Duration spacing, LongSupplier nanoTime) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("at least one ack in flight per partition: " + maxInFlight);
    }
    if (spacing.isNegative()) {
      throw new IllegalArgumentException("the spacing of acks cannot be negative: " + spacing);
    }
    this.post = Objects.requireNonNull(post, "post");
    this.maxInFlight = maxInFlight;
    this.spacingNanos = spacing.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** The event of {@code cursor}, of {@code partition} (its topic and number), was handled. */
  void handled(String partition, String cursor) {
    synchronized (this) {
      if (failed.isDone()) {
        return;
      }
      Lane lane = lanes.get(partition);
      if (lane == null) {
        lane = new Lane();
        lanes.put(partition, lane);
        if (settled.isDone()) {
          settled = new CompletableFuture<>();
        }
      } else if (lane.inFlight >= maxInFlight || nanoTime.getAsLong() - lane.lastSentNanos < spacingNanos) {
        lane.newest = cursor;
        return;
      }
      goesOut(lane);
    }
    send(partition, cursor);
  }

  /** Counts an ack of {@code lane} as sent now; the caller sends it outside the lock. */
  private void goesOut(Lane lane) {
    lane.inFlight++;
    lane.lastSentNanos = nanoTime.getAsLong();
    lane.newest = null;
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
      Lane lane = lanes.get(partition);
      if (failure != null) {
        if (failed.isDone()) {
          return;
        }
        lanes.clear();
        failed.completeExceptionally(failure);
        nowSettled = settled;
      } else if (lane != null) {
        lane.inFlight--;
        if (lane.newest != null) {
          next = lane.newest;
          goesOut(lane);
        } else if (lane.inFlight == 0) {
          lanes.remove(partition);
          nowSettled = lanes.isEmpty() ? settled : null;
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
