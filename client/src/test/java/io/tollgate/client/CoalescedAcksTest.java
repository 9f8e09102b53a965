package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class CoalescedAcksTest {
  /** Acks posted, each answered when the test says so. */
  private final List<String> posted = new ArrayList<>();
  private final List<CompletableFuture<Void>> answers = new ArrayList<>();
  /** The clock the acks are spaced by, in nanoseconds; it moves only when a test moves it. */
  private long now;
  private final CoalescedAcks acks = new CoalescedAcks(cursor -> {
    posted.add(cursor);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    answers.add(answer);
    return answer;
  }, 3, Duration.ofMillis(40), () -> now);

  private void later(long millis) {
    now += Duration.ofMillis(millis).toNanos();
  }

  @Test
  void theFirstHandledEventOfAPartitionIsAckedAtOnce() {
    acks.handled("orders/0", "c1");
    assertEquals(List.of("c1"), posted);
    assertFalse(acks.settled().isDone());
    answers.get(0).complete(null);
    assertTrue(acks.settled().isDone());
  }

  @Test
  void withinTheSpacingOnlyThePartitionsNewestCursorWaitsAndGoesOutWhenAnAckIsAnswered() {
    acks.handled("orders/0", "c1");
    later(39);
    acks.handled("orders/0", "c2");
    acks.handled("orders/0", "c3");
    assertEquals(List.of("c1"), posted, "the next ack waits for the spacing");
    answers.get(0).complete(null);
    assertEquals(List.of("c1", "c3"), posted, "c3 covers c2");
    assertFalse(acks.settled().isDone());
    answers.get(1).complete(null);
    assertTrue(acks.settled().isDone());
  }

  @Test
  void spacedAcksGoOutWhileFewerThanTheMostAreInFlightThenTheNewestWaitsForAnAnswer() {
    acks.handled("orders/0", "c1");
    later(40);
    acks.handled("orders/0", "c2");
    later(40);
    acks.handled("orders/0", "c3");
    later(40);
    acks.handled("orders/0", "c4");
    later(40);
    acks.handled("orders/0", "c5");
    assertEquals(List.of("c1", "c2", "c3"), posted, "three in flight at most");
    answers.get(1).complete(null);
    assertEquals(List.of("c1", "c2", "c3", "c5"), posted, "an answer, in any order, lets the newest out; c5 covers c4");
    answers.get(3).complete(null);
    answers.get(0).complete(null);
    assertFalse(acks.settled().isDone(), "c3 still in flight");
    answers.get(2).complete(null);
    assertTrue(acks.settled().isDone());
  }

  @Test
  void aFailureAfterAnotherAckOfThePartitionFailedChangesNothing() {
    acks.handled("orders/0", "c1");
    later(40);
    acks.handled("orders/0", "c2");
    TollgateException first = new TollgateException("unknown_cursor", "not delivered on this connection");
    answers.get(0).completeExceptionally(first);
    answers.get(1).completeExceptionally(new TollgateException("no_open_stream", "the stream ended"));
    assertSame(first, assertThrows(CompletionException.class, () -> acks.failed().join()).getCause(), "the first failure");
    answers.get(1).complete(null);
    assertTrue(acks.settled().isCompletedExceptionally());
  }

  @Test
  void partitionsAreAckedIndependently() {
    acks.handled("orders/0", "a1");
    acks.handled("orders/1", "b1");
    acks.handled("refunds/0", "r1");
    assertEquals(List.of("a1", "b1", "r1"), posted);
    answers.get(1).complete(null);
    answers.get(2).complete(null);
    assertFalse(acks.settled().isDone(), "a1 still in flight");
    answers.get(0).complete(null);
    assertTrue(acks.settled().isDone());
  }

  @Test
  void aFailedAckFailsAndSettlesWithItsCauseAndNothingMoreIsPosted() {
    acks.handled("orders/0", "c1");
    acks.handled("orders/0", "c2");
    CompletableFuture<Void> settled = acks.settled();
    TollgateException refused = new TollgateException("resync", "another connection acknowledged further");
    answers.get(0).completeExceptionally(refused);
    assertTrue(acks.failed().isCompletedExceptionally());
    assertTrue(settled.isCompletedExceptionally());
    acks.handled("orders/0", "c3");
    assertEquals(List.of("c1"), posted);
  }

  @Test
  void withNothingHandledItIsSettled() {
    assertTrue(acks.settled().isDone());
    assertFalse(acks.failed().isDone());
  }
}
