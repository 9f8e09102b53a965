package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;

class BillingPeriodTest {

  @Test
  void isTheCalendarMonthInUtc() {
    BillingPeriod period = BillingPeriod.containing(Instant.parse("2026-11-28T07:43:02Z"));
    assertEquals(new BillingPeriod(YearMonth.of(2026, 11)), period);
    assertEquals(Instant.parse("2026-11-01T00:00:00Z"), period.start());
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), period.end());
  }

  @Test
  void startsAtTheFirstInstantOfTheMonthAndEndsBeforeTheNext() {
    BillingPeriod november = new BillingPeriod(YearMonth.of(2026, 11));
    assertTrue(november.contains(Instant.parse("2026-11-01T00:00:00Z")));
    assertTrue(november.contains(Instant.parse("2026-11-30T23:59:59.999999999Z")));
    assertFalse(november.contains(Instant.parse("2026-12-01T00:00:00Z")));
    assertFalse(november.contains(Instant.parse("2026-10-31T23:59:59.999999999Z")));
    assertEquals(november.next(), BillingPeriod.containing(Instant.parse("2026-12-01T00:00:00Z")));
  }

  @Test
  void ignoresLocalTimeZones() {
    // Already December in Tokyo, still November in UTC.
    assertEquals(
        YearMonth.of(2026, 11),
        BillingPeriod.containing(Instant.parse("2026-11-30T20:00:00Z")).month());
  }

  @Test
  void rollsOverTheYearAndKnowsLeapYears() {
    BillingPeriod december = new BillingPeriod(YearMonth.of(2026, 12));
    assertEquals(new BillingPeriod(YearMonth.of(2027, 1)), december.next());
    assertEquals(Instant.parse("2027-01-01T00:00:00Z"), december.end());
    assertEquals(Instant.parse("2028-03-01T00:00:00Z"),
        new BillingPeriod(YearMonth.of(2028, 2)).end());
    assertEquals(YearMonth.of(2028, 2),
        BillingPeriod.containing(Instant.parse("2028-02-29T12:00:00Z")).month());
  }
}
