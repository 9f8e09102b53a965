package io.tollgate.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import io.tollgate.broker.e2e.MutableClock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final AuthThrottle throttle = new AuthThrottle(new AuthThrottle.Settings(3, Duration.ofMinutes(1),
      Duration.ofSeconds(1), Duration.ofSeconds(30), 1000), clock);

  @Test
  void aFewFailuresAreFreeThenEachFurtherOneDoublesTheWait() {
    for (int i = 0; i < 3; i++) {
      throttle.failed("10.0.0.1");
      assertEquals(Optional.empty(), throttle.blocked("10.0.0.1"));
    }
    throttle.failed("10.0.0.1");
    assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.blocked("10.0.0.1"));
    throttle.failed("10.0.0.1");
    assertEquals(Optional.of(Duration.ofSeconds(2)), throttle.blocked("10.0.0.1"));
    assertEquals(Optional.empty(), throttle.blocked("10.0.0.2"), "other sources are not affected");
  }

  @Test
  void theWaitIsCappedAndEndsButTheRecordIsForgottenOnlyOnceItsWindowHasPassed() {
    for (int i = 0; i < 20; i++) {
      throttle.failed("s");
    }
    assertEquals(Optional.of(Duration.ofSeconds(30)), throttle.blocked("s"));
    clock.advance(Duration.ofSeconds(31));
    assertEquals(Optional.empty(), throttle.blocked("s"));
    throttle.failed("s");
    assertEquals(Optional.of(Duration.ofSeconds(30)), throttle.blocked("s"), "within the window, one more failure waits again");
    clock.advance(Duration.ofSeconds(31));
    throttle.failed("s");
    assertTrue(throttle.blocked("s").isEmpty(), "past the window and the wait, the record starts afresh");
  }
}
