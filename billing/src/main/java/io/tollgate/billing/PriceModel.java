package io.tollgate.billing;

import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * How the billable units of one period turn into money. Every model is in one currency, and
 * {@link #rate} rounds each line HALF_EVEN to that currency's minor unit; the total is the sum
 * of the rounded lines.
 *
 * <p>The factories take the strings of the API's {@code price} object, so the broker can map
 * its JSON directly; they and the record constructors throw {@link BillingException} with code
 * {@code invalid_price} for anything they cannot accept.
 */
public sealed interface PriceModel {

  Currency currency();

  /**
   * What {@code units} billable units cost. No units cost nothing and give no lines, whatever
   * the model (a tier's flat fee is only charged when some unit falls in that tier).
   *
   * @throws IllegalArgumentException if {@code units} is negative
   */
  Rating rate(long units);

  /**
   * Where a segment's billable units stand in the period's count of its subscription, so that a
   * plan change continues the count instead of restarting it.
   *
   * @param before billable units of the subscription earlier in the period, under any plan
   * @param beforeInPlan billable units earlier in the period under this same plan
   * @param total billable units of the subscription in the whole period, under any plan
   */
  record Position(long before, long beforeInPlan, long total) {
    public Position {
      if (before < 0 || beforeInPlan < 0 || beforeInPlan > before || total < before) {
        throw new IllegalArgumentException("not a position in a period: " + before + ", " + beforeInPlan + ", " + total);
      }
    }

    /** A segment that is the whole period's usage. */
    public static Position whole(long units) {
      return new Position(0, 0, units);
    }
  }

  /**
   * The lines of {@code units} billable units standing at {@code position}, and the number (from
   * 1) of the tier of the first line.
   */
  record Slice(int firstTier, Rating rating) {}

  /**
   * What {@code units} billable units cost when they stand at {@code position} in the period's
   * count. Per unit: as {@link #rate}. Graduated: each unit at the price of the tier its place in
   * the period's count falls in, and a tier's flat fee by the slice that holds the tier's first
   * unit. Volume: every unit at the price of the tier the period's total falls in, its flat fee by
   * the slice that holds the period's last unit. Package: packages counted per plan across the
   * period, a slice paying only the packages it starts. {@code rateAt(n, whole(n))} is
   * {@code rate(n)}.
   */
  Slice rateAt(Position position, long units);

  /** {@code {"model": "per_unit", "unit_amount": "0.001"}} */
  static PerUnit perUnit(String currency, String unitAmount) {
    return new PerUnit(Money.currency(currency), UnitPrice.of(unitAmount));
  }

  /** {@code {"model": "graduated", "tiers": [...]}} */
  static Graduated graduated(String currency, List<Tier> tiers) {
    return new Graduated(Money.currency(currency), tiers);
  }

  /** {@code {"model": "volume", "tiers": [...]}} */
  static Volume volume(String currency, List<Tier> tiers) {
    return new Volume(Money.currency(currency), tiers);
  }

  /** {@code {"model": "package", "package_size": 1000, "package_amount": "0.50"}} */
  static Package perPackage(String currency, long packageSize, String packageAmount) {
    Currency resolved = Money.currency(currency);
    return new Package(
        packageSize,
        new Money(
            Decimals.parseNonNegative(
                packageAmount, "package_amount", BillingException.INVALID_PRICE),
            resolved));
  }

  /** Every unit at the same price. */
  record PerUnit(Currency currency, UnitPrice unitPrice) implements PriceModel {
    public PerUnit {
      Money.minorUnitDigits(currency);
      Objects.requireNonNull(unitPrice, "unitPrice");
    }

    @Override
    public Rating rate(long units) {
      requireUnits(units);
      return units == 0
          ? new Rating(currency, List.of())
          : new Rating(
              currency, List.of(LineItem.priced(units, unitPrice, Money.zero(currency))));
    }

    @Override
    public Slice rateAt(Position position, long units) {
      return new Slice(1, rate(units));
    }
  }

  /**
   * Each unit at the price of the tier it falls in: with tiers up to 1000 at 0 and beyond at
   * 0.001, 1500 units cost 1000 × 0 + 500 × 0.001. One line per tier reached.
   */
  record Graduated(Currency currency, List<Tier> tiers) implements PriceModel {
    public Graduated {
      Money.minorUnitDigits(currency);
      tiers = Tier.ladder(tiers, currency);
    }

    @Override
    public Rating rate(long units) {
      requireUnits(units);
      List<LineItem> lines = new ArrayList<>();
      long charged = 0;
      for (Tier tier : tiers) {
        if (charged == units) {
          break;
        }
        long end = tier.reaches(units) ? units : tier.upTo();
        lines.add(tier.line(end - charged, currency));
        charged = end;
      }
      return new Rating(currency, lines);
    }

    @Override
    public Slice rateAt(Position position, long units) {
      requireUnits(units);
      long from = position.before();
      long to = Math.addExact(from, units);
      List<LineItem> lines = new ArrayList<>();
      int firstTier = 0;
      long tierStart = 0;
      for (int i = 0; i < tiers.size() && tierStart < to; i++) {
        Tier tier = tiers.get(i);
        long tierEnd = tier.upTo() == null ? Long.MAX_VALUE : tier.upTo();
        long quantity = Math.min(to, tierEnd) - Math.max(from, tierStart);
        if (quantity > 0) {
          firstTier = firstTier == 0 ? i + 1 : firstTier;
          lines.add(tier.line(quantity, currency, tierStart >= from));
        }
        tierStart = tierEnd;
      }
      return new Slice(Math.max(firstTier, 1), new Rating(currency, lines));
    }
  }

  /**
   * Every unit at the price of the tier the total falls in: with tiers up to 1000 at 0.002 and
   * beyond at 0.001, 1500 units cost 1500 × 0.001. One line.
   */
  record Volume(Currency currency, List<Tier> tiers) implements PriceModel {
    public Volume {
      Money.minorUnitDigits(currency);
      tiers = Tier.ladder(tiers, currency);
    }

    @Override
    public Rating rate(long units) {
      requireUnits(units);
      if (units == 0) {
        return new Rating(currency, List.of());
      }
      // The ladder's last tier is open-ended, so some tier always reaches the total.
      Tier tier = tiers.stream().filter(t -> t.reaches(units)).findFirst().orElseThrow();
      return new Rating(currency, List.of(tier.line(units, currency)));
    }

    @Override
    public Slice rateAt(Position position, long units) {
      requireUnits(units);
      if (units == 0) {
        return new Slice(1, new Rating(currency, List.of()));
      }
      int index = 0;
      while (!tiers.get(index).reaches(position.total())) {
        index++;
      }
      boolean holdsTheLastUnit = Math.addExact(position.before(), units) == position.total();
      return new Slice(index + 1, new Rating(currency, List.of(tiers.get(index).line(units, currency, holdsTheLastUnit))));
    }
  }

  /**
   * Units sold in whole packages: every started package of {@code packageSize} units costs
   * {@code packageAmount}. The line's quantity is the number of packages.
   */
  record Package(long packageSize, Money packageAmount) implements PriceModel {
    public Package {
      if (packageSize <= 0) {
        throw BillingException.invalidPrice("package_size must be positive: " + packageSize);
      }
      Objects.requireNonNull(packageAmount, "packageAmount");
      if (packageAmount.signum() < 0) {
        throw BillingException.invalidPrice("negative amount for package_amount: " + packageAmount);
      }
    }

    @Override
    public Currency currency() {
      return packageAmount.currency();
    }

    @Override
    public Rating rate(long units) {
      requireUnits(units);
      if (units == 0) {
        return new Rating(currency(), List.of());
      }
      return new Rating(currency(), List.of(
          LineItem.priced(packagesFor(units), new UnitPrice(packageAmount.amount()), Money.zero(currency()))));
    }

    @Override
    public Slice rateAt(Position position, long units) {
      requireUnits(units);
      long packages = packagesFor(Math.addExact(position.beforeInPlan(), units)) - packagesFor(position.beforeInPlan());
      return new Slice(1, new Rating(currency(), packages == 0 ? List.of()
          : List.of(LineItem.priced(packages, new UnitPrice(packageAmount.amount()), Money.zero(currency())))));
    }

    /** Ceiling division without the overflow of (units + size - 1) / size near Long.MAX_VALUE. */
    private long packagesFor(long units) {
      return units / packageSize + (units % packageSize == 0 ? 0 : 1);
    }
  }

  private static void requireUnits(long units) {
    if (units < 0) {
      throw new IllegalArgumentException("units must not be negative: " + units);
    }
  }
}
