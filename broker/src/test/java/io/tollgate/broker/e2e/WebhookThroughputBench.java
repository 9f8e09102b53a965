package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A rough measurement, not a check: webhook deliveries a second from one in-process node to 100
 * endpoints on one loopback receiver (batches of 100, 4 requests in flight each), 4,000 events on
 * 4 partitions, so 400,000 deliveries. Runs only when asked: {@code -Dtollgate.bench=true}
 * (docs/benchmarks.md, "Webhooks").
 */
@EnabledIfSystemProperty(named = "tollgate.bench", matches = "true")
class WebhookThroughputBench {
  @Test
  void deliveriesPerSecondToAHundredEndpoints() throws Exception {
    AtomicLong delivered = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int count = 0;
      for (int i = body.indexOf("\"cursor\""); i >= 0; i = body.indexOf("\"cursor\"", i + 1)) {
        count++;
      }
      delivered.addAndGet(count);
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    int endpoints = 100;
    int events = 4000;
    try (TestBroker broker = TestBroker.start(Map.of("tollgate.webhooks.secret-key",
        Base64.getEncoder().encodeToString(new byte[32]), "tollgate.webhooks.allow-private-targets", true))) {
      TestBroker.Tenancy t = broker.tenancy("bench", 4);
      for (int e = 0; e < endpoints; e++) {
        TestBroker.Reply r = WebhookDeliveryTest.subscribe(broker, t, WebhookDeliveryTest.webhook(
            "http://127.0.0.1:" + server.getAddress().getPort() + "/h" + e, 100, 4));
        if (r.status() != 201) {
          throw new AssertionError(r.body().toString());
        }
      }
      long start = System.nanoTime();
      for (int batch = 0; batch < events / 1000; batch++) {
        List<String> batchIds = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          batchIds.add("b" + batch + "-" + i);
        }
        WebhookDeliveryTest.publish(broker, t, 4, batchIds);
      }
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
          .until(() -> delivered.get() >= (long) endpoints * events);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("WEBHOOK-BENCH deliveries=%d seconds=%.1f per-second=%.0f%n", delivered.get(), seconds,
          delivered.get() / seconds);
    } finally {
      server.stop(0);
    }
  }
}
