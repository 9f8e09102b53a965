package io.tollgate.broker.http.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeepAlivesTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void onlyAConnectionThatSentNothingForTheIntervalIsToldAndThenNotAgainUntilAnotherInterval() {
    KeepAlives keepAlives = new KeepAlives(Duration.ofSeconds(10));
    assertEquals(Duration.ofSeconds(5), keepAlives.sweepInterval());
    AtomicInteger quiet = new AtomicInteger();
    AtomicInteger busy = new AtomicInteger();
    keepAlives.register(quiet::incrementAndGet, 0);
    KeepAlives.Registration sending = keepAlives.register(busy::incrementAndGet, 0);
    assertEquals(0, keepAlives.sweep(5 * SECOND));
    sending.sent(8 * SECOND);
    assertEquals(1, keepAlives.sweep(10 * SECOND));
    assertEquals(1, quiet.get());
    assertEquals(0, keepAlives.sweep(15 * SECOND));
    assertEquals(2, keepAlives.sweep(20 * SECOND));
    assertEquals(2, quiet.get());
    assertEquals(1, busy.get());
  }

  @Test
  void anUnregisteredConnectionIsNotToldAndNoIntervalSendsNothing() {
    KeepAlives keepAlives = new KeepAlives(Duration.ofSeconds(10));
    AtomicInteger told = new AtomicInteger();
    keepAlives.unregister(keepAlives.register(told::incrementAndGet, 0));
    assertEquals(0, keepAlives.sweep(60 * SECOND));
    assertEquals(0, keepAlives.size());
    KeepAlives none = new KeepAlives(null);
    assertNull(none.sweepInterval());
    none.register(told::incrementAndGet, 0);
    assertEquals(0, none.sweep(Long.MAX_VALUE / 2));
    assertEquals(0, told.get());
  }
}
