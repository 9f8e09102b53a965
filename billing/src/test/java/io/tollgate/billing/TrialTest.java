package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrialTest {
  private static final Instant START = Instant.parse("2026-11-28T10:15:00Z");

  @Test
  void aTrialEndsItsDaysAfterTheSubscriptionStarts() {
    assertEquals(Optional.of(Instant.parse("2026-12-12T10:15:00Z")), Trial.endsAt(START, 14));
    assertEquals(Optional.empty(), Trial.endsAt(START, 0));
  }

  @Test
  void aNegativeOrOverlongTrialIsRefused() {
    assertEquals(BillingException.INVALID_PLAN, assertThrows(BillingException.class, () -> Trial.checkedDays(-1)).code());
    assertEquals(BillingException.INVALID_PLAN,
        assertThrows(BillingException.class, () -> Trial.checkedDays(Trial.MAX_DAYS + 1)).code());
    assertEquals(Trial.MAX_DAYS, Trial.checkedDays(Trial.MAX_DAYS));
  }
}
