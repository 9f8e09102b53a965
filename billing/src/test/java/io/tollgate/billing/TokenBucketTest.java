package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.billing.TokenBucket.Take;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 123_456_789L;

  private static long granted(Take take) {
    return assertInstanceOf(Take.Granted.class, take).count();
  }

  private static Duration denied(Take take) {
    return assertInstanceOf(Take.Denied.class, take).retryAfter();
  }

  @Test
  void startsFullSoANewSubscriberMayBurst() {
    TokenBucket bucket = TokenBucket.full(new RateLimit(10, 50), T0);
    assertEquals(50, bucket.available(T0));
    assertEquals(50, granted(bucket.tryTake(50, T0)));
  }

  @Test
  void grantsWhatIsThereWhenAskedForMore() {
    Take take = TokenBucket.full(new RateLimit(10, 50), T0).tryTake(80, T0);
    assertEquals(50, granted(take));
    assertEquals(0, take.bucket().available(T0));
  }

  @Test
  void saysHowLongUntilTheNextToken() {
    TokenBucket empty = TokenBucket.full(new RateLimit(10, 5), T0).tryTake(5, T0).bucket();
    assertEquals(Duration.ofMillis(100), denied(empty.tryTake(1, T0)));
    assertEquals(Duration.ofMillis(60), denied(empty.tryTake(1, T0 + 40_000_000L)));
    assertEquals(1, granted(empty.tryTake(3, T0 + 100_000_000L)));
  }

  @Test
  void roundsTheWaitUpSoThatWaitingItOutIsEnough() {
    TokenBucket empty = TokenBucket.full(new RateLimit(3, 1), T0).tryTake(1, T0).bucket();
    Duration wait = denied(empty.tryTake(1, T0));
    assertEquals(Duration.ofNanos(333_333_334L), wait);
    assertEquals(1, granted(empty.tryTake(1, T0 + wait.toNanos())));
    denied(empty.tryTake(1, T0 + wait.toNanos() - 1));
  }

  @Test
  void refillsAtTheRateWithoutDrift() {
    // A third of a token arrives every 111,111,111 ns; taking whenever a whole one is there must
    // not lose the fractions: after 9000 steps (1 µs short of 1000 s) exactly 2999 were granted.
    TokenBucket bucket = TokenBucket.full(new RateLimit(3, 10), T0).tryTake(10, T0).bucket();
    long now = T0;
    long taken = 0;
    for (int i = 0; i < 9000; i++) {
      now += 111_111_111L;
      Take take = bucket.tryTake(1, now);
      if (take instanceof Take.Granted granted) {
        taken += granted.count();
      }
      bucket = take.bucket();
    }
    assertEquals(2999, taken);
    assertEquals(1, bucket.available(now + 1_000L));
  }

  @Test
  void neverHoldsMoreThanTheBurst() {
    TokenBucket bucket = TokenBucket.full(new RateLimit(1_000, 20), T0).tryTake(5, T0).bucket();
    assertEquals(20, bucket.available(T0 + SECOND));
    assertEquals(20, bucket.available(T0 + 365L * 24 * 3600 * SECOND));
    TokenBucket fast = TokenBucket.full(new RateLimit(RateLimit.MAX, RateLimit.MAX), T0);
    TokenBucket drained = fast.tryTake(RateLimit.MAX, T0).bucket();
    assertEquals(RateLimit.MAX, drained.available(T0 + Long.MAX_VALUE));
  }

  @Test
  void followsNanoTimeAcrossItsWrapAround() {
    long beforeWrap = Long.MAX_VALUE - SECOND / 2;
    TokenBucket empty = TokenBucket.full(new RateLimit(2, 2), beforeWrap).tryTake(2, beforeWrap)
        .bucket();
    assertEquals(2, empty.available(beforeWrap + SECOND));
  }

  @Test
  void aClockGoingBackRefillsNothing() {
    TokenBucket empty = TokenBucket.full(new RateLimit(10, 10), T0).tryTake(10, T0).bucket();
    assertEquals(0, empty.available(T0 - SECOND));
    TokenBucket afterGlitch = empty.tryTake(1, T0 - SECOND).bucket();
    // The interval is counted from the last time seen, not from the earlier one.
    assertEquals(1, afterGlitch.available(T0 + SECOND / 10));
  }

  @Test
  void refusesToTakeNothing() {
    TokenBucket bucket = TokenBucket.full(new RateLimit(1, 1), T0);
    assertThrows(IllegalArgumentException.class, () -> bucket.tryTake(0, T0));
    assertThrows(IllegalArgumentException.class, () -> bucket.tryTake(-1, T0));
  }
}
