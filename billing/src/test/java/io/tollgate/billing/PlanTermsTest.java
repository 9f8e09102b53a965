package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static io.tollgate.billing.BillingException.INVALID_PLAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlanTermsTest {
  private static final PriceModel GRADUATED =
      PriceModel.graduated("USD", List.of(Tier.of(1000L, "0.001"), Tier.of(null, "0.0005")));

  @Test
  void hasDefaultsForEveryOptionalTerm() {
    PlanTerms plan = PlanTerms.of("Starter", GRADUATED);
    assertEquals("Starter", plan.name());
    assertEquals(Money.currency("USD"), plan.currency());
    assertEquals(0, plan.freeAllowance());
    assertEquals(Optional.empty(), plan.recurringFee());
    assertEquals(Optional.empty(), plan.rateLimit());
    assertEquals(Optional.empty(), plan.quota());
    assertEquals("0.70", plan.revenueShare().toString());
  }

  @Test
  void withersSetOneTermAndKeepTheOthers() {
    PlanTerms plan =
        PlanTerms.of("Pro", GRADUATED)
            .withFreeAllowance(100)
            .withRecurringFee(Money.of("9.99", "USD"))
            .withRateLimit(new RateLimit(50, 200))
            .withQuota(Quota.of(1_000_000, "bill"))
            .withRevenueShare(RevenueShare.of("0.8"));
    assertEquals(
        new PlanTerms(
            "Pro",
            GRADUATED,
            100,
            Optional.of(Money.of("9.99", "USD")),
            Optional.of(new RateLimit(50, 200)),
            Optional.of(new Quota(1_000_000, Quota.OnExceed.BILL)),
            new RevenueShare(new BigDecimal("0.80")),
            Optional.empty()),
        plan);
  }

  @Test
  void theFreeAllowanceComesOffBeforeThePrice() {
    PlanTerms plan = PlanTerms.of("Pro", GRADUATED).withFreeAllowance(500);
    assertEquals(0, plan.billableUnits(0));
    assertEquals(0, plan.billableUnits(500));
    assertEquals(1, plan.billableUnits(501));
    assertEquals(List.of(), plan.rateUsage(500).lines());
    // 2000 used, 1500 billable: 1000 in the first tier, 500 in the second.
    Rating rating = plan.rateUsage(2000);
    assertEquals(2, rating.lines().size());
    assertEquals(1000, rating.lines().get(0).quantity());
    assertEquals(500, rating.lines().get(1).quantity());
    assertEquals(Money.of("1.25", "USD"), rating.total());
  }

  @Test
  void refusesNegativeUsage() {
    assertThrows(IllegalArgumentException.class, () -> PlanTerms.of("P", GRADUATED).rateUsage(-1));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   "})
  void needsAName(String name) {
    assertRefused(INVALID_PLAN, "name is required", () -> PlanTerms.of(name, GRADUATED));
  }

  @Test
  void refusesANegativeFreeAllowance() {
    assertRefused(INVALID_PLAN, "free_allowance must not be negative: -1",
        () -> PlanTerms.of("P", GRADUATED).withFreeAllowance(-1));
  }

  @Test
  void refusesARecurringFeeInAnotherCurrency() {
    assertRefused(INVALID_PLAN, "recurring_fee is in EUR, not the plan's currency USD",
        () -> PlanTerms.of("P", GRADUATED).withRecurringFee(Money.of("5", "EUR")));
  }

  @Test
  void refusesANegativeRecurringFee() {
    Money negative = Money.zero(Money.currency("USD")).minus(Money.of("5", "USD"));
    assertRefused(INVALID_PLAN, "recurring_fee must not be negative: -5.00",
        () -> PlanTerms.of("P", GRADUATED).withRecurringFee(negative));
  }

  @Test
  void refusesRateLimitsOutOfRange() {
    assertRefused(INVALID_PLAN, "rate_limit.events_per_second must be between 1 and 1000000000: 0",
        () -> new RateLimit(0, 10));
    assertRefused(INVALID_PLAN, "rate_limit.burst must be between 1 and 1000000000: 0",
        () -> new RateLimit(10, 0));
    assertRefused(INVALID_PLAN, "rate_limit.burst must be between 1 and 1000000000",
        () -> new RateLimit(10, RateLimit.MAX + 1));
    assertEquals(RateLimit.MAX, new RateLimit(RateLimit.MAX, RateLimit.MAX).burst());
  }

  @Test
  void refusesBadQuotas() {
    assertRefused(INVALID_PLAN, "quota.events_per_period must be positive: 0",
        () -> Quota.of(0, "block"));
    assertRefused(INVALID_PLAN, "quota.on_exceed must be \"block\" or \"bill\": BLOCK",
        () -> Quota.of(10, "BLOCK"));
    assertRefused(INVALID_PLAN, "quota.on_exceed must be \"block\" or \"bill\": null",
        () -> Quota.of(10, null));
    assertEquals(new Quota(10, Quota.OnExceed.BLOCK), Quota.of(10, "block"));
  }
}
