package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeriodSchemeTest {
  @Test
  void monthlyPeriodsAreCalendarMonthsInUtc() {
    Period period = PeriodScheme.parse("monthly").periodOf(Instant.parse("2026-11-30T23:59:59Z"));
    assertEquals("2026-11", period.id());
    assertEquals(Instant.parse("2026-11-01T00:00:00Z"), period.start());
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), period.end());
  }

  @Test
  void fixedPeriodsCountFromTheEpochAndTouchEachOther() {
    PeriodScheme hourly = PeriodScheme.parse("PT1H");
    Period period = hourly.periodOf(Instant.parse("2026-11-28T08:59:59.999Z"));
    assertEquals(Instant.parse("2026-11-28T08:00:00Z"), period.start());
    assertEquals(period.end(), hourly.periodOf(period.end()).start());
    assertTrue(period.contains(period.start()));
    assertTrue(!period.contains(period.end()));
  }

  @Test
  void anythingElseIsRefused() {
    assertEquals("invalid_plan", assertThrows(BillingException.class, () -> PeriodScheme.parse("weekly")).code());
    assertThrows(BillingException.class, () -> PeriodScheme.parse("PT0S"));
  }

  @Test
  void aPeriodShorterThanAMillisecondIsRefused() {
    BillingException refused = assertThrows(BillingException.class, () -> PeriodScheme.parse("PT0.0005S"));
    assertEquals(BillingException.INVALID_PLAN, refused.code());
  }

  @Test
  void aPeriodIsFoundByItsNameInItsOwnSchemeOnly() {
    PeriodScheme monthly = PeriodScheme.parse("monthly");
    PeriodScheme hourly = PeriodScheme.parse("PT1H");
    Period november = monthly.periodOf(Instant.parse("2026-11-10T00:00:00Z"));
    Period tenOClock = hourly.periodOf(Instant.parse("2026-11-28T10:30:00Z"));
    assertEquals(Optional.of(november), monthly.named("2026-11"));
    assertEquals(Optional.of(tenOClock), hourly.named("2026-11-28T10:00:00Z"));
    assertEquals(Optional.empty(), monthly.named("2026-11-28T10:00:00Z"));
    assertEquals(Optional.empty(), hourly.named("2026-11"));
    assertEquals(Optional.empty(), hourly.named("2026-11-28T10:30:00Z"), "not the start of an hour");
  }
}
