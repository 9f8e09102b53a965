package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class RevenueSplitProperties {

  @Property
  void theTwoPartsAddUpToTheChargeExactly(
      @ForAll("currencies") Currency currency,
      @ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long unscaled,
      @ForAll @IntRange(max = 10_000) int basisPoints) {
    int digits = currency.getDefaultFractionDigits();
    Money charge = new Money(BigDecimal.valueOf(unscaled, digits), currency);
    RevenueShare share = new RevenueShare(BigDecimal.valueOf(basisPoints, 4));

    RevenueSplit split = RevenueSplit.of(charge, share);

    assertEquals(charge, split.producerShare().plus(split.platformFee()));
    assertEquals(
        charge.amount().multiply(share.fraction()).setScale(digits, RoundingMode.HALF_EVEN),
        split.producerShare().amount());
    assertEquals(digits, split.producerShare().amount().scale());
    assertEquals(digits, split.platformFee().amount().scale());
    assertTrue(split.producerShare().amount().abs().compareTo(charge.amount().abs()) <= 0);
    assertTrue(split.platformFee().amount().abs().compareTo(charge.amount().abs()) <= 0);
    assertTrue(split.producerShare().signum() * charge.signum() >= 0, "same sign as the charge");
    assertTrue(split.platformFee().signum() * charge.signum() >= 0, "same sign as the charge");
  }

  @Provide
  Arbitrary<Currency> currencies() {
    return Arbitraries.of("USD", "EUR", "JPY", "BHD", "CLF").map(Currency::getInstance);
  }
}
