package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What bounds an idle stream: nothing by time, on purpose (idle consumers are what streams are
 * for). The server pings a stream with no traffic every keep-alive interval, so the connection's
 * HTTP idle timeout never ends a stream whose socket takes bytes; the caps on connections per
 * account and per address bound how many there are (ConnectionLimitsTest). Here with a keep-alive
 * of 1 s and an idle timeout of 3 s, over a real socket.
 */
class StreamKeepAliveTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("pekko.http.server.websocket.periodic-keep-alive-max-idle", "1s",
        "pekko.http.server.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void anIdleStreamIsPingedAndOutlivesTheHttpIdleTimeout() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("keepalive", 1);
    try (RawHandshake stream = RawHandshake.open(broker, "127.0.0.1", tenancy.subscription(), tenancy.consumerKey())) {
      assertEquals(101, stream.status(), stream.body());
      long until = System.nanoTime() + IDLE_TIMEOUT.multipliedBy(2).toNanos();
      int pings = 0;
      while (System.nanoTime() < until) {
        assertEquals(0x9, stream.nextOpcode(), "only pings on an idle stream, and no close");
        pings++;
      }
      assertTrue(pings >= 4, pings + " pings in twice the idle timeout");
    }
  }
}
