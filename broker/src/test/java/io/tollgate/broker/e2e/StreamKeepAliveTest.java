package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What bounds a stream in time: never its quietness, on purpose (idle consumers are what streams
 * are for), only a connection that stops taking what the node sends. The server sends a stream
 * with no traffic an unsolicited Pong (a heartbeat no client answers) every keep-alive interval,
 * which also keeps Pekko HTTP's connection idle timeout from ending it; a stream whose connection
 * took no frame for the stall timeout is aborted by the node's sweep, and the others go on. Here with a keep-alive of 1 s and a stall timeout of 2 s, over
 * real sockets.
 */
class StreamKeepAliveTest {
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(2);
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    // One event a frame, so that the frames the stalled test sends outnumber what buffers hold.
    broker = TestBroker.start(Map.of("pekko.http.server.websocket.periodic-keep-alive-max-idle", "1s",
        "tollgate.subscriptions.stall-timeout", STALL_TIMEOUT.toMillis() + "ms", "tollgate.subscriptions.max-batch", 1));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void anIdleStreamGetsAPongEveryKeepAliveAndIsNeverEndedForBeingQuiet() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("keepalive", 1);
    try (RawHandshake stream = RawHandshake.open(broker, "127.0.0.1", tenancy.subscription(), tenancy.consumerKey())) {
      assertEquals(101, stream.status(), stream.body());
      long until = System.nanoTime() + STALL_TIMEOUT.multipliedBy(3).toNanos();
      int pongs = 0;
      while (System.nanoTime() < until) {
        assertEquals(0xA, stream.nextOpcode(), "only unsolicited pongs on an idle stream, and no close");
        pongs++;
      }
      assertTrue(pongs >= 4, pongs + " pongs in three times the stall timeout");
      assertEquals(1, sessionsOf(tenancy).size(), "still open");
    }
  }

  @Test
  void aStreamWhoseConsumerStopsReadingIsAbortedAfterTheStallTimeoutAndAnotherGoesOn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("stalled", 1);
    String reading = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "beginning")
        .get("id").asText();
    // 400 frames of 60 KB: far more than the socket buffers of both ends and Pekko's own hold.
    String data = "{\"pad\":\"" + "x".repeat(60_000) + "\"}";
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int batch = 0; batch < 40; batch++) {
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          events.add(Events.event("/stalled", "e" + (batch * 10 + i), null, data));
        }
        publisher.publish(t.topic(), events).get(30, TimeUnit.SECONDS);
      }
    }
    try (RawHandshake stuck = RawHandshake.open(broker, "127.0.0.1", t.subscription(), t.consumerKey(), 4096);
         RawWebSocket keepsUp = RawWebSocket.open(broker.baseUrl(), reading, t.consumerKey())) {
      assertEquals(101, stuck.status(), stuck.body());
      await().atMost(Duration.ofSeconds(30)).until(() -> keepsUp.events().size() == 400);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> sessionsOf(t).stream().noneMatch(session -> session.get("subscription").asText()
              .equals(t.subscription())));
      assertEquals(List.of(reading), sessionsOf(t).stream().map(session -> session.get("subscription").asText()).toList(),
          "the stream that keeps up is still open");
    }
  }

  private static List<JsonNode> sessionsOf(TestBroker.Tenancy tenancy) throws Exception {
    List<JsonNode> sessions = new ArrayList<>();
    broker.get("/v1/accounts/" + tenancy.consumer() + "/sessions", broker.adminKey()).body().get("data")
        .forEach(sessions::add);
    return sessions;
  }
}
