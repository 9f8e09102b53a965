package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.v1.CloudEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes as a priced meter over real sockets: a plan prices the events and, per started KB, the
 * bytes of their data as each consumer receives it (after the plan's redaction). Events of known
 * sizes are published, consumed and acknowledged, the period closes, and the invoice bills the
 * bytes to the cent, the same over a WebSocket, an event stream and a webhook, after a restart too, and the
 * verification recomputes it from the journals without a difference.
 */
class BytesMeterTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final Map<String, Object> SETTINGS = Map.of("tollgate.billing.period", "PT1H",
      "tollgate.billing.grace", "5m", "tollgate.billing.close-interval", "200ms",
      "tollgate.webhooks.secret-key", Base64.getEncoder().encodeToString(
          "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)),
      "tollgate.webhooks.allow-private-targets", true, "tollgate.webhooks.wake-every", "1s");
  /** Events at 0.001, bytes at 0.05 per started KB; the consumer never sees an event's "secret". */
  private static final String PLAN = """
      {"name":"bytes","currency":"USD","revenue_share":"0.70","price":{"model":"per_unit","unit_amount":"0.001"},
       "bytes_price":{"per":"KB","model":"per_unit","unit_amount":"0.05"},
       "redact":[{"pointer":"/secret","action":"remove"}]}""";
  /** The data a consumer receives of each event: {@code {"pad":"xxx…"}}, 490 bytes. */
  private static final int DELIVERED_BYTES = 490;
  private static Path dataDir;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("tollgate-bytes");
    broker = TestBroker.startIn(dataDir, SETTINGS, clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /** Published with 490 bytes of data the consumer sees and 513 it does not. */
  private static List<CloudEvent> sized(String prefix, int count) {
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(Events.event("/bytes", prefix + i, null,
          "{\"pad\":\"" + "x".repeat(DELIVERED_BYTES - 10) + "\",\"secret\":\"" + "s".repeat(500) + "\"}"));
    }
    return events;
  }

  private static void publish(TestBroker.Tenancy t, List<CloudEvent> events) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), events).get(10, TimeUnit.SECONDS);
    }
  }

  private static long usageBytes(TestBroker.Tenancy t) throws Exception {
    return usageBytes(t, t.subscription());
  }

  private static long usageBytes(TestBroker.Tenancy t, String subscription) throws Exception {
    return broker.get("/v1/subscriptions/" + subscription, t.consumerKey()).body().get("usage").get("bytes").asLong();
  }

  private static JsonNode lineOfKind(JsonNode invoice, String kind) {
    for (JsonNode line : invoice.get("lines")) {
      if (line.get("kind").asText().equals(kind)) {
        return line;
      }
    }
    throw new AssertionError("no " + kind + " line in " + invoice);
  }

  private static JsonNode invoices(TestBroker.Tenancy t) throws Exception {
    return broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data");
  }

  @Test
  void theBytesEachConsumerReceivedAreBilledToTheCentAndStaySoAfterARestart() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("bytes", 1, PLAN);
    publish(t, sized("w", 30));
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(received::add).maxEvents(30).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    long receivedBytes = received.stream()
        .mapToLong(d -> d.event().getJsonData().getBytes(StandardCharsets.UTF_8).length).sum();
    assertEquals(30L * DELIVERED_BYTES, receivedBytes, "the consumer receives the redacted data");
    await().atMost(Duration.ofSeconds(10)).until(() -> usageBytes(t) == 14_700);
    JsonNode usage = broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body().get("data").get(0);
    assertEquals(30, usage.get("events").asLong());
    assertEquals(14_700, usage.get("bytes").asLong());

    JsonNode upcoming = broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming", t.consumerKey()).body();
    JsonNode bytesLine = lineOfKind(upcoming, "bytes");
    assertEquals(15, bytesLine.get("quantity").asLong(), "14,700 bytes are 15 started KB");
    assertEquals("0.75", bytesLine.get("amount").asText());

    clock.advance(Duration.ofMinutes(66));
    await().atMost(Duration.ofSeconds(15)).until(() -> invoices(t).size() == 1);
    JsonNode invoice = invoices(t).get(0);
    assertEquals("0.03", lineOfKind(invoice, "usage").get("amount").asText());
    assertEquals(1, lineOfKind(invoice, "bytes").get("tier").asInt());
    assertEquals("0.05", lineOfKind(invoice, "bytes").get("unit_amount").asText());
    assertEquals("0.75", lineOfKind(invoice, "bytes").get("amount").asText());
    assertEquals("0.78", invoice.get("total").asText());
    String csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(broker.baseUrl() + "/v1/accounts/" + t.consumer() + "/invoices?format=csv"))
        .header("Authorization", "Bearer " + t.consumerKey()).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(csv.contains(",bytes,1,15,0.05,0.75,USD,"), csv);
    JsonNode verified = BillingReproduced.awaitNoDifference(broker.admin(), t.consumer());
    assertEquals(1, verified.get("checked").get("invoices").asInt(), verified.toString());
    BillingReproduced.awaitNoDifference(broker.admin(), t.producer());

    broker.close();
    broker = TestBroker.startIn(dataDir, SETTINGS, clock);
    assertEquals(invoice, invoices(t).get(0), "the finalized invoice reads back unchanged");
    JsonNode replayed = broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body().get("data").get(0);
    assertEquals(14_700, replayed.get("bytes").asLong(), "the usage replays with its bytes");
    BillingReproduced.awaitNoDifference(broker.admin(), t.consumer());
  }

  @Test
  void anEventStreamConsumerIsBilledTheBytesAWebSocketConsumerIs() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssebytes", 1, PLAN);
    publish(t, sized("s", 10));
    try (EventStreamClient stream = EventStreamClient.open(broker.baseUrl(), t.subscription(), t.consumerKey(),
        Optional.empty())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.deliveries().size() == 10);
      String last = stream.deliveries().get(9).id();
      TestBroker.Reply acked = broker.post("/v1/subscriptions/" + t.subscription() + "/acks", t.consumerKey(),
          "application/json", "{\"cursor\":\"" + last + "\"}");
      assertEquals(200, acked.status(), String.valueOf(acked.body()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> usageBytes(t) == 10L * DELIVERED_BYTES);
    JsonNode bytesLine = lineOfKind(broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming",
        t.consumerKey()).body(), "bytes");
    assertEquals(5, bytesLine.get("quantity").asLong(), "4,900 bytes are 5 started KB");
    assertEquals("0.25", bytesLine.get("amount").asText());
  }

  @Test
  void aWebhookConsumerIsBilledTheBytesAWebSocketConsumerIs() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      TestBroker.Tenancy t = broker.tenancy("hookbytes", 1, PLAN);
      TestBroker.Reply created = WebhookDeliveryTest.subscribe(broker, t, WebhookDeliveryTest.webhook(receiver.url(), 5, 1));
      assertEquals(201, created.status(), String.valueOf(created.body()));
      String subscription = created.body().get("id").asText();
      publish(t, sized("h", 10));
      await().atMost(Duration.ofSeconds(20)).until(() -> usageBytes(t, subscription) == 10L * DELIVERED_BYTES);
      assertTrue(receiver.requests().stream().noneMatch(request -> new String(request.body(), StandardCharsets.UTF_8).contains("\"secret\"")),
          "the webhook carries the redacted data it is billed for");
    }
  }

  @Test
  void aBytesPriceInAnUnknownUnitOrWithoutOneIsRefused() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("badbytes", 1);
    TestBroker.Reply unknown = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"kb","currency":"USD","price":{"model":"per_unit","unit_amount":"0.01"},
         "bytes_price":{"per":"kb","model":"per_unit","unit_amount":"0.05"}}""");
    assertEquals(400, unknown.status());
    assertEquals("invalid_price", unknown.errorCode(), String.valueOf(unknown.body()));
    TestBroker.Reply missing = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"none","currency":"USD","price":{"model":"per_unit","unit_amount":"0.01"},
         "bytes_price":{"model":"per_unit","unit_amount":"0.05"}}""");
    assertEquals(400, missing.status(), String.valueOf(missing.body()));
  }

  @Test
  void aPlansBytesPriceReadsBackAsItWasWritten() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("readbytes", 1, PLAN);
    JsonNode bytesPrice = broker.get("/v1/plans/" + t.plan(), t.consumerKey()).body().get("bytes_price");
    assertEquals("{\"per\":\"KB\",\"model\":\"per_unit\",\"unit_amount\":\"0.05\"}", String.valueOf(bytesPrice));
  }
}
