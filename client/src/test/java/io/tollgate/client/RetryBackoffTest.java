package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private final RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));

  private static long millis(long nanos) {
    return Math.round(nanos / 1e6);
  }

  @Test
  void thePauseDoublesWithEachRetryUpToTheLongest() {
    assertEquals(100, millis(backoff.pauseNanos(0, 0.5)));
    assertEquals(200, millis(backoff.pauseNanos(1, 0.5)));
    assertEquals(400, millis(backoff.pauseNanos(2, 0.5)));
    assertEquals(800, millis(backoff.pauseNanos(3, 0.5)));
    assertEquals(1000, millis(backoff.pauseNanos(4, 0.5)));
    assertEquals(1000, millis(backoff.pauseNanos(1000, 0.5)), "no overflow however many retries");
  }

  @Test
  void theRandomDrawMovesAPauseByUpToAFifthEitherWay() {
    assertEquals(80, millis(backoff.pauseNanos(0, 0.0)));
    assertEquals(120, millis(backoff.pauseNanos(0, 0.999999)));
    assertEquals(800, millis(backoff.pauseNanos(10, 0.0)));
    assertEquals(1200, millis(backoff.pauseNanos(10, 0.999999)));
  }
}
