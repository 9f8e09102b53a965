package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hostile client that opens HTTP connections and sends nothing on them does not hold them for
 * ever: Pekko HTTP's idle timeout closes each (120 s by default, 1 s here), and the node goes on
 * serving. Streams outlive it by their keep-alives ({@link StreamKeepAliveTest}).
 */
class HttpIdleTimeoutTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("pekko.http.server.idle-timeout", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAndTheNodeGoesOnServing() throws Exception {
    try (Socket quiet = new Socket("127.0.0.1", broker.baseUrl().getPort())) {
      quiet.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      InputStream in = quiet.getInputStream();
      assertEquals(-1, readOrReset(in), "the node closes a connection that moved no bytes for its idle timeout");
    }
    assertEquals(200, broker.get("/healthz", null).status());
  }

  /** What the next read gives; a connection the node reset (Pekko aborts one that idled) reads as closed. */
  private static int readOrReset(InputStream in) throws java.io.IOException {
    try {
      return in.read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
