package io.tollgate.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The fraction of what consumers pay that goes to the producer, in [0, 1] with at most
 * {@link #MAX_SCALE} decimals ("0.70", "0.725"). Held with at least two decimals and no other
 * trailing zeros, so "0.7" and "0.7000" are the same share and print as "0.70".
 */
public record RevenueShare(BigDecimal fraction) {
  /** Whole basis points: finer than any commercial agreement needs. */
  public static final int MAX_SCALE = 4;

  /** The producer's share when a plan does not say. */
  public static final RevenueShare DEFAULT = new RevenueShare(new BigDecimal("0.70"));

  /**
   * @throws BillingException ({@code invalid_plan}) outside [0, 1] or with more than {@link
   *     #MAX_SCALE} decimals
   */
  public RevenueShare {
    Objects.requireNonNull(fraction, "fraction");
    if (fraction.signum() < 0 || fraction.compareTo(BigDecimal.ONE) > 0) {
      throw BillingException.invalidPlan(
          "revenue_share must be between 0 and 1: " + fraction.toPlainString());
    }
    int scale = Decimals.significantScale(fraction);
    if (scale > MAX_SCALE) {
      throw BillingException.invalidPlan(
          "too many decimals for revenue_share (max " + MAX_SCALE + "): "
              + fraction.toPlainString());
    }
    fraction = fraction.setScale(Math.max(2, scale));
  }

  /** The share as the API writes it: {@code "0.70"}. */
  public static RevenueShare of(String revenueShare) {
    return new RevenueShare(
        Decimals.parseNonNegative(revenueShare, "revenue_share", BillingException.INVALID_PLAN));
  }

  @Override
  public String toString() {
    return fraction.toPlainString();
  }
}
