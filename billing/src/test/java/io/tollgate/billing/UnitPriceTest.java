package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static io.tollgate.billing.BillingException.INVALID_PRICE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitPriceTest {
  private static final Currency USD = Currency.getInstance("USD");

  @Test
  void mayBeFinerThanTheMinorUnit() {
    assertEquals("0.0008", UnitPrice.of("0.0008").toString());
    assertEquals("0.000000000001", UnitPrice.of("0.000000000001").toString());
  }

  @Test
  void trailingZerosDoNotMakeADifferentPrice() {
    assertEquals(UnitPrice.of("0.5"), UnitPrice.of("0.50"));
    assertEquals(UnitPrice.of("1"), UnitPrice.of("1.0000000000000000"));
    assertEquals("100", new UnitPrice(new BigDecimal("1E+2")).toString());
  }

  @Test
  void refusesMoreThanTwelveDecimals() {
    assertRefused(INVALID_PRICE, "too many decimals for unit_amount (max 12): 0.0000000000001",
        () -> UnitPrice.of("0.0000000000001"));
  }

  @Test
  void refusesNegativePrices() {
    assertRefused(INVALID_PRICE, "negative amount for unit_amount", () -> UnitPrice.of("-0.01"));
    assertRefused(INVALID_PRICE, "negative amount for unit_amount",
        () -> new UnitPrice(new BigDecimal("-0.01")));
  }

  @Test
  void refusesMissingAndMalformedPrices() {
    assertRefused(INVALID_PRICE, "unit_amount is required", () -> UnitPrice.of(null));
    assertRefused(INVALID_PRICE, "unit_amount must be a plain decimal", () -> UnitPrice.of("1e-3"));
  }

  @ParameterizedTest
  @CsvSource({
    "0.0008, 1, 0.00",
    "0.0008, 7, 0.01",
    "0.0008, 1500, 1.20",
    "0.0005, 10, 0.00",
    "0.0005, 30, 0.02",
    "0.001, 0, 0.00",
  })
  void timesAQuantityIsRoundedHalfEvenToTheMinorUnit(String price, long quantity, String amount) {
    assertEquals(amount, UnitPrice.of(price).times(quantity, USD).toString());
  }
}
