package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {
  private final DeliveryLedger.Positions positions = new DeliveryLedger.Positions();
  private final DeliveryLedger ledger = new DeliveryLedger("consumer", positions);

  @Test
  void eventsInOrderOnOneConnectionAreClean() {
    ledger.record(1, 0, 0, 0);
    ledger.record(1, 1, 1, 0);
    ledger.record(1, 2, 0, 1);
    assertEquals(List.of(), ledger.violations());
    assertEquals(3, ledger.distinct());
    assertEquals(0, ledger.repeats());
  }

  @Test
  void aReconnectMayRepeatWhatCameBeforeAndTheRepeatsAreCounted() {
    ledger.record(1, 0, 0, 0);
    ledger.record(1, 1, 0, 1);
    ledger.record(2, 1, 0, 1);
    ledger.record(2, 2, 0, 2);
    assertEquals(List.of(), ledger.violations());
    assertEquals(3, ledger.distinct());
    assertEquals(1, ledger.repeats());
  }

  @Test
  void aRepeatWithoutAReconnectIsAViolation() {
    ledger.record(1, 0, 0, 0);
    ledger.record(1, 1, 0, 1);
    ledger.record(1, 1, 0, 1);
    assertEquals(List.of("consumer: connection 1, partition 0: offset 1 after 1 (a repeat without a reconnect)"),
        ledger.violations());
  }

  @Test
  void aSkippedOffsetIsAViolationOnAConnectionAndAtTheStartOfTheNext() {
    ledger.record(1, 0, 0, 0);
    ledger.record(1, 2, 0, 2);
    ledger.record(2, 5, 0, 5);
    assertEquals(List.of("consumer: connection 1, partition 0: offset 2 after 0 (skipped 1)",
        "consumer: connection 2 started partition 0 at offset 5, after 2: skipped 2"), ledger.violations());
    assertEquals(2, ledger.violationCount());
  }

  @Test
  void aNewConnectionStartingAPartitionAtItsBeginningIsClean() {
    ledger.record(1, 0, 0, 0);
    ledger.record(2, 7, 1, 0);
    assertEquals(List.of(), ledger.violations());
  }

  @Test
  void anEventSeenAtTwoPositionsByTwoReadersIsStoredTwice() {
    DeliveryLedger audit = new DeliveryLedger("audit", positions);
    ledger.record(1, 4, 0, 0);
    audit.record(1, 4, 1, 0);
    assertEquals(List.of("audit: e4 is stored twice: at 0/0 and at 1/0"), audit.violations());
  }

  @Test
  void aPositionDeliveredAsTwoEventsIsAViolation() {
    ledger.record(1, 4, 0, 0);
    ledger.record(2, 5, 0, 0);
    assertEquals(List.of("consumer: 0/0 was delivered as e4 and as e5"), ledger.violations());
  }

  @Test
  void missingNamesTheExpectedEventsNotReceived() {
    ledger.record(1, 1, 0, 0);
    BitSet expected = new BitSet();
    expected.set(0, 9);
    BitSet missing = ledger.missing(expected);
    assertEquals(8, missing.cardinality());
    assertEquals("e0, e2, e3, e4, e5 and 3 more", DeliveryLedger.sample(missing));
    assertTrue(expected.get(1), "the expected set is not changed");
  }

  @Test
  void anEventIdIsItsNumber() {
    assertEquals(17, CrashLoop.eventNumber("e17"));
  }
}
