package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RevenueSplitTest {

  @ParameterizedTest(name = "{0} {1} at {2}: producer {3}, platform {4}")
  @CsvSource({
    "10.00, EUR, 0.70, 7.00, 3.00",
    // 0.035 rounds half-even to 0.04; the platform takes what is left.
    "0.05, EUR, 0.70, 0.04, 0.01",
    // 0.125 rounds half-even to 0.12.
    "0.25, EUR, 0.50, 0.12, 0.13",
    "0.01, EUR, 0.70, 0.01, 0.00",
    "0.01, EUR, 0.3333, 0.00, 0.01",
    "5, JPY, 0.70, 4, 1",
    "1.000, BHD, 0.3333, 0.333, 0.667",
    "10.00, EUR, 0, 0.00, 10.00",
    "10.00, EUR, 1, 10.00, 0.00",
    "0.00, EUR, 0.70, 0.00, 0.00",
  })
  void theProducerGetsTheShareRoundedHalfEvenAndThePlatformTheRest(
      String charge, String currency, String share, String producer, String platform) {
    RevenueSplit split = RevenueSplit.of(Money.of(charge, currency), RevenueShare.of(share));
    assertEquals(producer, split.producerShare().toString());
    assertEquals(platform, split.platformFee().toString());
    assertEquals(split.charge(), split.producerShare().plus(split.platformFee()));
  }

  @Test
  void aRefundSplitsTheSameWayNegated() {
    Money refund = Money.zero(Money.currency("EUR")).minus(Money.of("0.05", "EUR"));
    RevenueSplit split = RevenueSplit.of(refund, RevenueShare.DEFAULT);
    assertEquals("-0.04", split.producerShare().toString());
    assertEquals("-0.01", split.platformFee().toString());
  }

  @Test
  void partsMustAddUpToTheCharge() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RevenueSplit(
            Money.of("1.00", "EUR"), Money.of("0.70", "EUR"), Money.of("0.31", "EUR")));
  }
}
