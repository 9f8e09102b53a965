package io.tollgate.billing;

import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a {@link PriceModel.Graduated graduated} or {@link PriceModel.Volume volume}
 * price: the units up to and including {@code upTo} (counted from the first unit of the period)
 * cost {@code unitPrice} each, plus {@code flatFee} once when any unit falls in this tier.
 *
 * @param upTo the last unit this tier covers; {@code null} means no end, and only the last tier
 *     of a model may have it
 */
public record Tier(Long upTo, UnitPrice unitPrice, Optional<Money> flatFee) {

  /**
   * @throws BillingException ({@code invalid_price}) if {@code upTo} is not positive or the flat
   *     fee is negative
   */
  public Tier {
    Objects.requireNonNull(unitPrice, "unitPrice");
    Objects.requireNonNull(flatFee, "flatFee");
    if (upTo != null && upTo <= 0) {
      throw BillingException.invalidPrice("up_to must be positive or null: " + upTo);
    }
    if (flatFee.isPresent() && flatFee.get().signum() < 0) {
      throw BillingException.invalidPrice("negative amount for flat_amount: " + flatFee.get());
    }
  }

  /**
   * A tier without a flat fee, as the API writes it: {@code {"up_to": 1000, "unit_amount": "0"}}.
   */
  public static Tier of(Long upTo, String unitAmount) {
    return new Tier(upTo, UnitPrice.of(unitAmount), Optional.empty());
  }

  /** A tier that also charges {@code flatFee} once when any unit falls in it. */
  public static Tier of(Long upTo, String unitAmount, Money flatFee) {
    return new Tier(upTo, UnitPrice.of(unitAmount), Optional.of(flatFee));
  }

  /** Whether this tier's range ends at or after {@code unit} (1-based, from the period's start). */
  boolean reaches(long unit) {
    return upTo == null || unit <= upTo;
  }

  /** The line for {@code quantity} units charged at this tier. */
  LineItem line(long quantity, Currency currency) {
    return line(quantity, currency, true);
  }

  /** {@code withFlatFee} false: the tier's flat fee was charged by an earlier part of the period. */
  LineItem line(long quantity, Currency currency, boolean withFlatFee) {
    return LineItem.priced(quantity, unitPrice,
        withFlatFee ? flatFee.orElseGet(() -> Money.zero(currency)) : Money.zero(currency));
  }

  /**
   * Checks that {@code tiers} form a ladder: at least one tier, strictly ascending ends, only the
   * last one open-ended (so every quantity has a tier), flat fees in {@code currency}.
   *
   * @return an unmodifiable copy
   * @throws BillingException ({@code invalid_price}) naming the first offending tier
   */
  static List<Tier> ladder(List<Tier> tiers, Currency currency) {
    if (tiers == null || tiers.isEmpty()) {
      throw BillingException.invalidPrice("at least one tier is required");
    }
    Long previous = null;
    for (int i = 0; i < tiers.size(); i++) {
      Tier tier = tiers.get(i);
      if (tier == null) {
        throw BillingException.invalidPrice("tiers[" + i + "] must not be null");
      }
      boolean last = i == tiers.size() - 1;
      if (tier.upTo == null && !last) {
        throw BillingException.invalidPrice(
            "only the last tier may have up_to null (tiers[" + i + "])");
      }
      if (tier.upTo != null && last) {
        throw BillingException.invalidPrice(
            "the last tier must have up_to null so that every quantity has a price");
      }
      if (previous != null && tier.upTo != null) {
        if (tier.upTo < previous) {
          throw BillingException.invalidPrice(
              "tiers must be in ascending order of up_to (tiers[" + i + "].up_to " + tier.upTo
                  + " < " + previous + ")");
        }
        if (tier.upTo.equals(previous)) {
          throw BillingException.invalidPrice(
              "overlapping tiers: tiers[" + (i - 1) + "] and tiers[" + i + "] both end at up_to "
                  + previous);
        }
      }
      if (tier.flatFee.isPresent() && !tier.flatFee.get().currency().equals(currency)) {
        throw BillingException.invalidPrice(
            "tiers[" + i + "].flat_amount is in " + tier.flatFee.get().currency()
                + ", not the price's currency " + currency);
      }
      previous = tier.upTo;
    }
    return List.copyOf(tiers);
  }
}
