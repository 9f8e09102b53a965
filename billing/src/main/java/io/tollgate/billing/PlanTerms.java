package io.tollgate.billing;

import java.util.Currency;
import java.util.Objects;
import java.util.Optional;

/**
 * The commercial terms of a plan, validated on construction: a {@code PlanTerms} that exists is
 * one the broker may sell. Build one with {@link #of} and the {@code with...} methods, one per
 * optional field of the API's plan object.
 *
 * @param freeAllowance units free in each period, taken off before the price applies
 * @param recurringFee charged once per period whatever the usage
 * @param revenueShare the producer's share of what consumers pay
 * @param bytesPrice the price of the bytes acknowledged, a second meter next to the events; empty:
 *     bytes cost nothing
 */
public record PlanTerms(
    String name,
    PriceModel price,
    long freeAllowance,
    Optional<Money> recurringFee,
    Optional<RateLimit> rateLimit,
    Optional<Quota> quota,
    RevenueShare revenueShare,
    Optional<BytesPrice> bytesPrice) {

  /**
   * @throws BillingException ({@code invalid_plan}) for a blank name, a negative free
   *     allowance, or a negative recurring fee or one in another currency than the price;
   *     ({@code invalid_price}) for a bytes price in another currency than the price
   */
  public PlanTerms {
    if (name == null || name.isBlank()) {
      throw BillingException.invalidPlan("name is required");
    }
    Objects.requireNonNull(price, "price");
    if (freeAllowance < 0) {
      throw BillingException.invalidPlan("free_allowance must not be negative: " + freeAllowance);
    }
    Objects.requireNonNull(recurringFee, "recurringFee");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(revenueShare, "revenueShare");
    Objects.requireNonNull(bytesPrice, "bytesPrice");
    if (bytesPrice.isPresent() && !bytesPrice.get().currency().equals(price.currency())) {
      throw BillingException.invalidPrice("bytes_price is in " + bytesPrice.get().currency()
          + ", not the plan's currency " + price.currency());
    }
    if (recurringFee.isPresent()) {
      Money fee = recurringFee.get();
      if (!fee.currency().equals(price.currency())) {
        throw BillingException.invalidPlan(
            "recurring_fee is in " + fee.currency() + ", not the plan's currency "
                + price.currency());
      }
      if (fee.signum() < 0) {
        throw BillingException.invalidPlan("recurring_fee must not be negative: " + fee);
      }
    }
  }

  /** A plan with no free allowance, fee, rate limit or quota, and the default revenue share. */
  public static PlanTerms of(String name, PriceModel price) {
    return new PlanTerms(
        name,
        price,
        0,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        RevenueShare.DEFAULT,
        Optional.empty());
  }

  public PlanTerms withFreeAllowance(long units) {
    return new PlanTerms(name, price, units, recurringFee, rateLimit, quota, revenueShare, bytesPrice);
  }

  public PlanTerms withRecurringFee(Money fee) {
    return new PlanTerms(
        name, price, freeAllowance, Optional.of(fee), rateLimit, quota, revenueShare, bytesPrice);
  }

  public PlanTerms withRateLimit(RateLimit limit) {
    return new PlanTerms(
        name, price, freeAllowance, recurringFee, Optional.of(limit), quota, revenueShare, bytesPrice);
  }

  public PlanTerms withQuota(Quota periodQuota) {
    return new PlanTerms(
        name, price, freeAllowance, recurringFee, rateLimit, Optional.of(periodQuota),
        revenueShare, bytesPrice);
  }

  public PlanTerms withRevenueShare(RevenueShare share) {
    return new PlanTerms(name, price, freeAllowance, recurringFee, rateLimit, quota, share, bytesPrice);
  }

  public PlanTerms withBytesPrice(BytesPrice bytes) {
    return new PlanTerms(
        name, price, freeAllowance, recurringFee, rateLimit, quota, revenueShare, Optional.of(bytes));
  }

  public Currency currency() {
    return price.currency();
  }

  /** The units of a period that are paid for: those beyond the free allowance. */
  public long billableUnits(long used) {
    if (used < 0) {
      throw new IllegalArgumentException("used must not be negative: " + used);
    }
    return Math.max(0, used - freeAllowance);
  }

  /**
   * What {@code used} units of one period cost under the price, after the free allowance: tier
   * boundaries count billable units, so the first billable unit is unit 1 of the first tier. The
   * recurring fee is not included: it is due whatever the usage.
   */
  public Rating rateUsage(long used) {
    return price.rate(billableUnits(used));
  }

  /**
   * Of {@code units} acknowledged after {@code before} others in the period, the billable ones
   * priced at the quota's overage price rather than by the price model: those past the quota,
   * but never one within the free allowance, which is free first. Zero without an overage price.
   */
  public long overageUnits(long before, long units) {
    return quota.filter(q -> q.overagePrice().isPresent())
        .map(q -> Math.min(billableUnits(units), q.pastQuota(before, units)))
        .orElse(0L);
  }
}
