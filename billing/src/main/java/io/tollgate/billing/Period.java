package io.tollgate.billing;

import java.time.Instant;

/** One billing period of a {@link PeriodScheme}: {@code [start, end)}, named by {@code id}. */
public record Period(String id, Instant start, Instant end) {
  public boolean contains(Instant instant) {
    return !instant.isBefore(start) && instant.isBefore(end);
  }
}
