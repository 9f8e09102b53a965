package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedRunsTest {
  private final FeedRuns runs = new FeedRuns();
  private final List<Boolean> answers = new ArrayList<>();

  private FeedRuns.Gather waiter(int journals) {
    return new FeedRuns.Gather(journals, answers::add);
  }

  @Test
  void aWaiterIsAnsweredByTheFirstReadThatStartedAfterItAskedEvenWhileWakeUpsKeepComing() {
    assertTrue(runs.request("sub_busy", waiter(1)), "the first wake-up starts a read");
    FeedRuns.Gather close = waiter(1);
    assertFalse(runs.request("sub_busy", close), "the close waits for the read after this one");
    assertTrue(runs.finished("sub_busy", true));
    assertEquals(List.of(true), answers, "only the wake-up of the first read is answered");
    assertFalse(runs.request("sub_busy", waiter(1)), "another wake-up during the second read");
    assertTrue(runs.finished("sub_busy", true), "the wake-up makes a third read");
    assertEquals(List.of(true, true), answers, "the close is answered after the second read, not held by the third");
  }

  @Test
  void aFailedReadAnswersEveryWaiterOfItsJournalAndKeepsNothing() {
    runs.request("sub_broken", waiter(1));
    runs.request("sub_broken", waiter(1));
    assertFalse(runs.finished("sub_broken", false), "a failed read is not repeated at once");
    assertEquals(List.of(false, false), answers);
    assertEquals(0, runs.running());
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
