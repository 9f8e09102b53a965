package io.tollgate.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A plan's trial: the first {@code trial_days} days of a subscription created on it cost nothing,
 * fee and usage alike. The trial belongs to the subscription's start: it is fixed by the plan the
 * subscription was created on, and a plan change neither restarts, extends nor ends it.
 */
public final class Trial {
  /** The longest trial a plan may give, about ten years. */
  public static final long MAX_DAYS = 3650;

  private Trial() {}

  /** @throws BillingException ({@code invalid_plan}) for a negative trial or one over {@link #MAX_DAYS} */
  public static long checkedDays(long days) {
    if (days < 0 || days > MAX_DAYS) {
      throw BillingException.invalidPlan("trial_days must be between 0 and " + MAX_DAYS + ": " + days);
    }
    return days;
  }

  /** When the trial of a subscription created at {@code start} ends; empty without a trial. */
  public static Optional<Instant> endsAt(Instant start, long days) {
    return checkedDays(days) == 0 ? Optional.empty() : Optional.of(start.plus(Duration.ofDays(days)));
  }
}
