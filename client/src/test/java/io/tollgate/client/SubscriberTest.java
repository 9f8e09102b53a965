package io.tollgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket handshake against the JDK's HTTP server, which refuses the upgrade like a broker
 * refusing a key, and the life of the shared WebSocket client.
 */
class SubscriberTest {
  @Test
  void aRefusedHandshakeCarriesTheBrokersError() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) ->
        reply.status(401, "{\"error\":{\"code\":\"invalid_key\",\"message\":\"unknown API key\"}}"))) {
      TollgateException e = assertThrows(TollgateException.class,
          () -> Subscriber.builder(server.url(), "wrong", "sub_1").onDelivery(delivery -> { }).connect());
      assertEquals(401, e.httpStatus());
      assertEquals("/v1/subscriptions/sub_1/stream", server.requests.get(0).path());
      assertEquals("Bearer wrong", server.requests.get(0).authorization());
      assertEquals("invalid_key", e.code());
      assertEquals("unknown API key", e.detail());
    }
  }

  @Test
  void anUnknownSubscriptionIsNotFound() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> reply.status(404, ""))) {
      TollgateException e = assertThrows(TollgateException.class,
          () -> Subscriber.builder(server.url(), "k", "sub_nope").onDelivery(delivery -> { }).connect());
      assertEquals("not_found", e.code());
      assertEquals(404, e.httpStatus());
    }
  }

  @Test
  void anUnreachableBrokerIsAConnectionFailure() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    TollgateException e = assertThrows(TollgateException.class,
        () -> Subscriber.builder(URI.create("http://127.0.0.1:" + port), "k", "sub_1").onDelivery(delivery -> { }).connect());
    assertEquals(TollgateException.CONNECTION_FAILED, e.code());
  }

  @Test
  void theSharedClientRunsOnDaemonThreadsAndStopsAfterTheLastStream() throws Exception {
    try (FakeWebSocketServer server = FakeWebSocketServer.silent()) {
      Subscriber first = Subscriber.builder(server.url(), "k", "sub_1").onDelivery(delivery -> { }).connect();
      Subscriber second = Subscriber.builder(server.url(), "k", "sub_2").onDelivery(delivery -> { }).connect();
      List<Thread> running = webSocketThreads();
      assertFalse(running.isEmpty());
      assertTrue(running.stream().allMatch(Thread::isDaemon), "an application that forgets a subscriber still exits");
      first.close();
      second.close();
      first.closed().get();
      second.closed().get();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> webSocketThreads().isEmpty());
  }

  private static List<Thread> webSocketThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && thread.getName().startsWith(WebSocketClients.THREAD_NAME))
        .toList();
  }
}
