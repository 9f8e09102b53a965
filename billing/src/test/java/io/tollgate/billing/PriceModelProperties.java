package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Rules of rating that must hold for every price, checked on generated ones. Expected amounts are
 * computed here independently, from the definition, rather than through the code under test.
 */
class PriceModelProperties {
  private static final List<String> CURRENCIES = List.of("USD", "EUR", "JPY", "BHD", "CLF");

  @Property
  void graduatedTotalIsTheSumOfItsLinesEachPricedAtItsTier(
      @ForAll("ladders") Ladder ladder, @ForAll @LongRange(max = 300_000) long units) {
    PriceModel.Graduated price = new PriceModel.Graduated(ladder.currency, ladder.tiers);
    Rating rating = price.rate(units);

    long quantity = 0;
    BigDecimal sum = BigDecimal.ZERO.setScale(ladder.currency.getDefaultFractionDigits());
    long previousEnd = 0;
    for (int i = 0; i < rating.lines().size(); i++) {
      Tier tier = ladder.tiers.get(i);
      LineItem line = rating.lines().get(i);
      long tierEnd = tier.upTo() == null ? Long.MAX_VALUE : tier.upTo();
      assertEquals(Math.min(units, tierEnd) - previousEnd, line.quantity(), "tier " + i);
      assertEquals(tier.unitPrice(), line.unitPrice());
      assertEquals(expectedAmount(line.quantity(), tier, ladder.currency), line.amount().amount());
      quantity += line.quantity();
      sum = sum.add(line.amount().amount());
      previousEnd = tierEnd;
    }
    assertEquals(units, quantity, "every unit is on exactly one line");
    assertEquals(tiersReached(ladder, units), rating.lines().size());
    assertEquals(sum, rating.total().amount());
  }

  @Property
  void graduatedIsMonotonicInUnits(
      @ForAll("ladders") Ladder ladder,
      @ForAll @LongRange(max = 300_000) long a,
      @ForAll @LongRange(max = 300_000) long b) {
    PriceModel price = new PriceModel.Graduated(ladder.currency, ladder.tiers);
    long fewer = Math.min(a, b);
    long more = Math.max(a, b);
    assertTrue(price.rate(fewer).total().compareTo(price.rate(more).total()) <= 0,
        () -> fewer + " units cost more than " + more);
  }

  @Property
  void volumeAtEachTierBoundaryUsesTheRightTier(@ForAll("ladders") Ladder ladder) {
    PriceModel price = new PriceModel.Volume(ladder.currency, ladder.tiers);
    long start = 1;
    for (Tier tier : ladder.tiers) {
      assertChargedAt(price, start, tier);
      if (tier.upTo() != null) {
        assertChargedAt(price, tier.upTo(), tier);
        start = tier.upTo() + 1;
      }
    }
  }

  private static void assertChargedAt(PriceModel price, long units, Tier tier) {
    List<LineItem> lines = price.rate(units).lines();
    assertEquals(1, lines.size());
    LineItem line = lines.get(0);
    assertEquals(units, line.quantity());
    assertEquals(tier.unitPrice(), line.unitPrice(), "unit price at " + units);
    assertEquals(expectedAmount(units, tier, price.currency()), line.amount().amount());
  }

