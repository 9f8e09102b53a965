package io.tollgate.billing;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * When a cancelled subscription ends. It streams and is billed up to that instant and not after:
 * its recurring fee and free allowance are shared over its time in the period as for a plan
 * change ({@link Proration}), so a cancel now pays the fee up to now, and a cancel at the
 * period's end pays this period in full and nothing of the next.
 */
public enum Cancellation {
  /** It ends at once. */
  NOW,
  /** It ends when the period it was cancelled in ends. */
  PERIOD_END;

  /** {@code "now"} or {@code "period_end"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The cancellation the API names {@code at}, if it names one. */
  public static Optional<Cancellation> of(String at) {
    return Arrays.stream(values()).filter(value -> value.wireName().equals(at)).findFirst();
  }

  /** The instant a subscription cancelled at {@code now} ends. */
  public Instant endsAt(Instant now, PeriodScheme periods) {
    Objects.requireNonNull(now, "now");
    return this == NOW ? now : periods.periodOf(now).end();
  }

  /**
   * Whether a subscription that ends at {@code endsAt} (empty: it does not) has ended at
   * {@code now}: from its end on, it neither streams nor is billed.
   */
  public static boolean ended(Optional<Instant> endsAt, Instant now) {
    return endsAt.filter(end -> !now.isBefore(end)).isPresent();
  }
}
