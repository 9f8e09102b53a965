package io.tollgate.broker.invoicing;

import io.tollgate.protocols.v1.journal.PeriodUsage;
import java.time.Instant;

/**
 * What a subscription's acknowledged events add up to in one period and plan segment: the events,
 * and the bytes they are billed for (docs/billing.md, "Bytes"). The two meters are carried
 * together from the ack to the invoice, so an entry that counts events counts their bytes in the
 * same write. Usage kept from before bytes were metered reads as 0 bytes.
 */
public record Metered(long units, long bytes) {
  public static final Metered NONE = new Metered(0, 0);

  public Metered {
    if (units < 0 || bytes < 0) {
      throw new IllegalArgumentException("usage must not be negative: " + units + " events, " + bytes + " bytes");
    }
  }

  public Metered plus(Metered other) {
    return new Metered(Math.addExact(units, other.units), Math.addExact(bytes, other.bytes));
  }

  static Metered of(PeriodUsage usage) {
    return new Metered(usage.getUnits(), usage.getBytes());
  }

  static Invoicing.PlanSegmentKey segmentOf(PeriodUsage usage) {
    return new Invoicing.PlanSegmentKey(usage.getPlan(), Instant.ofEpochMilli(usage.getPlanFromMillis()));
  }

  PeriodUsage.Builder toProto(String period, String subscription, Invoicing.PlanSegmentKey segment) {
    return PeriodUsage.newBuilder().setPeriod(period).setSubscription(subscription).setUnits(units).setBytes(bytes)
        .setPlan(segment.plan()).setPlanFromMillis(segment.from().toEpochMilli());
  }
}
