package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.InvoiceDraft.Line;
import io.tollgate.billing.InvoiceDraft.LineKind;
import io.tollgate.billing.Proration.Segment;
import io.tollgate.billing.Proration.SegmentWithPlan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CancellationTest {
  private static final PeriodScheme MONTHLY = PeriodScheme.parse("monthly");
  private static final Period NOVEMBER = MONTHLY.periodOf(Instant.parse("2026-11-15T00:00:00Z"));
  private static final Instant DAY_10 = Instant.parse("2026-11-11T00:00:00Z");
  private static final PlanTerms BASIC = PlanTerms.of("basic", PriceModel.perUnit("USD", "0.01"))
      .withRecurringFee(Money.of("30.00", "USD")).withFreeAllowance(300);

  @Test
  void nowEndsAtOnceAndPeriodEndAtTheEndOfThePeriodItWasCancelledIn() {
    assertEquals(DAY_10, Cancellation.NOW.endsAt(DAY_10, MONTHLY));
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Cancellation.PERIOD_END.endsAt(DAY_10, MONTHLY));
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Cancellation.PERIOD_END.endsAt(NOVEMBER.start(), MONTHLY),
        "a cancel at the first instant of a period ends with that period");
  }

  @Test
  void theApiNamesAreNowAndPeriodEnd() {
    assertEquals(Optional.of(Cancellation.NOW), Cancellation.of("now"));
    assertEquals(Optional.of(Cancellation.PERIOD_END), Cancellation.of("period_end"));
    assertEquals(Optional.empty(), Cancellation.of("NOW"));
    assertEquals(Optional.empty(), Cancellation.of("tomorrow"));
  }

  @Test
  void aSubscriptionHasEndedFromItsEndOn() {
    assertFalse(Cancellation.ended(Optional.empty(), DAY_10));
    assertFalse(Cancellation.ended(Optional.of(DAY_10), DAY_10.minusMillis(1)));
    assertTrue(Cancellation.ended(Optional.of(DAY_10), DAY_10));
  }

  @Test
  void aCancelNowPaysTheFeeAndGetsTheAllowanceUpToTheCancelAsAPlanChangeWould() {
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("basic", new Segment(BASIC, NOVEMBER.start(), DAY_10, 150))));
    assertEquals(List.of(
        new Line("sub", "basic", LineKind.FREE_ALLOWANCE, 0, 100, UnitPrice.of("0"), Money.of("0.00", "USD"), NOVEMBER.start(), DAY_10),
        new Line("sub", "basic", LineKind.USAGE, 1, 50, UnitPrice.of("0.01"), Money.of("0.50", "USD"), NOVEMBER.start(), DAY_10),
        new Line("sub", "basic", LineKind.RECURRING_FEE, 0, 1, null, Money.of("10.00", "USD"), NOVEMBER.start(), DAY_10)),
        lines, "ten days of thirty: a third of the fee and of the allowance, dated up to the cancel");
  }
}
