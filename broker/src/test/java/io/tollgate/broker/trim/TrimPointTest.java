package io.tollgate.broker.trim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TrimPointTest {

  @Test
  void aJournalIsTrimmedToItsSlowestReader() {
    assertEquals(OptionalLong.of(40), TrimPoint.of(100, OptionalLong.of(40), 0));
  }

  @Test
  void neverPastTheOwnersLatestSnapshot() {
    assertEquals(OptionalLong.of(30), TrimPoint.of(30, OptionalLong.of(90), 0));
  }

  @Test
  void withoutASnapshotNothingGoes() {
    assertEquals(OptionalLong.empty(), TrimPoint.of(0, OptionalLong.of(90), 0));
  }

  @Test
  void aJournalNoReaderFollowsIsTrimmedToItsSnapshot() {
    assertEquals(OptionalLong.of(70), TrimPoint.of(70, OptionalLong.empty(), 0));
  }

  @Test
  void nothingToDoWhenAlreadyTrimmedThatFar() {
    assertEquals(OptionalLong.empty(), TrimPoint.of(100, OptionalLong.of(40), 40));
    assertEquals(OptionalLong.empty(), TrimPoint.of(100, OptionalLong.of(20), 40), "a reader behind the trim changes nothing");
  }

  @Test
  void theLowestReaderHoldsTheFloorAndIsNamed() {
    ReaderFloors floors = ReaderFloors.of(List.of(
        new ReaderFloors.Answer("billing", Map.of("Subscription|sub_a", 50L, "AccountBilling|acc_a", 9L)),
        new ReaderFloors.Answer("analytics", Map.of("Subscription|sub_a", 20L)),
        new ReaderFloors.Answer("audit", Map.of("AccountBilling|acc_a", 12L))));
    assertEquals(OptionalLong.of(20), floors.floorOf("Subscription|sub_a"));
    assertEquals(Optional.of("analytics"), floors.slowestReaderOf("Subscription|sub_a"));
    assertEquals(OptionalLong.of(9), floors.floorOf("AccountBilling|acc_a"));
    assertEquals(OptionalLong.empty(), floors.floorOf("Subscription|sub_b"), "no reader follows it");
  }

  @Test
  void aRoundPlansFromWhatEarlierRoundsDeleted() {
    ReaderFloors floors = ReaderFloors.of(List.of(
        new ReaderFloors.Answer("billing", Map.of("Subscription|sub_a", 50L, "Subscription|sub_b", 5L))));
    assertEquals(List.of(new TrimPlan.Deletion("Subscription|sub_a", 31, 50)),
        TrimPlan.of(Map.of("Subscription|sub_a", 60L, "Subscription|sub_b", 60L), floors,
            Map.of("Subscription|sub_a", 30L, "Subscription|sub_b", 5L)));
  }
}
