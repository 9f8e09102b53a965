package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.broker.e2e.MutableClock;
import io.tollgate.broker.error.Refusal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each account's publish rate, in events and bytes, as token buckets on a clock the test moves. */
class PublishRatesTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T20:00:00Z"));
  /** 100 events and 10,000 bytes a second, bursts of two seconds of each. */
  private final PublishRates rates = new PublishRates(new PublishRates.Settings(100, 10_000, Duration.ofSeconds(2)), clock);

  private Refusal refused(String account, int events, long bytes) {
    return assertThrows(Refusal.class, () -> rates.take(account, events, bytes));
  }

  @Test
  void aBurstIsTakenAtOnceThenTheRateRefillsItAndARefusalSaysHowLongToWait() {
    rates.take("acc_a", 200, 1_000);
    Refusal refusal = refused("acc_a", 10, 10);
    assertEquals("publish_rate_limited", refusal.code());
    assertEquals(Optional.of(Duration.ofMillis(100)), refusal.retryAfter());
    clock.advance(Duration.ofMillis(98));
    refused("acc_a", 10, 10);
    clock.advance(Duration.ofMillis(2));
    rates.take("acc_a", 10, 10);
  }

  @Test
  void bytesAreLimitedLikeEventsAndARefusedPublishTakesNothing() {
    rates.take("acc_a", 1, 19_000);
    Refusal refusal = refused("acc_a", 1, 2_000);
    assertEquals(Optional.of(Duration.ofMillis(100)), refusal.retryAfter());
    rates.take("acc_a", 1, 1_000);
    refused("acc_a", 1, 1);
  }

  @Test
  void eachAccountHasItsOwnRate() {
    rates.take("acc_a", 200, 0);
    refused("acc_a", 1, 0);
    rates.take("acc_b", 200, 0);
  }

  @Test
  void aPublishLargerThanTheWholeBurstPassesFromAFullBucketAndLeavesItInDebt() {
    rates.take("acc_a", 1, 50_000);
    Refusal refusal = refused("acc_a", 1, 1);
    assertEquals(Optional.of(Duration.ofMillis(3_000).plusNanos(100_000)), refusal.retryAfter(),
        "30,000 bytes of debt and one byte at 10,000 bytes a second");
    clock.advance(Duration.ofSeconds(2));
    refused("acc_a", 1, 50_000);
    clock.advance(Duration.ofSeconds(3));
    rates.take("acc_a", 1, 50_000);
  }

  @Test
  void refilledBucketsAreForgottenAndAForgottenAccountStartsFull() {
    rates.take("acc_a", 150, 0);
    rates.take("acc_b", 30, 0);
    clock.advance(Duration.ofMillis(100));
    rates.forgetFull();
    assertEquals(2, rates.size(), "neither has refilled yet");
    clock.advance(Duration.ofMillis(400));
    rates.forgetFull();
    assertEquals(1, rates.size(), "acc_b refilled its 30 events");
    clock.advance(Duration.ofMillis(1100));
    rates.forgetFull();
    assertEquals(0, rates.size());
    rates.take("acc_a", 200, 0);
    refused("acc_a", 1, 0);
  }
}
