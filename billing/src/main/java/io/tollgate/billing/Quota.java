package io.tollgate.billing;

import java.util.Locale;
import java.util.Objects;

/**
 * At most {@code eventsPerPeriod} events per {@link BillingPeriod} within the plan; what happens
 * to the rest is {@code onExceed}. The arithmetic here is what a subscription asks before each
 * delivery, given what it already delivered this period.
 */
public record Quota(long eventsPerPeriod, OnExceed onExceed) {

  /** What happens to the events past the quota. */
  public enum OnExceed {
    /** They are not delivered until the next period. */
    BLOCK,
    /** They are delivered and billed at the plan's price like any other. */
    BILL
  }

  /** @throws BillingException ({@code invalid_plan}) unless the quota is positive */
  public Quota {
    if (eventsPerPeriod <= 0) {
      throw BillingException.invalidPlan(
          "quota.events_per_period must be positive: " + eventsPerPeriod);
    }
    Objects.requireNonNull(onExceed, "onExceed");
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
