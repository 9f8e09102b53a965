package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Rules of the quota and the billing period. */
class LimitProperties {
  @Property
  void aQuotaAdmitsNoMoreThanAskedAndBlockingStopsAtTheQuota(
      @ForAll @LongRange(min = 1, max = 1_000_000) long quota,
      @ForAll @LongRange(max = 2_000_000) long used,
      @ForAll @LongRange(max = 2_000_000) long requested) {
    long blocked = new Quota(quota, Quota.OnExceed.BLOCK).admit(requested, used);
    assertTrue(blocked >= 0 && blocked <= requested);
    assertTrue(used + blocked <= Math.max(used, quota));
    assertEquals(requested, new Quota(quota, Quota.OnExceed.BILL).admit(requested, used));
  }

  @Property
  void everyInstantIsInExactlyOnePeriodWhichStartsOnTheFirstOfAMonth(
      @ForAll @LongRange(min = 0, max = 7_258_118_400L) long epochSecond,
      @ForAll @LongRange(max = 999_999_999) long nanos) {
    Instant instant = Instant.ofEpochSecond(epochSecond, nanos);
    BillingPeriod period = BillingPeriod.containing(instant);
    assertTrue(period.contains(instant));
    assertTrue(!instant.isBefore(period.start()) && instant.isBefore(period.end()));
    assertTrue(!period.next().contains(instant));
    assertEquals(period.end(), period.next().start());
    assertEquals(1, period.start().atOffset(ZoneOffset.UTC).getDayOfMonth());
    assertEquals(0, period.start().atOffset(ZoneOffset.UTC).toLocalTime().toNanoOfDay());
  }
}
