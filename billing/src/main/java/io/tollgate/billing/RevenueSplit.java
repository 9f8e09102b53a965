package io.tollgate.billing;

import java.util.Objects;

/**
 * How one consumer charge is divided between the producer and the platform.
 *
 * <p>Rounding rule: the producer's share is {@code charge × share} rounded HALF_EVEN to the
 * currency's minor unit, the same rule as every other computed amount; the platform fee is
 * {@code charge − producerShare}. The platform therefore takes the rounding remainder, at most
 * half a minor unit either way, and {@code producerShare + platformFee == charge} holds exactly.
 * Since the share is in [0, 1], both parts lie between zero and the charge (for a non-negative
 * charge; a negative one, a refund, splits the same way with both parts negative).
 *
 * <p>The split is of one charge: splitting an invoice line by line and splitting its total can
 * differ by the rounding of each line, so the billing side must split the same thing (the
 * invoice total) every time.
 */
public record RevenueSplit(Money charge, Money producerShare, Money platformFee) {

  /** @throws IllegalArgumentException if the parts do not add up to the charge */
  public RevenueSplit {
    Objects.requireNonNull(charge, "charge");
    if (!producerShare.plus(platformFee).equals(charge)) {
      throw new IllegalArgumentException(
          "producer share " + producerShare + " and platform fee " + platformFee
              + " do not add up to the charge " + charge);
    }
  }

  public static RevenueSplit of(Money charge, RevenueShare share) {
    Money producer =
        Money.rounded(charge.amount().multiply(share.fraction()), charge.currency());
    return new RevenueSplit(charge, producer, charge.minus(producer));
  }
}
