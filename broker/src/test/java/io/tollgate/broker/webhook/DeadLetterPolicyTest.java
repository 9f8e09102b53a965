package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.catalog.Catalog;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterPolicyTest {
  private static final Instant FIRST_TRY = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void offItNeverGivesUpSoTheLaneHoldsBack() {
    assertFalse(DeadLetterPolicy.HOLD.givesUp(FIRST_TRY, 1_000_000, FIRST_TRY.plus(Duration.ofDays(365))));
  }

  @Test
  void itGivesUpOnceTheBatchHasFailedForItsTimeSinceTheFirstTry() {
    DeadLetterPolicy policy = new DeadLetterPolicy(true, Duration.ofMinutes(10), 0);
    assertFalse(policy.givesUp(FIRST_TRY, 50, FIRST_TRY.plus(Duration.ofMinutes(10)).minusMillis(1)));
    assertTrue(policy.givesUp(FIRST_TRY, 1, FIRST_TRY.plus(Duration.ofMinutes(10))));
  }

  @Test
  void itGivesUpAfterItsCountOfAttemptsWhicheverComesFirst() {
    DeadLetterPolicy policy = new DeadLetterPolicy(true, Duration.ofHours(1), 3);
    assertFalse(policy.givesUp(FIRST_TRY, 2, FIRST_TRY.plusSeconds(1)));
    assertTrue(policy.givesUp(FIRST_TRY, 3, FIRST_TRY.plusSeconds(1)));
    assertTrue(policy.givesUp(FIRST_TRY, 1, FIRST_TRY.plus(Duration.ofHours(1))));
  }

  @Test
  void aCountOfZeroMeansNoCount() {
    assertFalse(new DeadLetterPolicy(true, Duration.ofHours(1), 0).givesUp(FIRST_TRY, Integer.MAX_VALUE,
        FIRST_TRY.plusSeconds(1)));
  }

  @Test
  void nonsenseIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new DeadLetterPolicy(true, Duration.ZERO, 0));
    assertThrows(IllegalArgumentException.class, () -> new DeadLetterPolicy(true, Duration.ofMinutes(1), -1));
    assertThrows(IllegalArgumentException.class, () -> new DeadLetterPolicy(true,
        DeadLetterPolicy.MAX_AFTER.plusMillis(1), 0));
    assertThrows(IllegalArgumentException.class, () -> new DeadLetterPolicy(true, Duration.ofMinutes(1),
        DeadLetterPolicy.MAX_AFTER_ATTEMPTS + 1));
  }

  private static final DeadLetterPolicy NODE = new DeadLetterPolicy(false, Duration.ofHours(1), 0);

  @Test
  void aSubscriptionWithoutAPolicyOfItsOwnHasTheNodes() {
    assertEquals(NODE, DeadLetterPolicy.chosen(Catalog.DeadLetterChoice.NODE, NODE));
  }

  @Test
  void eachFieldASubscriptionSetsTakesThePlaceOfTheNodesAndTheOthersFollowIt() {
    DeadLetterPolicy own = DeadLetterPolicy.chosen(new Catalog.DeadLetterChoice(Optional.of(true), Optional.empty(),
        Optional.of(3)), NODE);
    assertEquals(new DeadLetterPolicy(true, Duration.ofHours(1), 3), own);
    assertTrue(own.givesUp(FIRST_TRY, 3, FIRST_TRY.plusSeconds(1)), "it gives up where the node's would hold back");
    assertFalse(NODE.givesUp(FIRST_TRY, 3, FIRST_TRY.plusSeconds(1)));
    assertEquals(new DeadLetterPolicy(false, Duration.ofMinutes(5), 0), DeadLetterPolicy.chosen(
        new Catalog.DeadLetterChoice(Optional.empty(), Optional.of(Duration.ofMinutes(5)), Optional.empty()), NODE));
  }

  @Test
  void aSubscriptionCanTurnOffWhatTheNodeTurnsOn() {
    DeadLetterPolicy node = new DeadLetterPolicy(true, Duration.ofMinutes(1), 2);
    DeadLetterPolicy own = DeadLetterPolicy.chosen(new Catalog.DeadLetterChoice(Optional.of(false), Optional.empty(),
        Optional.empty()), node);
    assertFalse(own.givesUp(FIRST_TRY, 100, FIRST_TRY.plus(Duration.ofDays(1))));
    assertEquals(Duration.ofMinutes(1), own.after());
  }
}
