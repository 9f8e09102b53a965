package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CoalescedAcksTest {
  /** Acks posted, each answered when the test says so. */
  private final List<String> posted = new ArrayList<>();
  private final List<CompletableFuture<Void>> answers = new ArrayList<>();
  private final CoalescedAcks acks = new CoalescedAcks(cursor -> {
    posted.add(cursor);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    answers.add(answer);
    return answer;
  });

  @Test
  void theFirstHandledEventOfAPartitionIsAckedAtOnce() {
    acks.handled("orders/0", "c1");
    assertEquals(List.of("c1"), posted);
    assertFalse(acks.settled().isDone());
    answers.get(0).complete(null);
    assertTrue(acks.settled().isDone());
  }

  @Test
  void whileAnAckIsInFlightOnlyThePartitionsNewestCursorWaitsAndGoesOutWhenItIsAnswered() {
    acks.handled("orders/0", "c1");
    acks.handled("orders/0", "c2");
    acks.handled("orders/0", "c3");
    assertEquals(List.of("c1"), posted, "one ack in flight per partition");
    answers.get(0).complete(null);
    assertEquals(List.of("c1", "c3"), posted, "c3 covers c2");
    assertFalse(acks.settled().isDone());
    answers.get(1).complete(null);
    assertTrue(acks.settled().isDone());
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
