package io.tollgate.billing;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How time is cut into billing periods: calendar months in UTC (the default), or fixed lengths
 * counted from the Unix epoch (hourly or daily billing, and short periods in tests).
 */
public sealed interface PeriodScheme {
  Period periodOf(Instant instant);

  /** The period of this scheme named {@code id}; empty for a name another scheme gave. */
  Optional<Period> named(String id);

  /**
   * {@code "monthly"}, or an ISO-8601 duration such as {@code "PT1H"} or {@code "P1D"}.
   *
   * @throws BillingException ({@code invalid_plan}) for anything else
   */
  static PeriodScheme parse(String text) {
    if ("monthly".equals(text)) {
      return new Monthly();
    }
    try {
      return new Fixed(Duration.parse(text));
    } catch (DateTimeParseException e) {
      throw BillingException.invalidPlan("a billing period is \"monthly\" or an ISO-8601 duration such as PT1H: " + text);
    }
  }

  record Monthly() implements PeriodScheme {
    @Override
    public Period periodOf(Instant instant) {
      BillingPeriod month = BillingPeriod.containing(instant);
      return new Period(month.month().toString(), month.start(), month.end());
    }

    @Override
    public Optional<Period> named(String id) {
      try {
        return Optional.of(periodOf(YearMonth.parse(id).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
            .filter(period -> period.id().equals(id));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
  }

  record Fixed(Duration length) implements PeriodScheme {
    public Fixed {
      if (length.toMillis() < 1) {
        throw BillingException.invalidPlan("a billing period is at least one millisecond: " + length);
      }
    }

    @Override
    public Period periodOf(Instant instant) {
      long lengthMillis = length.toMillis();
      long startMillis = Math.floorDiv(instant.toEpochMilli(), lengthMillis) * lengthMillis;
      Instant start = Instant.ofEpochMilli(startMillis);
      return new Period(start.toString(), start, start.plusMillis(lengthMillis));
    }

    @Override
    public Optional<Period> named(String id) {
      try {
        return Optional.of(periodOf(Instant.parse(id))).filter(period -> period.id().equals(id));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
  }
}
