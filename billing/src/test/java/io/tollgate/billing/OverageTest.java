package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.billing.InvoiceDraft.Line;
import io.tollgate.billing.InvoiceDraft.LineKind;
import io.tollgate.billing.Proration.Segment;
import io.tollgate.billing.Proration.SegmentWithPlan;
import io.tollgate.protocols.v1.journal.PerUnit;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Events past a quota that bills them, priced at the quota's overage price. */
class OverageTest {
  private static final Period NOVEMBER = PeriodScheme.parse("monthly").periodOf(Instant.parse("2026-11-15T00:00:00Z"));
  private static final Instant DAY_10 = Instant.parse("2026-11-11T00:00:00Z");

  private static PlanTerms withOverage(PriceModel price, long quota, String overage) {
    return PlanTerms.of("metered", price).withQuota(Quota.of(quota, "bill").withOveragePrice(UnitPrice.of(overage)));
  }

  @Test
  void eventsPastTheQuotaArePricedAtTheOveragePriceOnTheirOwnLine() {
    PlanTerms terms = withOverage(PriceModel.perUnit("USD", "0.01"), 100, "0.05");
    List<Line> lines = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, 150));
    assertEquals(List.of(
        new Line("sub", "plan", LineKind.USAGE, 1, 100, UnitPrice.of("0.01"), Money.of("1.00", "USD")),
        new Line("sub", "plan", LineKind.OVERAGE, 0, 50, UnitPrice.of("0.05"), Money.of("2.50", "USD"))), lines);
  }

  @Test
  void withinTheQuotaThereIsNoOverageLine() {
    PlanTerms terms = withOverage(PriceModel.perUnit("USD", "0.01"), 100, "0.05");
    assertEquals(List.of(LineKind.USAGE),
        InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, 100)).stream().map(Line::kind).toList());
  }

  @Test
  void theFreeAllowanceComesFirstEvenPastTheQuota() {
    PlanTerms terms = withOverage(PriceModel.perUnit("USD", "0.01"), 100, "0.05").withFreeAllowance(120);
    List<Line> lines = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, 150));
    assertEquals(List.of(
        new Line("sub", "plan", LineKind.FREE_ALLOWANCE, 0, 120, UnitPrice.of("0"), Money.of("0.00", "USD")),
        new Line("sub", "plan", LineKind.OVERAGE, 0, 30, UnitPrice.of("0.05"), Money.of("1.50", "USD"))), lines);
  }

  @Test
  void tiersCountOnlyTheEventsWithinTheQuota() {
    PriceModel graduated = PriceModel.graduated("USD", List.of(Tier.of(50L, "0.02"), Tier.of(null, "0.01")));
    PlanTerms terms = withOverage(graduated, 100, "0.05").withFreeAllowance(10);
    List<Line> lines = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, 300));
    assertEquals(List.of(
        new Line("sub", "plan", LineKind.FREE_ALLOWANCE, 0, 10, UnitPrice.of("0"), Money.of("0.00", "USD")),
        new Line("sub", "plan", LineKind.USAGE, 1, 50, UnitPrice.of("0.02"), Money.of("1.00", "USD")),
        new Line("sub", "plan", LineKind.USAGE, 2, 40, UnitPrice.of("0.01"), Money.of("0.40", "USD")),
        new Line("sub", "plan", LineKind.OVERAGE, 0, 200, UnitPrice.of("0.05"), Money.of("10.00", "USD"))), lines);
  }

  @Test
  void theQuotaCountsTheWholePeriodAcrossAPlanChangeAndEachSegmentPaysItsOwnPlansOveragePrice() {
    PlanTerms basic = withOverage(PriceModel.perUnit("USD", "0.01"), 100, "0.05");
    PlanTerms pro = withOverage(PriceModel.perUnit("USD", "0.02"), 100, "0.10");
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("basic", new Segment(basic, NOVEMBER.start(), DAY_10, 80)),
        new SegmentWithPlan("pro", new Segment(pro, DAY_10, NOVEMBER.end(), 50))));
    assertEquals(List.of(
        new Line("sub", "basic", LineKind.USAGE, 1, 80, UnitPrice.of("0.01"), Money.of("0.80", "USD"), NOVEMBER.start(), DAY_10),
        new Line("sub", "pro", LineKind.USAGE, 1, 20, UnitPrice.of("0.02"), Money.of("0.40", "USD"), DAY_10, NOVEMBER.end()),
        new Line("sub", "pro", LineKind.OVERAGE, 0, 30, UnitPrice.of("0.10"), Money.of("3.00", "USD"), DAY_10, NOVEMBER.end())),
        lines);
  }

  @Test
  void aQuotaThatBlocksCannotHaveAnOveragePrice() {
    BillingException refused = assertThrows(BillingException.class,
        () -> Quota.of(100, "block").withOveragePrice(UnitPrice.of("0.05")));
    assertEquals(BillingException.INVALID_PLAN, refused.code());
  }

  @Test
  void theOveragePriceIsReadFromTheJournalAndItsAbsenceIsNoOverage() {
    io.tollgate.protocols.v1.journal.PlanTerms.Builder proto = io.tollgate.protocols.v1.journal.PlanTerms.newBuilder()
        .setCurrency("USD")
        .setPrice(io.tollgate.protocols.v1.journal.PriceModel.newBuilder()
            .setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01")))
        .setQuota(io.tollgate.protocols.v1.journal.Quota.newBuilder().setEventsPerPeriod(100).setOnExceed("bill"));
    assertEquals(java.util.Optional.empty(), PlanTermsProto.fromProto("p", proto.build()).quota().orElseThrow().overagePrice());
    proto.getQuotaBuilder().setOverageUnitAmount("0.05");
    assertEquals(java.util.Optional.of(UnitPrice.of("0.05")),
        PlanTermsProto.fromProto("p", proto.build()).quota().orElseThrow().overagePrice());
  }

  @Property
  void everyBillableEventIsOnAUsageOrAnOverageLineAndOnlyThosePastTheQuotaAreOverage(
      @ForAll @LongRange(max = 10_000) long units, @ForAll @LongRange(min = 1, max = 10_000) long quota,
      @ForAll @LongRange(max = 10_000) long allowance) {
    PlanTerms terms = withOverage(PriceModel.perUnit("USD", "0.01"), quota, "0.05").withFreeAllowance(allowance);
    List<Line> lines = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, units));
    long usage = quantity(lines, LineKind.USAGE);
    long overage = quantity(lines, LineKind.OVERAGE);
    assertEquals(terms.billableUnits(units), usage + overage);
    assertEquals(Math.min(terms.billableUnits(units), Math.max(0, units - quota)), overage);
  }

  @Property
  void withoutAnOveragePriceTheLinesAreThoseOfAPlanWithoutQuota(
      @ForAll @LongRange(max = 10_000) long units, @ForAll @LongRange(min = 1, max = 10_000) long quota) {
    PlanTerms plain = PlanTerms.of("plan", PriceModel.perUnit("USD", "0.01"));
    assertEquals(InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", plain, units)),
        InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", plain.withQuota(Quota.of(quota, "bill")), units)));
  }

  private static long quantity(List<Line> lines, LineKind kind) {
    return lines.stream().filter(line -> line.kind() == kind).mapToLong(Line::quantity).sum();
  }
}
