package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hostile client that opens HTTP connections and sends nothing on them, or nothing after an
 * answer, does not hold them for ever: the node's sweep of quiet connections ends each (the
 * idle timeout, 120 s by default, 1 s here), and the node goes on serving. A stream is not ended
 * by it, however long it is quiet: here no keep-alive falls within the idle timeout.
 */
class HttpIdleTimeoutTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("pekko.http.server.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms"));
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

  @Test
  void aConnectionThatSendsNoRequestAfterAnAnswerIsClosed() throws Exception {
    try (Socket kept = new Socket("127.0.0.1", broker.baseUrl().getPort())) {
      kept.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      OutputStream out = kept.getOutputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: tollgate\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = kept.getInputStream();
      String answer = new String(in.readNBytes("HTTP/1.1 200".length()), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 200", answer);
      int read;
      do {
        read = readOrReset(in);
      } while (read != -1);
    }
  }

  @Test
  void aQuietStreamOutlivesTheIdleTimeout() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("quietstream", 1);
    try (RawHandshake stream = RawHandshake.open(broker, "127.0.0.1", tenancy.subscription(), tenancy.consumerKey())) {
      assertEquals(101, stream.status(), stream.body());
      await().during(IDLE_TIMEOUT.multipliedBy(5)).atMost(IDLE_TIMEOUT.multipliedBy(30))
          .until(() -> openSessions(tenancy) == 1);
    }
    assertEquals(200, broker.get("/healthz", null).status());
  }

  @Test
  void aQuietEventStreamOutlivesTheIdleTimeout() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("quietevents", 1);
    try (EventStreamClient events = EventStreamClient.open(broker.baseUrl(), tenancy.subscription(),
        tenancy.consumerKey(), Optional.empty())) {
      await().during(IDLE_TIMEOUT.multipliedBy(5)).atMost(IDLE_TIMEOUT.multipliedBy(30))
          .until(() -> !events.ended().isDone() && openSessions(tenancy) == 1);
    }
  }

  private static int openSessions(TestBroker.Tenancy tenancy) throws Exception {
    return broker.get("/v1/accounts/" + tenancy.consumer() + "/sessions", broker.adminKey()).body().get("data").size();
  }

  /** What the next read gives; a connection the node reset reads as closed. */
  private static int readOrReset(InputStream in) throws java.io.IOException {
    try {
      return in.read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
