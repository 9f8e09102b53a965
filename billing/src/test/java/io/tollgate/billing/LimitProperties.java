package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.TokenBucket.Take;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** Rules of the rate limit, the quota and the billing period. */
class LimitProperties {
  private static final long SECOND = 1_000_000_000L;

  record Step(long delayNanos, long requested) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 2 * SECOND), Arbitraries.longs().between(1, 500))
        .as(Step::new)
        .list()
        .ofMaxSize(50);
  }

  /**
   * In any stretch of calls, from the i-th to the j-th, no more is granted than a full bucket
   * plus what refilled in between: {@code burst + rate × (t_j − t_i)}. Over the whole run this
   * bounds the average rate; over short stretches after idling it bounds the burst.
   */
  @Property
  void aBucketNeverGrantsMoreThanTheBurstPlusTheRefill(
      @ForAll @LongRange(min = 1, max = 1_000) long eventsPerSecond,
      @ForAll @LongRange(min = 1, max = 1_000) long burst,
      @ForAll long start,
      @ForAll("steps") List<Step> steps) {
    TokenBucket bucket = TokenBucket.full(new RateLimit(eventsPerSecond, burst), start);
    long[] elapsedAt = new long[steps.size()];
    long[] grantedAt = new long[steps.size()];
    long elapsed = 0;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      elapsed += step.delayNanos;
      long now = start + elapsed;
      Take take = bucket.tryTake(step.requested, now);
      if (take instanceof Take.Granted g) {
        assertTrue(g.count() >= 1 && g.count() <= step.requested);
        grantedAt[i] = g.count();
      } else {
        // Waiting out the advice is always enough for one more event.
        Take.Denied denied = (Take.Denied) take;
        assertTrue(denied.retryAfter().toNanos() > 0);
        Take retry = take.bucket().tryTake(1, now + denied.retryAfter().toNanos());
        assertEquals(1, assertInstanceOf(Take.Granted.class, retry).count());
      }
      elapsedAt[i] = elapsed;
      bucket = take.bucket();
    }
    for (int i = 0; i < steps.size(); i++) {
      long granted = 0;
      for (int j = i; j < steps.size(); j++) {
        granted += grantedAt[j];
        long refill =
            BigInteger.valueOf(elapsedAt[j] - elapsedAt[i])
                .multiply(BigInteger.valueOf(eventsPerSecond))
                .divide(BigInteger.valueOf(SECOND))
                .longValueExact();
        assertTrue(granted <= burst + refill, "calls " + i + " to " + j + " got too many");
      }
    }
  }

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
