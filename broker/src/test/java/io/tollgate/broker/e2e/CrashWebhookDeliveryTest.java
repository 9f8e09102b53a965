package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.TollgateAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as its own process, killed with SIGKILL while a webhook request is in flight: after
 * a restart the worker resumes after the last acknowledged batch, every event reaches the
 * endpoint, and each is billed exactly once (the billing verification finds no difference).
 */
class CrashWebhookDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> WEBHOOK_SETTINGS = List.of(
      "-Dtollgate.webhooks.secret-key=" + Base64.getEncoder().encodeToString(new byte[32]),
      "-Dtollgate.webhooks.allow-private-targets=true", "-Dtollgate.webhooks.retry.first=50ms",
      "-Dtollgate.webhooks.retry.max=500ms", "-Dtollgate.webhooks.wake-every=1s");

  @TempDir
  Path dir;

  private static long billed(TollgateAdmin consumer, String subscription) {
    return consumer.get("/v1/subscriptions/" + subscription).get("usage").get("events").asLong();
  }

  @Test
  void aKillDuringADeliveryLosesNothingAndBillsEachAcknowledgedEventOnce() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path log = dir.resolve("broker.log");
    int httpPort = BrokerProcess.freePort();
    int tcpPort = BrokerProcess.freePort();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add("k-" + i);
    }
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.then(WebhookReceiver.ok(), WebhookReceiver.ok(), new WebhookReceiver.Hang());
      TestBroker.Tenancy t;
      String subscription;
      try (BrokerProcess broker = BrokerProcess.launch(data, httpPort, tcpPort, log, WEBHOOK_SETTINGS, List.of())) {
        broker.awaitReady();
        TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
        t = TestBroker.tenancy(admin, "crashhooks", 1);
        StringBuilder batch = new StringBuilder("[");
        for (String id : ids) {
          batch.append(batch.length() > 1 ? "," : "").append("{\"specversion\":\"1.0\",\"id\":\"").append(id)
              .append("\",\"source\":\"/crash\",\"type\":\"order.created\",\"datacontenttype\":\"application/json\","
                  + "\"data\":{}}");
        }
        java.net.http.HttpResponse<String> published = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(broker.baseUrl().resolve("/v1/topics/" + t.topic() + "/events"))
                .header("Authorization", "Bearer " + t.producerKey())
                .header("Content-Type", "application/cloudevents-batch+json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(batch.append("]").toString())).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, published.statusCode(), published.body());
        TollgateAdmin consumer = new TollgateAdmin(broker.baseUrl(), t.consumerKey());
        ObjectNode request = JSON.createObjectNode().put("account", t.consumer()).put("product", t.product())
            .put("plan", t.plan());
        request.putObject("delivery").put("type", "webhook").put("url", receiver.url()).put("batch_size", 5)
            .put("concurrency", 1);
        subscription = consumer.post("/v1/subscriptions", request).get("id").asText();

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests().size() == 3);
        broker.kill();
      }

      receiver.answerAlways(WebhookReceiver.ok());
      try (BrokerProcess broker = BrokerProcess.launch(data, httpPort, tcpPort, log, WEBHOOK_SETTINGS, List.of())) {
        broker.awaitReady();
        TollgateAdmin consumer = new TollgateAdmin(broker.baseUrl(), t.consumerKey());
        await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(receiver.eventIds()).containsAll(ids));
        await().atMost(Duration.ofSeconds(30)).until(() -> billed(consumer, subscription) == ids.size());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
            .until(() -> billed(consumer, subscription) == ids.size());
        List<String> firstArrivals = new ArrayList<>(new java.util.LinkedHashSet<>(receiver.eventIds()));
        assertEquals(ids, firstArrivals, "in order, nothing lost");
        BillingReproduced.awaitNoDifference(new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY), null);
      }
    }
  }
}
