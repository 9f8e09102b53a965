package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.Uri;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The client's connect-time check over a real socket: a name that resolves to loopback when the
 * connection opens is refused before anything is sent (DNS rebinding), while the same receiver
 * reached with private targets allowed answers; and at most the excerpt's bytes of a large answer
 * are kept.
 */
class WebhookClientTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static WebhookSettings settings(boolean allowPrivate) {
    return new WebhookSettings(Optional.empty(), allowPrivate, 10, 100, 1, 4, Duration.ofSeconds(10),
        Duration.ofSeconds(10), Duration.ofSeconds(5), 16, new RetryPolicy(Duration.ofMillis(10), Duration.ofSeconds(1),
        0, Duration.ofMinutes(1)), 5, Duration.ofSeconds(1), Duration.ZERO, 10, Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(10), new WebhookSettings.DeadLetters(DeadLetterPolicy.HOLD, 10, 1 << 20));
  }

  /** A receiver that answers every request 200 with a long body, and counts the connections it accepted. */
  private static ServerSocket receiver(AtomicInteger connections) throws IOException {
    ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Executors.newSingleThreadExecutor().submit(() -> {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          connections.incrementAndGet();
          byte[] buffer = new byte[8192];
          socket.getInputStream().read(buffer);
          String body = "x".repeat(1000);
          socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n" + body)
              .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return null;
        }
      }
      return null;
    });
    return server;
  }

  private static WebhookClient.Answer post(boolean allowPrivate, int port) throws Exception {
    WebhookTargets targets = new WebhookTargets(allowPrivate,
        host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")});
    WebhookClient client = new WebhookClient(testKit.system(), settings(allowPrivate), targets,
        Executors.newSingleThreadExecutor());
    CompletableFuture<WebhookClient.Answer> answer = client.post(Uri.create("http://rebound.example:" + port + "/in"),
        List.of(), "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
    return answer.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aNameResolvingToLoopbackWhenTheConnectionOpensIsRefusedBeforeAnythingIsSent() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket server = receiver(connections)) {
      WebhookClient.Answer refused = post(false, server.getLocalPort());
      assertEquals(0, refused.status());
      assertEquals("webhook_target_loopback", refused.error());
      assertEquals(0, connections.get());

      WebhookClient.Answer answered = post(true, server.getLocalPort());
      assertEquals(200, answered.status());
      assertEquals("x".repeat(16), answered.excerpt());
      assertEquals(1, connections.get());
    }
  }
}
