package io.tollgate.billing;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * At most {@code eventsPerPeriod} events per {@link BillingPeriod} within the plan; what happens
 * to the rest is {@code onExceed}. The arithmetic here is what a subscription asks before each
 * delivery, given what it already delivered this period.
 *
 * @param overagePrice with {@link OnExceed#BILL} only: the price of each event past the quota,
 *     instead of the plan's price model; empty: they are priced like any other
 */
public record Quota(long eventsPerPeriod, OnExceed onExceed, Optional<UnitPrice> overagePrice) {

  /** What happens to the events past the quota. */
  public enum OnExceed {
    /** They are not delivered until the next period. */
    BLOCK,
    /** They are delivered and billed: at the overage price when there is one, else like any other. */
    BILL
  }

  /**
   * @throws BillingException ({@code invalid_plan}) unless the quota is positive, or for an
   *     overage price on a quota that blocks (nothing past it is ever delivered)
   */
  public Quota {
    if (eventsPerPeriod <= 0) {
      throw BillingException.invalidPlan(
          "quota.events_per_period must be positive: " + eventsPerPeriod);
    }
    Objects.requireNonNull(onExceed, "onExceed");
    Objects.requireNonNull(overagePrice, "overagePrice");
    if (overagePrice.isPresent() && onExceed != OnExceed.BILL) {
      throw BillingException.invalidPlan(
          "quota.overage_unit_amount needs \"on_exceed\": \"bill\"; a blocking quota delivers nothing past it");
    }
  }

  /** A quota without an overage price. */
  public Quota(long eventsPerPeriod, OnExceed onExceed) {
    this(eventsPerPeriod, onExceed, Optional.empty());
  }

  /**
   * The quota as the API writes it: {@code {"events_per_period": 100000, "on_exceed": "block"}}.
   *
   * @throws BillingException ({@code invalid_plan}) for a non-positive quota, or an
   *     {@code onExceed} other than "block" or "bill"
   */
  public static Quota of(long eventsPerPeriod, String onExceed) {
    if (!"block".equals(onExceed) && !"bill".equals(onExceed)) {
      throw BillingException.invalidPlan(
          "quota.on_exceed must be \"block\" or \"bill\": " + onExceed);
    }
    return new Quota(eventsPerPeriod, OnExceed.valueOf(onExceed.toUpperCase(Locale.ROOT)));
  }

  /**
   * The quota with events past it priced at {@code price} each.
   *
   * @throws BillingException ({@code invalid_plan}) unless the quota bills what exceeds it
   */
  public Quota withOveragePrice(UnitPrice price) {
    return new Quota(eventsPerPeriod, onExceed, Optional.of(price));
  }

  /**
   * How many of {@code units} events, acknowledged after {@code before} others in the period,
   * lie past the quota: the last ones, never more than {@code units}.
   */
  public long pastQuota(long before, long units) {
    requireUsed(before);
    requireUsed(units);
    return Math.max(0, Math.min(units, Math.addExact(before, units) - eventsPerPeriod));
  }

  /** Events left within the quota after {@code used} this period; never negative. */
  public long remaining(long used) {
    requireUsed(used);
    return Math.max(0, eventsPerPeriod - used);
  }

  public boolean exceeded(long used) {
    requireUsed(used);
    return used >= eventsPerPeriod;
  }

  /**
   * How many of {@code requested} further events may be delivered after {@code used} this
   * period: all of them when the excess is billed, else no more than the quota has left.
   */
  public long admit(long requested, long used) {
    if (requested < 0) {
      throw new IllegalArgumentException("requested must not be negative: " + requested);
    }
    requireUsed(used);
    return onExceed == OnExceed.BILL ? requested : Math.min(requested, remaining(used));
  }

  private static void requireUsed(long used) {
    if (used < 0) {
      throw new IllegalArgumentException("used must not be negative: " + used);
    }
  }
}
