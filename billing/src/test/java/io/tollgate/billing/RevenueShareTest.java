package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static io.tollgate.billing.BillingException.INVALID_PLAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RevenueShareTest {

  @ParameterizedTest
  @CsvSource({"0.7, 0.70", "0.70, 0.70", "0.7000, 0.70", "0.725, 0.725", "0.0001, 0.0001",
      "1, 1.00", "0, 0.00"})
  void isHeldWithAtLeastTwoDecimals(String input, String printed) {
    assertEquals(printed, RevenueShare.of(input).toString());
    assertEquals(RevenueShare.of(printed), RevenueShare.of(input));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0001", "2"})
  void refusesMoreThanTheWhole(String share) {
    assertRefused(
        INVALID_PLAN, "revenue_share must be between 0 and 1", () -> RevenueShare.of(share));
  }

  @Test
  void refusesANegativeShare() {
    assertRefused(INVALID_PLAN, "negative amount for revenue_share", () -> RevenueShare.of("-0.1"));
    assertRefused(INVALID_PLAN, "revenue_share must be between 0 and 1",
        () -> new RevenueShare(new java.math.BigDecimal("-0.1")));
  }

  @Test
  void refusesMoreThanFourDecimals() {
    assertRefused(INVALID_PLAN, "too many decimals for revenue_share (max 4): 0.72501",
        () -> RevenueShare.of("0.72501"));
  }

  @Test
  void refusesMissingAndMalformedShares() {
    assertRefused(INVALID_PLAN, "revenue_share is required", () -> RevenueShare.of(null));
    assertRefused(
        INVALID_PLAN, "revenue_share must be a plain decimal", () -> RevenueShare.of("70%"));
  }
}
