package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Delivery;
import io.tollgate.client.PublishResult;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The spine end to end over real sockets: publish over HTTP and TCP, receive over WebSocket. */
class PublishAndStreamTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static Subscriber subscribe(String key, String subscription, List<Delivery> into) {
    return Subscriber.builder(broker.baseUrl(), key, subscription).onDelivery(into::add).connect();
  }

  @Test
  void eventsPublishedOverHttpAndTcpReachEverySubscriptionInPartitionOrder() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("shop", 3);
    String second = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();

    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 20; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"h").append(i)
          .append("\",\"source\":\"/http\",\"type\":\"order\",\"partitionkey\":\"k").append(i % 5)
          .append("\",\"data\":{\"n\":").append(i).append("}}");
    }
    TestBroker.Reply published = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
        "application/cloudevents-batch+json", batch.append("]").toString());
    assertEquals(202, published.status(), String.valueOf(published.body()));
    assertEquals(20, published.body().get("accepted").asInt());

    try (TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        acks.add(tcp.publish(t.topic(), List.of(Events.event("/tcp", "t" + i, "k" + (i % 5), "{\"n\":" + i + "}"))));
      }
      for (CompletableFuture<PublishResult> ack : acks) {
        assertEquals(1, ack.get(20, TimeUnit.SECONDS).positions().size());
      }
    }

    List<Delivery> first = new CopyOnWriteArrayList<>();
    List<Delivery> other = new CopyOnWriteArrayList<>();
    try (Subscriber a = subscribe(t.consumerKey(), t.subscription(), first);
         Subscriber b = subscribe(t.consumerKey(), second, other)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> first.size() >= 50 && other.size() >= 50);
    }
    for (List<Delivery> received : List.of(first, other)) {
      assertEquals(50, received.size());
      Map<Integer, Long> lastOffset = new HashMap<>();
      for (Delivery delivery : received) {
        Long previous = lastOffset.put(delivery.partition(), delivery.offset());
        assertTrue(previous == null || delivery.offset() > previous, "offsets grow within a partition");
      }
      Map<String, List<Integer>> byKey = new HashMap<>();
      for (Delivery delivery : received) {
        String key = delivery.event().getAttributesMap().get("partitionkey").getCeString();
        byKey.computeIfAbsent(delivery.event().getSource() + key, k -> new ArrayList<>())
            .add(Integer.parseInt(delivery.event().getId().substring(1)));
      }
      byKey.values().forEach(ns -> assertEquals(ns.stream().sorted().toList(), ns, "per-key order is publish order"));
    }
  }

  @Test
  void aRetriedPublishIsStoredOnceAndAnsweredWithTheOriginalPosition() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("retry", 2);
    String event = "{\"specversion\":\"1.0\",\"id\":\"once\",\"source\":\"/s\",\"type\":\"order\",\"data\":{}}";
    TestBroker.Reply first = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), "application/cloudevents+json", event);
    TestBroker.Reply again = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), "application/cloudevents+json", event);
    JsonNode original = first.body().get("positions").get(0);
    JsonNode retried = again.body().get("positions").get(0);
    assertFalse(original.get("duplicate").asBoolean());
    assertTrue(retried.get("duplicate").asBoolean());
    assertEquals(original.get("cursor"), retried.get("cursor"));
    assertEquals(original.get("offset"), retried.get("offset"));

    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber s = subscribe(t.consumerKey(), t.subscription(), received)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
      broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), "application/cloudevents+json",
          event.replace("once", "marker"));
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
    }
    assertEquals(List.of("once", "marker"), received.stream().map(d -> d.event().getId()).toList());
  }

  @Test
  void binaryModeKeepsHeadersAsAttributesAndTheBodyAsData() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("binary", 1);
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(broker.baseUrl().resolve("/v1/topics/" + t.topic() + "/events"))
            .header("Authorization", "Bearer " + t.producerKey())
            .header("Content-Type", "application/json")
            .header("ce-specversion", "1.0").header("ce-id", "b1").header("ce-source", "/bin")
            .header("ce-type", "order.created").header("ce-subject", "order%2042")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"total\":\"12.30\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(202, response.statusCode(), response.body());
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber s = subscribe(t.consumerKey(), t.subscription(), received)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
    }
    CloudEvent event = received.get(0).event();
    assertEquals("order 42", event.getAttributesMap().get("subject").getCeString());
    assertEquals("{\"total\":\"12.30\"}", event.getJsonData());
  }

  @Test
  void aConsumerResumesAfterItsLastAckAndASubscriptionCanStartAtTheEnd() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("resume", 1);
    try (TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      tcp.publish(t.topic(), Events.numbered("/r", 0, 10)).get(10, TimeUnit.SECONDS);
    }
    List<Delivery> firstSession = new CopyOnWriteArrayList<>();
    try (Subscriber s = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(firstSession::add).maxEvents(4).connect()) {
      s.closed().get(10, TimeUnit.SECONDS);
    }
    // Its acks are committed in groups, the last as its stream ends: wait for the ack of its last event.
    String lastCursor = firstSession.get(firstSession.size() - 1).cursor();
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/subscriptions/" + t.subscription(),
        t.consumerKey()).body().get("acked").path(0).path("cursor").asText().equals(lastCursor));
    String fromEnd = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "end").get("id").asText();
    try (TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      tcp.publish(t.topic(), Events.numbered("/r", 10, 2)).get(10, TimeUnit.SECONDS);
    }
    List<Delivery> resumed = new CopyOnWriteArrayList<>();
    List<Delivery> late = new CopyOnWriteArrayList<>();
    try (Subscriber s = subscribe(t.consumerKey(), t.subscription(), resumed);
         Subscriber l = subscribe(t.consumerKey(), fromEnd, late)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> resumed.size() >= 8 && late.size() >= 2);
    }
    assertEquals(List.of("e0", "e1", "e2", "e3"), firstSession.stream().map(d -> d.event().getId()).toList());
    assertEquals("e4", resumed.get(0).event().getId());
    assertEquals(8, resumed.size());
    assertEquals(List.of("e10", "e11"), late.stream().map(d -> d.event().getId()).toList());
  }

  @Test
  void healthReadinessAndMetricsAreServed() throws Exception {
    assertEquals(200, broker.get("/healthz", null).status());
    assertEquals("ready", broker.get("/readyz", null).body().get("status").asText());
    java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(broker.baseUrl().resolve("/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("tollgate_published_events_total"), metrics.body());
    assertTrue(metrics.body().contains("tollgate_open_streams"));
    assertTrue(metrics.body().contains("jvm_memory_used_bytes"));
  }

  @Test
  void theProtobufSubprotocolCarriesTheSameStreamInBinaryFrames() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("binaryframes", 1);
    try (TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      tcp.publish(t.topic(), Events.numbered("/pb", 0, 3)).get(10, TimeUnit.SECONDS);
    }
    try (RawWebSocket socket = RawWebSocket.openProtobuf(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      assertEquals("tollgate.v1.protobuf", socket.subprotocol());
      await().atMost(Duration.ofSeconds(10)).until(() -> socket.protobufDeliveries().size() == 3);
      List<io.tollgate.protocols.v1.Delivery> received = socket.protobufDeliveries();
      assertEquals(List.of("e0", "e1", "e2"), received.stream().map(d -> d.getEvent().getId()).toList());
      byte[] ack = io.tollgate.protocols.v1.StreamClientFrame.newBuilder()
          .setAck(io.tollgate.protocols.v1.Ack.newBuilder().setCursor(received.get(2).getCursor())).build().toByteArray();
      socket.sendBinary(ack, true);
      await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/subscriptions/" + t.subscription(),
          t.consumerKey()).body().get("acked").path(0).path("cursor").asText().equals(received.get(2).getCursor()));
    }
  }
}
