package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static io.tollgate.billing.BillingException.INVALID_PRICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PriceModelTest {

  /** The lines of a rating as "quantity x unit price + flat fee = amount". */
  private static List<String> lines(Rating rating) {
    return rating.lines().stream()
        .map(l -> l.quantity() + " x " + l.unitPrice() + " + " + l.flatFee() + " = " + l.amount())
        .toList();
  }

  @Nested
  class PerUnit {
    private final PriceModel price = PriceModel.perUnit("USD", "0.001");

    @Test
    void chargesEveryUnitAtThePrice() {
      Rating rating = price.rate(1500);
      assertEquals(List.of("1500 x 0.001 + 0.00 = 1.50"), lines(rating));
      assertEquals(Money.of("1.50", "USD"), rating.total());
    }

    @Test
    void roundsTheLineHalfEven() {
      assertEquals("0.00", price.rate(5).total().toString());
      assertEquals("0.02", price.rate(15).total().toString());
    }

    @Test
    void nothingUsedCostsNothingAndHasNoLines() {
      Rating rating = price.rate(0);
      assertEquals(List.of(), rating.lines());
      assertEquals(Money.of("0", "USD"), rating.total());
    }

    @Test
    void refusesNegativeUnits() {
      assertThrows(IllegalArgumentException.class, () -> price.rate(-1));
    }

    @Test
    void refusesBadPrices() {
      assertRefused(INVALID_PRICE, "negative amount", () -> PriceModel.perUnit("USD", "-0.001"));
      assertRefused(INVALID_PRICE, "unknown currency: 'ZZZ'",
          () -> PriceModel.perUnit("ZZZ", "0.001"));
      assertRefused(INVALID_PRICE, "XXX has no minor unit",
          () -> PriceModel.perUnit("XXX", "0.001"));
    }
  }

  @Nested
  class Graduated {
    // The example of the public contract: the first 1000 free, then 0.0008 each.
    private final PriceModel price =
        PriceModel.graduated("USD", List.of(Tier.of(1000L, "0"), Tier.of(null, "0.0008")));

    @Test
    void chargesEachUnitAtItsTiersPriceWithALinePerTierReached() {
      assertEquals(List.of("500 x 0 + 0.00 = 0.00"), lines(price.rate(500)));
      assertEquals(List.of("1000 x 0 + 0.00 = 0.00"), lines(price.rate(1000)));
      assertEquals(
          List.of("1000 x 0 + 0.00 = 0.00", "1 x 0.0008 + 0.00 = 0.00"), lines(price.rate(1001)));
      Rating rating = price.rate(11000);
      assertEquals(
          List.of("1000 x 0 + 0.00 = 0.00", "10000 x 0.0008 + 0.00 = 8.00"), lines(rating));
      assertEquals(Money.of("8.00", "USD"), rating.total());
    }

    @Test
    void totalIsTheSumOfTheRoundedLinesNotTheRoundedSum() {
      // Unrounded, 0.005 + 0.005 would be 0.01; each line rounds to 0.00 first.
      PriceModel halfCents =
          PriceModel.graduated("EUR", List.of(Tier.of(1L, "0.005"), Tier.of(null, "0.005")));
      Rating rating = halfCents.rate(2);
      assertEquals(List.of("1 x 0.005 + 0.00 = 0.00", "1 x 0.005 + 0.00 = 0.00"), lines(rating));
      assertEquals(Money.of("0.00", "EUR"), rating.total());
    }

    @Test
    void chargesATiersFlatFeeOnceAnyUnitFallsInIt() {
      PriceModel withFees =
          PriceModel.graduated(
              "EUR",
              List.of(
                  Tier.of(100L, "0.01", Money.of("5.00", "EUR")),
                  Tier.of(null, "0.001", Money.of("10.00", "EUR"))));
      assertEquals(List.of("1 x 0.01 + 5.00 = 5.01"), lines(withFees.rate(1)));
      assertEquals(Money.of("5.01", "EUR"), withFees.rate(1).total());
      assertEquals(
          List.of("100 x 0.01 + 5.00 = 6.00", "1000 x 0.001 + 10.00 = 11.00"),
          lines(withFees.rate(1100)));
      assertEquals(List.of(), lines(withFees.rate(0)));
    }

    @Test
    void handlesTheLargestQuantity() {
      assertEquals(
          List.of(
              "1000 x 0 + 0.00 = 0.00",
              "9223372036854774807 x 0.0008 + 0.00 = 7378697629483819.85"),
          lines(price.rate(Long.MAX_VALUE)));
    }

    @Test
    void aSingleOpenTierIsAPerUnitPrice() {
      PriceModel single = PriceModel.graduated("USD", List.of(Tier.of(null, "0.001")));
      assertEquals(PriceModel.perUnit("USD", "0.001").rate(1500), single.rate(1500));
    }
  }

  @Nested
  class Volume {
    private final PriceModel price =
        PriceModel.volume("USD", List.of(Tier.of(1000L, "0.002"), Tier.of(null, "0.001")));

    @Test
    void chargesAllUnitsAtTheTierTheTotalFallsIn() {
      assertEquals(List.of("1 x 0.002 + 0.00 = 0.00"), lines(price.rate(1)));
      assertEquals(List.of("1000 x 0.002 + 0.00 = 2.00"), lines(price.rate(1000)));
      assertEquals(List.of("1001 x 0.001 + 0.00 = 1.00"), lines(price.rate(1001)));
      assertEquals(List.of("1500 x 0.001 + 0.00 = 1.50"), lines(price.rate(1500)));
    }

    @Test
    void addsTheFlatFeeOfThatTierOnly() {
      PriceModel withFees =
          PriceModel.volume(
              "USD",
              List.of(
                  Tier.of(10L, "1", Money.of("2", "USD")),
                  Tier.of(null, "0.5", Money.of("3", "USD"))));
      assertEquals(List.of("11 x 0.5 + 3.00 = 8.50"), lines(withFees.rate(11)));
      assertEquals(List.of(), lines(withFees.rate(0)));
    }
  }

  @Nested
  class Package {
    private final PriceModel price = PriceModel.perPackage("USD", 1000, "0.50");

    @Test
    void chargesEveryStartedPackage() {
      assertEquals(List.of("1 x 0.5 + 0.00 = 0.50"), lines(price.rate(1)));
      assertEquals(List.of("1 x 0.5 + 0.00 = 0.50"), lines(price.rate(1000)));
      assertEquals(List.of("2 x 0.5 + 0.00 = 1.00"), lines(price.rate(1001)));
      assertEquals(List.of(), lines(price.rate(0)));
    }

    @Test
    void countsPackagesWithoutOverflow() {
      assertEquals(
          List.of("9223372036854776 x 0.5 + 0.00 = 4611686018427388.00"),
          lines(price.rate(Long.MAX_VALUE)));
    }

    @Test
    void refusesBadPackages() {
      assertRefused(INVALID_PRICE, "package_size must be positive: 0",
          () -> PriceModel.perPackage("USD", 0, "0.50"));
      assertRefused(INVALID_PRICE, "too many decimals for JPY (max 0): 0.5",
          () -> PriceModel.perPackage("JPY", 10, "0.50"));
      assertRefused(INVALID_PRICE, "negative amount for package_amount",
          () -> PriceModel.perPackage("USD", 10, "-1"));
      assertRefused(INVALID_PRICE, "package_amount is required",
          () -> PriceModel.perPackage("USD", 10, null));
      assertRefused(INVALID_PRICE, "negative amount for package_amount",
          () -> new PriceModel.Package(10, Money.zero(Money.currency("USD")).minus(
              Money.of("1", "USD"))));
    }
  }

  /** Tier ladders are validated the same way for graduated and volume prices. */
  @Nested
  class Tiers {
    private void refused(String text, Tier... tiers) {
      assertRefused(INVALID_PRICE, text, () -> PriceModel.graduated("EUR", Arrays.asList(tiers)));
      assertRefused(INVALID_PRICE, text, () -> PriceModel.volume("EUR", Arrays.asList(tiers)));
    }

    @Test
    void needAtLeastOneTier() {
      refused("at least one tier is required");
      assertRefused(INVALID_PRICE, "at least one tier is required",
          () -> PriceModel.graduated("EUR", null));
    }

    @Test
    void mayBeOpenEndedOnlyAtTheEnd() {
      refused("only the last tier may have up_to null (tiers[0])",
          Tier.of(null, "0.01"), Tier.of(null, "0.02"));
      refused("only the last tier may have up_to null (tiers[1])",
          Tier.of(10L, "0.01"), Tier.of(null, "0.02"), Tier.of(20L, "0.03"));
    }

    @Test
    void mustEndOpen() {
      refused("the last tier must have up_to null", Tier.of(10L, "0.01"));
      refused("the last tier must have up_to null", Tier.of(10L, "0.01"), Tier.of(20L, "0.01"));
    }

    @Test
    void mustAscend() {
      refused("tiers must be in ascending order of up_to (tiers[1].up_to 10 < 20)",
          Tier.of(20L, "0.01"), Tier.of(10L, "0.02"), Tier.of(null, "0.03"));
    }

    @Test
    void mustNotOverlap() {
      refused("overlapping tiers: tiers[0] and tiers[1] both end at up_to 10",
          Tier.of(10L, "0.01"), Tier.of(10L, "0.02"), Tier.of(null, "0.03"));
    }

    @Test
    void mustEndAtAPositiveUnit() {
      assertRefused(INVALID_PRICE, "up_to must be positive or null: 0", () -> Tier.of(0L, "1"));
      assertRefused(INVALID_PRICE, "up_to must be positive or null: -5", () -> Tier.of(-5L, "1"));
    }

    @Test
    void mustNotBeNull() {
      refused("tiers[1] must not be null", Tier.of(10L, "0.01"), null);
    }

    @Test
    void refuseBadAmounts() {
      assertRefused(INVALID_PRICE, "negative amount for unit_amount", () -> Tier.of(10L, "-1"));
      assertRefused(INVALID_PRICE, "too many decimals for unit_amount (max 12)",
          () -> Tier.of(10L, "0.0000000000001"));
      Money minusOne = Money.zero(Money.currency("EUR")).minus(Money.of("1", "EUR"));
      assertRefused(INVALID_PRICE, "negative amount for flat_amount",
          () -> new Tier(null, UnitPrice.ZERO, Optional.of(minusOne)));
    }

    @Test
    void chargeFlatFeesInThePricesCurrency() {
      refused("tiers[0].flat_amount is in USD, not the price's currency EUR",
          Tier.of(null, "0.01", Money.of("1", "USD")));
    }

    @Test
    void areCopied() {
      List<Tier> tiers = new java.util.ArrayList<>(List.of(Tier.of(null, "1")));
      PriceModel.Graduated price = PriceModel.graduated("EUR", tiers);
      tiers.add(Tier.of(null, "2"));
      assertEquals(1, price.tiers().size());
      assertThrows(UnsupportedOperationException.class, () -> price.tiers().clear());
    }
  }

  @Test
  void everyModelKnowsItsCurrency() {
    assertEquals("JPY", PriceModel.perPackage("JPY", 1, "5").currency().getCurrencyCode());
    assertEquals("EUR", PriceModel.perUnit("EUR", "1").currency().getCurrencyCode());
    assertTrue(PriceModel.volume("BHD", List.of(Tier.of(null, "0.0001"))).rate(15)
        .total().equals(new Money(new BigDecimal("0.002"), Money.currency("BHD"))));
  }
}
