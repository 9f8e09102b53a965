package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvoiceDraftTest {
  private static final Period NOVEMBER = PeriodScheme.parse("monthly").periodOf(Instant.parse("2026-11-15T00:00:00Z"));

  @Test
  void billsUsageBeyondTheFreeAllowancePerTierAndAddsTheRecurringFee() {
    PlanTerms terms = PlanTerms.of("starter", PriceModel.graduated("USD", List.of(
            Tier.of(1000L, "0.001"), Tier.of(null, "0.0005"))))
        .withFreeAllowance(100)
        .withRecurringFee(Money.of("5.00", "USD"));
    InvoiceDraft draft = InvoiceDraft.of(NOVEMBER, List.of(new InvoiceDraft.Usage("sub_a", "plan_a", terms, 2100)));

    List<InvoiceDraft.Line> lines = draft.lines();
    assertEquals(InvoiceDraft.LineKind.FREE_ALLOWANCE, lines.get(0).kind());
    assertEquals(100, lines.get(0).quantity());
    assertEquals(1000, lines.get(1).quantity());
    assertEquals(Money.of("1.00", "USD"), lines.get(1).amount());
    assertEquals(1000, lines.get(2).quantity());
    assertEquals(Money.of("0.50", "USD"), lines.get(2).amount());
    assertEquals(InvoiceDraft.LineKind.RECURRING_FEE, lines.get(3).kind());
    assertEquals(Money.of("6.50", "USD"), draft.totals().get(Currency.getInstance("USD")));
  }

  @Test
  void usageWithinTheAllowanceCostsNothingButIsShown() {
    PlanTerms terms = PlanTerms.of("free", PriceModel.perUnit("EUR", "0.01")).withFreeAllowance(500);
    InvoiceDraft draft = InvoiceDraft.of(NOVEMBER, List.of(new InvoiceDraft.Usage("sub_b", "plan_b", terms, 42)));
    assertEquals(1, draft.lines().size());
    assertEquals(42, draft.lines().get(0).quantity());
    assertEquals(Money.of("0.00", "EUR"), draft.totals().get(Currency.getInstance("EUR")));
  }

  @Test
  void currenciesAreTotalledApart() {
    InvoiceDraft draft = InvoiceDraft.of(NOVEMBER, List.of(
        new InvoiceDraft.Usage("s1", "p1", PlanTerms.of("a", PriceModel.perUnit("USD", "0.01")), 10),
        new InvoiceDraft.Usage("s2", "p2", PlanTerms.of("b", PriceModel.perUnit("JPY", "1")), 10)));
    assertEquals(Money.of("0.10", "USD"), draft.totals().get(Currency.getInstance("USD")));
    assertEquals(Money.of("10", "JPY"), draft.totals().get(Currency.getInstance("JPY")));
  }

  @Test
  void theLinesOfOneUsageAreWhatTheDraftShowsForIt() {
    PlanTerms terms = PlanTerms.of("starter", PriceModel.perUnit("USD", "0.001"))
        .withFreeAllowance(10)
        .withRecurringFee(Money.of("5.00", "USD"));
    InvoiceDraft.Usage usage = new InvoiceDraft.Usage("sub_a", "plan_a", terms, 2010);
    assertEquals(InvoiceDraft.of(NOVEMBER, List.of(usage)).lines(), InvoiceDraft.linesOf(usage).stream()
        .map(line -> line.during(NOVEMBER.start(), NOVEMBER.end())).toList(), "dated the whole period");
  }

  @Test
  void aDraftOfGivenLinesTotalsThemPerCurrency() {
    List<InvoiceDraft.Line> lines = List.of(
        new InvoiceDraft.Line("s1", "p1", InvoiceDraft.LineKind.RECURRING_FEE, 0, 1, null, Money.of("3.33", "USD")),
        new InvoiceDraft.Line("s1", "p2", InvoiceDraft.LineKind.RECURRING_FEE, 0, 1, null, Money.of("6.67", "USD")),
        new InvoiceDraft.Line("s2", "p3", InvoiceDraft.LineKind.USAGE, 1, 10, UnitPrice.of("1"), Money.of("10", "JPY")));
    InvoiceDraft draft = InvoiceDraft.ofLines(NOVEMBER, lines);
    assertEquals(lines, draft.lines());
    assertEquals(Money.of("10.00", "USD"), draft.totals().get(Currency.getInstance("USD")));
    assertEquals(Money.of("10", "JPY"), draft.totals().get(Currency.getInstance("JPY")));
  }
}
