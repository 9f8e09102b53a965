package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedRunsTest {
  private final FeedRuns runs = new FeedRuns(2);
  private final List<Boolean> answers = new ArrayList<>();

  private FeedRuns.Gather waiter(int journals) {
    return new FeedRuns.Gather(journals, answers::add);
  }

  @Test
  void aWaiterIsAnsweredByTheFirstReadThatStartedAfterItAskedEvenWhileWakeUpsKeepComing() {
    assertTrue(runs.request("sub_busy", waiter(1)), "the first wake-up starts a read");
    FeedRuns.Gather close = waiter(1);
    assertFalse(runs.request("sub_busy", close), "the close waits for the read after this one");
    assertEquals(List.of("sub_busy"), runs.finished("sub_busy", true));
    assertEquals(List.of(true), answers, "only the wake-up of the first read is answered");
    assertFalse(runs.request("sub_busy", waiter(1)), "another wake-up during the second read");
    assertEquals(List.of("sub_busy"), runs.finished("sub_busy", true), "the wake-up makes a third read");
    assertEquals(List.of(true, true), answers, "the close is answered after the second read, not held by the third");
  }

  @Test
  void aFailedReadAnswersEveryWaiterOfItsJournalAndKeepsNothing() {
    runs.request("sub_broken", waiter(1));
    runs.request("sub_broken", waiter(1));
    assertEquals(List.of(), runs.finished("sub_broken", false), "a failed read is not repeated at once");
    assertEquals(List.of(false, false), answers);
    assertEquals(0, runs.running());
  }

  @Test
  void pastTheBoundJournalsWaitTheirTurnInTheOrderAskedAndTheirWaitersToo() {
    FeedRuns.Gather close = waiter(4);
    assertTrue(runs.request("sub_a", close));
    assertTrue(runs.request("sub_b", close));
    assertFalse(runs.request("sub_c", close), "two run: the third waits");
    assertFalse(runs.request("sub_d", close));
    assertFalse(runs.request("sub_c", waiter(1)), "asked again while it waits: one read answers both");
    assertFalse(runs.canStart("sub_e"));
    assertEquals(List.of("sub_c"), runs.finished("sub_a", true), "the first to wait takes the room");
    assertEquals(List.of("sub_d"), runs.finished("sub_b", true));
    assertEquals(List.of(), runs.finished("sub_c", true));
    assertEquals(List.of(true), answers, "the second waiter of sub_c, with its read");
    assertTrue(runs.canStart("sub_e"));
    assertEquals(List.of(), runs.finished("sub_d", true));
    assertEquals(List.of(true, true), answers, "the close, once all four were read");
    assertEquals(0, runs.running());
  }

  @Test
  void aJournalReadAgainKeepsItsRoomAndWaitingJournalsGoNext() {
    runs.request("sub_a", waiter(1));
    runs.request("sub_b", waiter(1));
    runs.request("sub_c", waiter(1));
    runs.request("sub_a", waiter(1));
    assertEquals(List.of("sub_a"), runs.finished("sub_a", true), "read again for the wake-up during it");
    assertEquals(List.of("sub_c"), runs.finished("sub_b", true));
  }

  @Test
  void aGatherAnswersOnceEveryJournalWasReadAndFailsIfAnyFailed() {
    FeedRuns.Gather all = waiter(2);
    runs.request("sub_a", all);
    runs.request("sub_b", all);
    runs.finished("sub_a", true);
    assertEquals(List.of(), answers);
    runs.finished("sub_b", false);
    assertEquals(List.of(false), answers);
  }
}