  @Property
  void packageChargesEveryStartedPackage(
      @ForAll("currencies") Currency currency,
      @ForAll @LongRange(min = 1, max = 1_000_000) long packageSize,
      @ForAll @LongRange(max = 1_000_000) long unscaledAmount,
      @ForAll @LongRange(min = 1) long units) {
    Money packageAmount = atMinorUnit(unscaledAmount, currency);
    Rating rating = new PriceModel.Package(packageSize, packageAmount).rate(units);
    BigInteger[] division =
        BigInteger.valueOf(units).divideAndRemainder(BigInteger.valueOf(packageSize));
    BigInteger packages =
        division[0].add(division[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE);

    assertEquals(1, rating.lines().size());
    assertEquals(packages.longValueExact(), rating.lines().get(0).quantity());
    assertEquals(
        packageAmount.amount().multiply(new BigDecimal(packages)), rating.total().amount());
  }

  @Property
  void everyAmountHasExactlyTheCurrencysScale(
      @ForAll("models") PriceModel price, @ForAll @LongRange(max = 10_000_000) long units) {
    int digits = price.currency().getDefaultFractionDigits();
    Rating rating = price.rate(units);
    assertEquals(digits, rating.total().amount().scale());
    for (LineItem line : rating.lines()) {
      assertEquals(digits, line.amount().amount().scale());
      assertEquals(digits, line.flatFee().amount().scale());
      assertEquals(price.currency(), line.amount().currency());
    }
  }

  @Property
  void ratingNeverProducesNegativeAmounts(
      @ForAll("models") PriceModel price, @ForAll @LongRange long units) {
    Rating rating = price.rate(units);
    assertTrue(rating.total().signum() >= 0);
    for (LineItem line : rating.lines()) {
      assertTrue(line.amount().signum() >= 0);
      assertTrue(line.quantity() >= 0);
    }
  }

  // ---- expectations from the definitions

  private static BigDecimal expectedAmount(long quantity, Tier tier, Currency currency) {
    BigDecimal variable =
        tier.unitPrice().amount().multiply(BigDecimal.valueOf(quantity))
            .setScale(currency.getDefaultFractionDigits(), RoundingMode.HALF_EVEN);
    return tier.flatFee().map(fee -> variable.add(fee.amount())).orElse(variable);
  }

  /** The tiers with at least one unit of {@code units} in them. */
  private static int tiersReached(Ladder ladder, long units) {
    int reached = 0;
    long previousEnd = 0;
    for (Tier tier : ladder.tiers) {
      if (units > previousEnd) {
        reached++;
      }
      previousEnd = tier.upTo() == null ? Long.MAX_VALUE : tier.upTo();
    }
    return reached;
  }

  private static Money atMinorUnit(long unscaled, Currency currency) {
    return new Money(BigDecimal.valueOf(unscaled, currency.getDefaultFractionDigits()), currency);
  }

  // ---- generators

  /** A valid tier ladder: ascending ends, the last one open, optional flat fees. */
  record Ladder(Currency currency, List<Tier> tiers) {}

  @Provide
  Arbitrary<Currency> currencies() {
    return Arbitraries.of(CURRENCIES).map(Currency::getInstance);
  }

  /** Prices from 0 to 1000 per unit, with 0 to 12 decimals. */
  static Arbitrary<UnitPrice> unitPrices() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 1_000_000_000_000L),
            Arbitraries.integers().between(0, 12))
        .as((unscaled, scale) -> new UnitPrice(BigDecimal.valueOf(unscaled, scale)));
  }

  @Provide
  Arbitrary<Ladder> ladders() {
    return currencies().flatMap(currency ->
        Arbitraries.longs().between(1, 200_000).set().ofMaxSize(5).flatMap(bounds -> {
          List<Long> ends = new ArrayList<>(new TreeSet<>(bounds));
          ends.add(null);
          Arbitrary<Optional<Money>> fees =
              Arbitraries.longs().between(0, 100_000).map(u -> atMinorUnit(u, currency))
                  .optional(0.3);
          return Combinators.combine(unitPrices(), fees).as(PricedStep::new)
              .list().ofSize(ends.size())
              .map(steps -> {
                List<Tier> tiers = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                  tiers.add(new Tier(ends.get(i), steps.get(i).price, steps.get(i).fee));
                }
                return new Ladder(currency, tiers);
              });
        }));
  }

  private record PricedStep(UnitPrice price, Optional<Money> fee) {}

  @Provide
  Arbitrary<PriceModel> models() {
    Arbitrary<PriceModel> perUnit =
        Combinators.combine(currencies(), unitPrices()).as(PriceModel.PerUnit::new);
    Arbitrary<PriceModel> graduated =
        ladders().map(l -> new PriceModel.Graduated(l.currency, l.tiers));
    Arbitrary<PriceModel> volume = ladders().map(l -> new PriceModel.Volume(l.currency, l.tiers));
    Arbitrary<PriceModel> packaged =
        Combinators.combine(
                currencies(),
                Arbitraries.longs().between(1, 1_000_000),
                Arbitraries.longs().between(0, 1_000_000))
            .as((currency, size, unscaled) ->
                new PriceModel.Package(size, atMinorUnit(unscaled, currency)));
    return Arbitraries.oneOf(perUnit, graduated, volume, packaged);
  }
}
