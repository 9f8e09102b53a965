package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.billing.InvoiceDraft.Line;
import io.tollgate.billing.InvoiceDraft.LineKind;
import io.tollgate.billing.Proration.Segment;
import io.tollgate.billing.Proration.SegmentWithPlan;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProrationTest {
  /** 30 days, so that 10 days are a third. */
  private static final Period NOVEMBER = PeriodScheme.parse("monthly").periodOf(Instant.parse("2026-11-15T00:00:00Z"));
  private static final Instant START = NOVEMBER.start();
  private static final Instant DAY_10 = Instant.parse("2026-11-11T00:00:00Z");
  private static final Instant DAY_15 = Instant.parse("2026-11-16T00:00:00Z");
  private static final Instant END = NOVEMBER.end();
  private static final Currency USD = Currency.getInstance("USD");

  private static final PlanTerms BASIC = PlanTerms.of("basic", PriceModel.perUnit("USD", "0.01"))
      .withRecurringFee(Money.of("10.00", "USD"));
  private static final PlanTerms PRO = PlanTerms.of("pro", PriceModel.perUnit("USD", "0.02"))
      .withRecurringFee(Money.of("40.00", "USD"));

  @Test
  void theFreeAllowanceIsProratedByTimeAndRoundedDown() {
    PlanTerms terms = BASIC.withFreeAllowance(1000);
    assertEquals(333, Proration.segmentTerms(NOVEMBER, new Segment(terms, START, DAY_10, 0)).freeAllowance());
    assertEquals(666, Proration.segmentTerms(NOVEMBER, new Segment(terms, DAY_10, END, 0)).freeAllowance());
    assertEquals(1000, Proration.segmentTerms(NOVEMBER, new Segment(terms, START, END, 0)).freeAllowance());
  }

  @Test
  void segmentTermsKeepThePriceAndDropTheRecurringFee() {
    PlanTerms terms = Proration.segmentTerms(NOVEMBER, new Segment(BASIC, START, DAY_10, 5));
    assertEquals(BASIC.price(), terms.price());
    assertEquals(BASIC.revenueShare(), terms.revenueShare());
    assertEquals(java.util.Optional.empty(), terms.recurringFee());
  }

  @Test
  void theRecurringFeeIsProratedByTimeRoundedHalfEven() {
    PlanTerms nickel = PlanTerms.of("n", PriceModel.perUnit("USD", "0")).withRecurringFee(Money.of("0.05", "USD"));
    assertEquals(Money.of("0.02", "USD"), Proration.recurringFee(NOVEMBER, new Segment(nickel, START, DAY_15, 0)),
        "0.025 rounds to the even 0.02");
    PlanTerms seven = PlanTerms.of("s", PriceModel.perUnit("USD", "0")).withRecurringFee(Money.of("0.07", "USD"));
    assertEquals(Money.of("0.04", "USD"), Proration.recurringFee(NOVEMBER, new Segment(seven, START, DAY_15, 0)),
        "0.035 rounds to the even 0.04");
    assertEquals(Money.of("3.33", "USD"), Proration.recurringFee(NOVEMBER, new Segment(BASIC, START, DAY_10, 0)));
    assertEquals(Money.of("10.00", "USD"), Proration.recurringFee(NOVEMBER, new Segment(BASIC, START, END, 0)));
  }

  @Test
  void aPlanWithoutFeeHasAZeroPartAndNoFeeLine() {
    PlanTerms free = PlanTerms.of("free", PriceModel.perUnit("USD", "0.01"));
    Segment segment = new Segment(free, START, DAY_10, 3);
    assertEquals(Money.zero(USD), Proration.recurringFee(NOVEMBER, segment));
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(new SegmentWithPlan("free", segment)));
    assertEquals(List.of(LineKind.USAGE), lines.stream().map(Line::kind).toList());
  }

  @Test
  void anUpgradePaysEachPlanForItsTimeAndPricesEachEventByThePlanInForce() {
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("basic", new Segment(BASIC, START, DAY_10, 100)),
        new SegmentWithPlan("pro", new Segment(PRO, DAY_10, END, 100))));
    assertEquals(List.of(
        new Line("sub", "basic", LineKind.USAGE, 1, 100, UnitPrice.of("0.01"), Money.of("1.00", "USD"), START, DAY_10),
        new Line("sub", "basic", LineKind.RECURRING_FEE, 0, 1, null, Money.of("3.33", "USD"), START, DAY_10),
        new Line("sub", "pro", LineKind.USAGE, 1, 100, UnitPrice.of("0.02"), Money.of("2.00", "USD"), DAY_10, END),
        new Line("sub", "pro", LineKind.RECURRING_FEE, 0, 1, null, Money.of("26.67", "USD"), DAY_10, END)), lines,
        "each line carries the dates of its segment");
  }

  @Test
  void aDowngradeFollowsTheSameRule() {
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("pro", new Segment(PRO, START, DAY_10, 100)),
        new SegmentWithPlan("basic", new Segment(BASIC, DAY_10, END, 100))));
    assertEquals(List.of(
        new Line("sub", "pro", LineKind.USAGE, 1, 100, UnitPrice.of("0.02"), Money.of("2.00", "USD"), START, DAY_10),
        new Line("sub", "pro", LineKind.RECURRING_FEE, 0, 1, null, Money.of("13.33", "USD"), START, DAY_10),
        new Line("sub", "basic", LineKind.USAGE, 1, 100, UnitPrice.of("0.01"), Money.of("1.00", "USD"), DAY_10, END),
        new Line("sub", "basic", LineKind.RECURRING_FEE, 0, 1, null, Money.of("6.67", "USD"), DAY_10, END)), lines);
  }

  @Test
  void aChangeContinuesTheTiersWhereThePeriodStandsAndEachSegmentHasItsShareOfTheAllowance() {
    PriceModel price = PriceModel.graduated("USD", List.of(Tier.of(100L, "0"), Tier.of(null, "0.01")));
    PlanTerms monthly = PlanTerms.of("m", price).withFreeAllowance(30);
    PlanTerms other = PlanTerms.of("o", price).withFreeAllowance(30);
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("m", new Segment(monthly, START, DAY_10, 160)),
        new SegmentWithPlan("o", new Segment(other, DAY_10, END, 160))));
    assertEquals(List.of(
        new Line("sub", "m", LineKind.FREE_ALLOWANCE, 0, 10, UnitPrice.ZERO, Money.zero(USD), START, DAY_10),
        new Line("sub", "m", LineKind.USAGE, 1, 100, UnitPrice.ZERO, Money.zero(USD), START, DAY_10),
        new Line("sub", "m", LineKind.USAGE, 2, 50, UnitPrice.of("0.01"), Money.of("0.50", "USD"), START, DAY_10),
        new Line("sub", "o", LineKind.FREE_ALLOWANCE, 0, 20, UnitPrice.ZERO, Money.zero(USD), DAY_10, END),
        new Line("sub", "o", LineKind.USAGE, 2, 140, UnitPrice.of("0.01"), Money.of("1.40", "USD"), DAY_10, END)), lines);
  }

  @Test
  void aTierFlatFeeIsChargedOnceAPeriodWhateverThePlanChanges() {
    Money setUp = Money.of("5.00", "USD");
    PriceModel price = PriceModel.graduated("USD", List.of(Tier.of(100L, "0", setUp), Tier.of(null, "0.01", setUp)));
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("a", new Segment(PlanTerms.of("a", price), START, DAY_10, 50)),
        new SegmentWithPlan("b", new Segment(PlanTerms.of("b", price), DAY_10, DAY_15, 50)),
        new SegmentWithPlan("a", new Segment(PlanTerms.of("a", price), DAY_15, END, 50))));
    assertEquals(Money.of("10.50", "USD"), lines.stream().map(Line::amount).reduce(Money.zero(USD), Money::plus),
        "each tier's 5.00 once, and 50 units of tier 2 at 0.01");
  }

  @Test
  void startingOnOnePlanAndChangingAtOnceCostsWhatStartingOnTheOtherCosts() {
    PlanTerms small = PlanTerms.of("small", PriceModel.perUnit("USD", "0")).withRecurringFee(Money.of("6.00", "USD"));
    PlanTerms large = PlanTerms.of("large", PriceModel.perUnit("USD", "0")).withRecurringFee(Money.of("12.00", "USD"));
    Instant aSecondLater = DAY_15.plusSeconds(1);
    List<Line> flipped = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("small", new Segment(small, DAY_15, aSecondLater, 0)),
        new SegmentWithPlan("large", new Segment(large, aSecondLater, END, 0))));
    List<Line> direct = Proration.lines(NOVEMBER, "sub", List.of(new SegmentWithPlan("large", new Segment(large, DAY_15, END, 0))));
    assertEquals(Money.of("12.00", "USD"), direct.get(0).amount(), "a mid-period start pays the full fee");
    assertEquals(Money.of("12.00", "USD"), flipped.stream().map(Line::amount).reduce(Money.zero(USD), Money::plus),
        "a change right after the start costs what starting on the second plan costs");
  }

  @Test
  void adjacentSegmentsOfTheSamePlanAreOneSegment() {
    PriceModel price = PriceModel.graduated("USD", List.of(Tier.of(100L, "0"), Tier.of(null, "0.01")));
    PlanTerms terms = PlanTerms.of("m", price).withFreeAllowance(30).withRecurringFee(Money.of("9.99", "USD"));
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("m", new Segment(terms, START, DAY_10, 160)),
        new SegmentWithPlan("m", new Segment(terms, DAY_10, END, 160))));
    assertEquals(InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "m", terms, 320)).stream()
        .map(line -> line.during(START, END)).toList(), lines, "one segment, dated the whole period");
  }

  @Test
  void theSamePlanAfterAGapIsASegmentOfItsOwn() {
    Instant day20 = Instant.parse("2026-11-21T00:00:00Z");
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("basic", new Segment(BASIC, START, DAY_10, 0)),
        new SegmentWithPlan("basic", new Segment(BASIC, day20, END, 0))));
    assertEquals(List.of(Money.of("3.33", "USD"), Money.of("3.33", "USD")),
        lines.stream().map(Line::amount).toList());
  }

  @Test
  void roundingNeverMakesTheFeesExceedTheMostExpensiveFullFee() {
    PlanTerms a = PlanTerms.of("a", PriceModel.perUnit("USD", "0")).withRecurringFee(Money.of("9.99", "USD"));
    PlanTerms b = PlanTerms.of("b", PriceModel.perUnit("USD", "0")).withRecurringFee(Money.of("9.99", "USD"));
    Segment first = new Segment(a, START, DAY_15, 0);
    Segment second = new Segment(b, DAY_15, END, 0);
    assertEquals(Money.of("5.00", "USD"), Proration.recurringFee(NOVEMBER, first), "4.995 rounds to the even 5.00");
    assertEquals(Money.of("5.00", "USD"), Proration.recurringFee(NOVEMBER, second));

    List<Line> lines = Proration.lines(NOVEMBER, "sub",
        List.of(new SegmentWithPlan("a", first), new SegmentWithPlan("b", second)));
    assertEquals(List.of(Money.of("5.00", "USD"), Money.of("4.99", "USD")), lines.stream().map(Line::amount).toList());
  }

  @Test
  void changesWithinASecondCountTheirFraction() {
    Instant halfSecond = START.plusMillis(500);
    PlanTerms terms = BASIC.withFreeAllowance(2_592_000_000L);
    assertEquals(500, Proration.segmentTerms(NOVEMBER, new Segment(terms, START, halfSecond, 0)).freeAllowance());
  }

  @Test
  void anEmptySegmentHasNoAllowanceAndNoFee() {
    Segment empty = new Segment(BASIC.withFreeAllowance(1000), DAY_10, DAY_10, 0);
    assertEquals(0, Proration.segmentTerms(NOVEMBER, empty).freeAllowance());
    assertEquals(Money.zero(USD), Proration.recurringFee(NOVEMBER, empty));
  }

  @Test
  void aSegmentMustLieWithinThePeriod() {
    Segment early = new Segment(BASIC, START.minusSeconds(1), DAY_10, 0);
    Segment late = new Segment(BASIC, DAY_10, END.plusSeconds(1), 0);
    assertThrows(IllegalArgumentException.class, () -> Proration.segmentTerms(NOVEMBER, early));
    assertThrows(IllegalArgumentException.class, () -> Proration.recurringFee(NOVEMBER, late));
    assertThrows(IllegalArgumentException.class,
        () -> Proration.lines(NOVEMBER, "sub", List.of(new SegmentWithPlan("basic", late))));
  }

  @Test
  void segmentsMustNotOverlapNorComeOutOfOrder() {
    SegmentWithPlan first = new SegmentWithPlan("basic", new Segment(BASIC, START, DAY_15, 0));
    SegmentWithPlan overlapping = new SegmentWithPlan("pro", new Segment(PRO, DAY_10, END, 0));
    SegmentWithPlan later = new SegmentWithPlan("pro", new Segment(PRO, DAY_15, END, 0));
    assertThrows(IllegalArgumentException.class, () -> Proration.lines(NOVEMBER, "sub", List.of(first, overlapping)));
    assertThrows(IllegalArgumentException.class, () -> Proration.lines(NOVEMBER, "sub", List.of(later, first)));
  }

  @Test
  void aSegmentEndsAfterItStartsAndCountsNoNegativeUnits() {
    assertThrows(IllegalArgumentException.class, () -> new Segment(BASIC, DAY_10, START, 0));
    assertThrows(IllegalArgumentException.class, () -> new Segment(BASIC, START, DAY_10, -1));
  }
}
