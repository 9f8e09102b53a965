package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(Duration.ofMillis(500), Duration.ofMinutes(5), 0.5,
      Duration.ofDays(3));

  @Test
  void withoutJitterTheWaitDoublesPerFailedTryUpToTheMaximum() {
    assertEquals(Duration.ofMillis(500), policy.delay(1, Optional.empty(), () -> 0));
    assertEquals(Duration.ofMillis(1000), policy.delay(2, Optional.empty(), () -> 0));
    assertEquals(Duration.ofMillis(4000), policy.delay(4, Optional.empty(), () -> 0));
    assertEquals(Duration.ofMinutes(5), policy.delay(20, Optional.empty(), () -> 0));
    assertEquals(Duration.ofMinutes(5), policy.delay(10_000, Optional.empty(), () -> 0));
  }

  @Property
  void jitterTakesAtMostItsShareOffTheBackoff(@ForAll @IntRange(min = 1, max = 100) int failedTries,
                                              @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
    Duration full = policy.delay(failedTries, Optional.empty(), () -> 0);
    Duration jittered = policy.delay(failedTries, Optional.empty(), () -> random);
    assertTrue(jittered.compareTo(full) <= 0);
    assertTrue(jittered.toMillis() >= full.toMillis() / 2);
  }

  @Test
  void aRetryAfterAskingForLongerIsHonouredUpToTheMaximum() {
    assertEquals(Duration.ofSeconds(30), policy.delay(1, Optional.of(Duration.ofSeconds(30)), () -> 0));
    assertEquals(Duration.ofMillis(500), policy.delay(1, Optional.of(Duration.ofMillis(100)), () -> 0));
    assertEquals(Duration.ofMinutes(5), policy.delay(1, Optional.of(Duration.ofHours(2)), () -> 0));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDate() {
    Instant now = Instant.parse("2026-12-06T10:00:00Z");
    assertEquals(Optional.of(Duration.ofSeconds(120)), RetryPolicy.retryAfter(" 120 ", now));
    assertEquals(Optional.of(Duration.ofSeconds(90)), RetryPolicy.retryAfter("Sun, 06 Dec 2026 10:01:30 GMT", now));
    assertEquals(Optional.of(Duration.ZERO), RetryPolicy.retryAfter("Sun, 06 Dec 2026 09:00:00 GMT", now));
    assertEquals(Optional.empty(), RetryPolicy.retryAfter("soon", now));
    assertEquals(Optional.empty(), RetryPolicy.retryAfter("-5", now));
  }

  @Test
  void anEndpointIsDisabledOnceItFailedForTheWholeDisableAfter() {
    Instant since = Instant.parse("2026-12-01T00:00:00Z");
    assertFalse(policy.failedForTooLong(since, since.plus(Duration.ofDays(3)).minusMillis(1)));
    assertTrue(policy.failedForTooLong(since, since.plus(Duration.ofDays(3))));
  }
}
