package io.tollgate.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * One billing period: a calendar month in UTC, from the first instant of the month (inclusive)
 * to the first instant of the next (exclusive). UTC so that every node, account and time zone
 * agree on which period an event was delivered in.
 */
public record BillingPeriod(YearMonth month) {
  public BillingPeriod {
    Objects.requireNonNull(month, "month");
  }

  /** The period that {@code instant} falls in. */
  public static BillingPeriod containing(Instant instant) {
    return new BillingPeriod(YearMonth.from(instant.atOffset(ZoneOffset.UTC)));
  }

  public Instant start() {
    return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** The first instant after this period, which is the start of the next. */
  public Instant end() {
    return next().start();
  }

  public BillingPeriod next() {
    return new BillingPeriod(month.plusMonths(1));
  }

  public boolean contains(Instant instant) {
    return !instant.isBefore(start()) && instant.isBefore(end());
  }
}
