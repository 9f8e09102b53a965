package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.InvoiceDraft.Line;
import io.tollgate.billing.InvoiceDraft.LineKind;
import io.tollgate.billing.Proration.Segment;
import io.tollgate.billing.Proration.SegmentWithPlan;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class ProrationProperties {
  private static final List<Period> PERIODS = List.of(
      PeriodScheme.parse("monthly").periodOf(Instant.parse("2026-11-15T00:00:00Z")),
      PeriodScheme.parse("monthly").periodOf(Instant.parse("2028-02-10T00:00:00Z")),
      PeriodScheme.parse("P1D").periodOf(Instant.parse("2026-03-29T12:00:00Z")),
      PeriodScheme.parse("PT1H").periodOf(Instant.parse("2026-01-01T00:30:00Z")));

  /** A period and instants cutting it, from its start to its end inclusive, in order. */
  record Cuts(Period period, List<Instant> bounds) {
    int segments() {
      return bounds.size() - 1;
    }
  }

  @Property
  void theSamePlanAcrossTheWholePeriodCostsWhatNoChangeCosts(
      @ForAll("cuts") Cuts cuts, @ForAll("prices") PriceModel price, @ForAll("unitsPerSegment") List<Long> units) {
    PlanTerms terms = PlanTerms.of("plan", price);
    assertSameAsNoChange(cuts, terms, units);
  }

  @Property
  void theSamePlanWithAllowanceAndFeeAcrossTheWholePeriodIsNoChangeAtAll(
      @ForAll("cuts") Cuts cuts, @ForAll("prices") PriceModel price, @ForAll("unitsPerSegment") List<Long> units,
      @ForAll @LongRange(max = 100_000) long allowance, @ForAll @LongRange(max = 100_000) long feeUnscaled) {
    Currency currency = price.currency();
    PlanTerms terms = PlanTerms.of("plan", price).withFreeAllowance(allowance)
        .withRecurringFee(new Money(BigDecimal.valueOf(feeUnscaled, currency.getDefaultFractionDigits()), currency));
    List<Line> lines = assertSameAsNoChange(cuts, terms, units);
    assertEquals(InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, sum(units, cuts))).stream()
        .map(line -> line.during(cuts.bounds().get(0), cuts.bounds().get(cuts.segments()))).toList(), lines);
  }

  private List<Line> assertSameAsNoChange(Cuts cuts, PlanTerms terms, List<Long> units) {
    List<SegmentWithPlan> segments = new ArrayList<>();
    for (int i = 0; i < cuts.segments(); i++) {
      segments.add(new SegmentWithPlan("plan",
          new Segment(terms, cuts.bounds().get(i), cuts.bounds().get(i + 1), units.get(i))));
    }
    List<Line> lines = Proration.lines(cuts.period(), "sub", segments);
    List<Line> noChange = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, sum(units, cuts)));
    assertEquals(total(noChange, LineKind.USAGE, terms.currency()), total(lines, LineKind.USAGE, terms.currency()));
    return lines;
  }

  @Property
  void feePartsOfOnePlanAddUpToTheFullFeeWithinHalfAMinorUnitPerSegment(
      @ForAll("cuts") Cuts cuts, @ForAll("currencies") Currency currency,
      @ForAll @LongRange(max = 10_000_000) long feeUnscaled) {
    int digits = currency.getDefaultFractionDigits();
    Money fee = new Money(BigDecimal.valueOf(feeUnscaled, digits), currency);
    PlanTerms terms = PlanTerms.of("plan", PriceModel.perUnit(currency.getCurrencyCode(), "0")).withRecurringFee(fee);
    Money parts = Money.zero(currency);
    for (int i = 0; i < cuts.segments(); i++) {
      Money part = Proration.recurringFee(cuts.period(), new Segment(terms, cuts.bounds().get(i), cuts.bounds().get(i + 1), 0));
      assertTrue(part.signum() >= 0 && part.compareTo(fee) <= 0, part::toString);
      parts = parts.plus(part);
    }
    // HALF_EVEN is off by at most half a minor unit per part: tighter than one unit per segment.
    BigDecimal bound = BigDecimal.valueOf(5, digits + 1).multiply(BigDecimal.valueOf(cuts.segments()));
    Money total = parts;
    assertTrue(total.minus(fee).amount().abs().compareTo(bound) <= 0, () -> "parts " + total + " of " + fee);
  }

  @Property
  void allowanceShareOfOnePlanNeverExceedsTheAllowanceAndLosesLessThanOneUnitPerSegment(
      @ForAll("cuts") Cuts cuts, @ForAll @LongRange(max = 1_000_000_000_000L) long allowance) {
    PlanTerms terms = PlanTerms.of("plan", PriceModel.perUnit("USD", "0.01")).withFreeAllowance(allowance);
    long shares = 0;
    for (int i = 0; i < cuts.segments(); i++) {
      shares += Proration.segmentTerms(cuts.period(), new Segment(terms, cuts.bounds().get(i), cuts.bounds().get(i + 1), 0))
          .freeAllowance();
    }
    assertTrue(shares <= allowance && shares > allowance - cuts.segments(), shares + " of " + allowance);
  }

  /**
   * Flipping between two plans with the same tiered price (no allowance) costs exactly what staying
   * on one plan costs: the period's count goes on across changes, so no flip restarts a tier ladder
   * or charges a tier's flat fee again. Packages are counted per plan, so the flips cost exactly
   * what each plan's own units cost in whole packages.
   */
  @Property
  void flippingBetweenTwoPlansNeverRestartsATierLadder(
      @ForAll("cuts") Cuts cuts, @ForAll("flatFeeLadders") PriceModel price, @ForAll("unitsPerSegment") List<Long> units) {
    PlanTerms terms = PlanTerms.of("same price", price);
    List<SegmentWithPlan> flips = new ArrayList<>();
    long[] byPlan = new long[2];
    for (int i = 0; i < cuts.segments(); i++) {
      flips.add(new SegmentWithPlan(i % 2 == 0 ? "a" : "b",
          new Segment(terms, cuts.bounds().get(i), cuts.bounds().get(i + 1), units.get(i))));
      byPlan[i % 2] += units.get(i);
    }
    Money flipped = total(Proration.lines(cuts.period(), "sub", flips), LineKind.USAGE, price.currency());
    Money expected = price instanceof PriceModel.Package
        ? price.rate(byPlan[0]).total().plus(price.rate(byPlan[1]).total())
        : price.rate(sum(units, cuts)).total();
    assertEquals(expected, flipped, () -> "flips at " + cuts + " of " + units);
  }

  @Property
  void everyLineIsDatedWithTheSegmentItBillsAndTheDatesFollowTheSegmentsInOrder(
      @ForAll("cuts") Cuts cuts, @ForAll("prices") PriceModel price, @ForAll("unitsPerSegment") List<Long> units,
      @ForAll @LongRange(max = 100_000) long allowance) {
    Currency currency = price.currency();
    PlanTerms terms = PlanTerms.of("plan", price).withFreeAllowance(allowance)
        .withRecurringFee(new Money(BigDecimal.valueOf(300, currency.getDefaultFractionDigits()), currency));
    List<SegmentWithPlan> flips = new ArrayList<>();
    for (int i = 0; i < cuts.segments(); i++) {
      flips.add(new SegmentWithPlan(i % 2 == 0 ? "a" : "b",
          new Segment(terms, cuts.bounds().get(i), cuts.bounds().get(i + 1), units.get(i))));
    }
    List<Line> lines = Proration.lines(cuts.period(), "sub", flips);
    int segment = 0;
    for (Line line : lines) {
      while (segment < flips.size() && !billedBy(line, flips.get(segment))) {
        segment++;
      }
      assertTrue(segment < flips.size(), () -> line + " is dated with no segment, or out of order, at " + cuts);
    }
  }

  private static boolean billedBy(Line line, SegmentWithPlan segment) {
    return segment.planId().equals(line.planId()) && segment.segment().from().equals(line.from())
        && segment.segment().to().equals(line.to());
  }

  /** Graduated and volume ladders whose tiers have flat fees, and packages; whole-cent prices, so no line rounds. */
  @Provide
  Arbitrary<PriceModel> flatFeeLadders() {
    Arbitrary<Money> flat = Arbitraries.longs().between(0, 500).map(c -> new Money(BigDecimal.valueOf(c, 2), Currency.getInstance("USD")));
    Arbitrary<List<Tier>> tiers = Combinators.combine(
            Arbitraries.longs().between(1, 60_000).set().ofMinSize(1).ofMaxSize(3),
            Arbitraries.of("0", "0.01", "0.05", "1.00").list().ofSize(4), flat.list().ofSize(4))
        .as((ends, amounts, flats) -> {
          List<Long> sorted = new ArrayList<>(ends);
          Collections.sort(sorted);
          List<Tier> ladder = new ArrayList<>();
          for (int i = 0; i < sorted.size(); i++) {
            ladder.add(Tier.of(sorted.get(i), amounts.get(i), flats.get(i)));
          }
          ladder.add(Tier.of(null, amounts.get(sorted.size()), flats.get(sorted.size())));
          return ladder;
        });
    return Arbitraries.oneOf(
        tiers.map(ladder -> PriceModel.graduated("USD", ladder)),
        tiers.map(ladder -> PriceModel.volume("USD", ladder)),
        Arbitraries.longs().between(1, 5_000).map(size -> PriceModel.perPackage("USD", size, "0.50")));
  }

  @Property
  void upgradeOrDowngradeNeverChargesMoreFeeThanTheMostExpensivePlansFullFee(
      @ForAll("cuts") Cuts cuts, @ForAll("fees") List<Money> fees) {
    List<Money> upgrade = new ArrayList<>(fees.subList(0, cuts.segments()));
    Collections.sort(upgrade);
    List<Money> downgrade = new ArrayList<>(upgrade);
    Collections.reverse(downgrade);
    for (List<Money> order : List.of(upgrade, downgrade, fees.subList(0, cuts.segments()))) {
      List<SegmentWithPlan> segments = new ArrayList<>();
      for (int i = 0; i < cuts.segments(); i++) {
        PlanTerms terms = PlanTerms.of("plan " + i, PriceModel.perUnit("USD", "0")).withRecurringFee(order.get(i));
        segments.add(new SegmentWithPlan("p" + i, new Segment(terms, cuts.bounds().get(i), cuts.bounds().get(i + 1), 0)));
      }
      List<Line> lines = Proration.lines(cuts.period(), "sub", segments);
      Money most = Collections.max(order);
      Money charged = total(lines, LineKind.RECURRING_FEE, most.currency());
      assertTrue(charged.compareTo(most) <= 0, () -> "charged " + charged + " for fees " + order + " cut at " + cuts);
      List<Line> feeLines = lines.stream().filter(l -> l.kind() == LineKind.RECURRING_FEE).toList();
      Money parts = Money.zero(most.currency());
      for (int i = 0; i < feeLines.size(); i++) {
        Money part = Proration.recurringFee(cuts.period(), segments.get(i).segment());
        Money line = feeLines.get(i).amount();
        assertTrue(line.signum() >= 0 && line.compareTo(part) <= 0, () -> line + " against the part " + part);
        parts = parts.plus(part);
      }
      assertEquals(parts.compareTo(most) <= 0 ? parts : most, charged, "only what rounding put above the cap is taken off");
    }
  }

  private static long sum(List<Long> units, Cuts cuts) {
    return units.subList(0, cuts.segments()).stream().mapToLong(Long::longValue).sum();
  }

  private static Money total(List<Line> lines, LineKind kind, Currency currency) {
    return lines.stream().filter(l -> l.kind() == kind).map(Line::amount).reduce(Money.zero(currency), Money::plus);
  }

  /** Cuts anywhere, on whole seconds, or into equal parts (where HALF_EVEN meets its ties). */
  @Provide
  Arbitrary<Cuts> cuts() {
    return Arbitraries.of(PERIODS).flatMap(period -> {
      long nanos = java.time.Duration.between(period.start(), period.end()).toNanos();
      Arbitrary<Long> anywhere = Arbitraries.longs().between(0, nanos);
      Arbitrary<Long> onTheSecond = Arbitraries.longs().between(0, nanos / 1_000_000_000L).map(s -> s * 1_000_000_000L);
      Arbitrary<List<Long>> random = Arbitraries.oneOf(anywhere, onTheSecond).list().ofMaxSize(4);
      Arbitrary<List<Long>> equalParts = Arbitraries.integers().between(2, 5).map(parts -> {
        List<Long> offsets = new ArrayList<>();
        for (int i = 1; i < parts; i++) {
          offsets.add(nanos / parts * i);
        }
        return offsets;
      });
      return Arbitraries.oneOf(random, equalParts).map(offsets -> {
        List<Long> sorted = new ArrayList<>(offsets);
        Collections.sort(sorted);
        List<Instant> bounds = new ArrayList<>();
        bounds.add(period.start());
        sorted.forEach(offset -> bounds.add(period.start().plusNanos(offset)));
        bounds.add(period.end());
        return new Cuts(period, bounds);
      });
    });
  }

  /** One count per possible segment (at most five); only the first {@code segments()} are used. */
  @Provide
  Arbitrary<List<Long>> unitsPerSegment() {
    return Arbitraries.longs().between(0, 50_000).list().ofSize(5);
  }

  /**
   * Fees of up to five plans, often all the same (a change between plans of one price), where
   * the parts' rounding could add up to more than the full fee.
   */
  @Provide
  Arbitrary<List<Money>> fees() {
    Arbitrary<Money> fee = Arbitraries.oneOf(Arbitraries.of(1L, 3L, 5L, 7L, 999L), Arbitraries.longs().between(0, 100_000))
        .map(unscaled -> new Money(BigDecimal.valueOf(unscaled, 2), Currency.getInstance("USD")));
    return Arbitraries.oneOf(fee.map(same -> Collections.nCopies(5, same)), fee.list().ofSize(5));
  }

  @Provide
  Arbitrary<Currency> currencies() {
    return Arbitraries.of("USD", "EUR", "JPY", "BHD").map(Currency::getInstance);
  }

  @Provide
  Arbitrary<PriceModel> prices() {
    Arbitrary<String> currency = Arbitraries.of("USD", "JPY", "BHD");
    Arbitrary<String> unitAmount = Arbitraries.longs().between(0, 50_000)
        .flatMap(unscaled -> Arbitraries.integers().between(0, 5).map(scale -> BigDecimal.valueOf(unscaled, scale).toPlainString()));
    Arbitrary<List<Tier>> tiers = Combinators.combine(
            Arbitraries.longs().between(1, 20_000).set().ofMinSize(0).ofMaxSize(3),
            unitAmount.list().ofSize(4))
        .as((ends, amounts) -> {
          List<Long> sorted = new ArrayList<>(ends);
          Collections.sort(sorted);
          List<Tier> ladder = new ArrayList<>();
          for (int i = 0; i < sorted.size(); i++) {
            ladder.add(Tier.of(sorted.get(i), amounts.get(i)));
          }
          ladder.add(Tier.of(null, amounts.get(sorted.size())));
          return ladder;
        });
    return Arbitraries.oneOf(
        Combinators.combine(currency, unitAmount).as(PriceModel::perUnit),
        Combinators.combine(currency, tiers).as(PriceModel::graduated),
        Combinators.combine(currency, tiers).as(PriceModel::volume),
        Combinators.combine(currency, Arbitraries.longs().between(1, 5_000), Arbitraries.of("0", "1", "7"))
            .as(PriceModel::perPackage));
  }
}
