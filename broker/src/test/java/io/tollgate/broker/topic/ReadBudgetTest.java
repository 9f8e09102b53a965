package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What one journal read of a stream may hold in bytes. */
class ReadBudgetTest {
  @Test
  void entriesAreTakenWhileTheirBytesFitAndTheFirstAlways() {
    ReadBudget budget = new ReadBudget(1_000);
    assertTrue(budget.admits(400));
    assertTrue(budget.admits(600));
    assertFalse(budget.admits(1), "1,000 bytes are held");
  }

  @Test
  void anEntryLargerThanTheBudgetIsReadAloneSoTheReaderMovesOn() {
    ReadBudget budget = new ReadBudget(1_000);
    assertTrue(budget.admits(4 * 1024 * 1024));
    assertFalse(budget.admits(1));
  }

  @Test
  void anEntryThatWouldPassTheBudgetEndsTheReadEvenIfASmallerOneWouldFit() {
    ReadBudget budget = new ReadBudget(1_000);
    assertTrue(budget.admits(900));
    assertFalse(budget.admits(200));
  }
}
