package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
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
  }
}
