package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A plan's redaction over real sockets: its consumers never see the redacted fields, in JSON or
 * Protobuf frames, while another plan's consumer of the same topic does; redacted events are
 * still delivered and billed; a subscription's own filter cannot probe a redacted value.
 */
class PlanRedactionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CARD = "4111111111111111";
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static String redactingPlan(TestBroker.Tenancy t) throws Exception {
    TestBroker.Reply plan = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"redacted","currency":"USD","price":{"model":"per_unit","unit_amount":"0.001"},
         "redact":[{"pointer":"/card/number","action":"mask"},{"pointer":"/card/cvv","action":"remove"}]}""");
    assertEquals(201, plan.status(), String.valueOf(plan.body()));
    assertEquals("[{\"pointer\":\"/card/number\",\"action\":\"mask\"},{\"pointer\":\"/card/cvv\",\"action\":\"remove\"}]",
        plan.body().get("redact").toString());
    return plan.body().get("id").asText();
  }

  private static String subscribe(TestBroker.Tenancy t, String plan, String filter) throws Exception {
    TestBroker.Reply created = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + plan + "\""
            + (filter == null ? "" : ",\"filter\":" + filter) + "}");
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return created.body().get("id").asText();
  }

  private static List<JsonNode> receive(TestBroker.Tenancy t, String subscription, int count) throws Exception {
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), subscription)
        .onDelivery(received::add).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    List<JsonNode> data = new ArrayList<>();
    for (Delivery delivery : received) {
      data.add(JSON.readTree(delivery.event().getJsonData()));
    }
    return data;
  }

  private static long billedUnits(TestBroker.Tenancy t, String subscription) throws Exception {
    long units = 0;
    for (JsonNode line : broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming", t.consumerKey()).body().get("lines")) {
      if (line.get("subscription").asText().equals(subscription) && line.get("kind").asText().equals("usage")) {
        units += line.get("quantity").asLong();
      }
    }
    return units;
  }

  @Test
  void aRedactingPlansConsumerNeverSeesTheFieldsAnotherPlansDoesAndBothAreBilledAlike() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("redacting", 2);
    String plan = redactingPlan(t);
    String redacted = subscribe(t, plan, null);
    String redactedProtobuf = subscribe(t, plan, null);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), List.of(
          Events.event("/pay", "p-1", "a", "{\"card\":{\"number\":\"" + CARD + "\",\"cvv\":\"123\",\"brand\":\"visa\"},\"amount\":10}"),
          Events.event("/pay", "p-2", "b", "{\"card\":{\"number\":\"" + CARD + "\",\"cvv\":\"456\",\"brand\":\"visa\"},\"amount\":20}"),
          Events.event("/pay", "p-3", "c", "{\"amount\":30}"))).get(10, TimeUnit.SECONDS);
    }

    List<JsonNode> plain = receive(t, t.subscription(), 3);
    assertEquals(2, plain.stream().filter(data -> data.at("/card/number").asText().equals(CARD) && data.at("/card/cvv").isTextual())
        .count(), "the other plan's consumer sees the fields: " + plain);

    List<JsonNode> seen = receive(t, redacted, 3);
    assertEquals(3, seen.size(), "redacted events are still delivered");
    for (JsonNode data : seen) {
      assertFalse(data.toString().contains(CARD) || data.toString().contains("cvv"), data.toString());
      if (data.has("card")) {
        assertEquals("***", data.at("/card/number").asText());
        assertEquals("visa", data.at("/card/brand").asText(), "what is not redacted is kept");
      }
    }

    try (RawWebSocket protobuf = RawWebSocket.openProtobuf(broker.baseUrl(), redactedProtobuf, t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> protobuf.protobufDeliveries().size() == 3);
      for (io.tollgate.protocols.v1.Delivery delivery : protobuf.protobufDeliveries()) {
        String data = delivery.getEvent().getJsonData();
        assertFalse(data.contains(CARD) || data.contains("cvv"), data);
      }
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> billedUnits(t, redacted) == 3 && billedUnits(t, t.subscription()) == 3);
  }

  @Test
  void aRepeatedKeyCannotCarryARedactedValuePastThePlan() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("repeatedkey", 1);
    String redacted = subscribe(t, redactingPlan(t), null);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> publisher.publish(t.topic(), List.of(
              Events.event("/pay", "p-1", null, "{\"card\":{\"number\":\"" + CARD + "\"},\"card\":1}")))
              .get(10, TimeUnit.SECONDS));
      assertEquals("duplicate_key", ((io.tollgate.client.TollgateException) refused.getCause()).code());
      publisher.publish(t.topic(), List.of(Events.event("/pay", "p-2", null, "{\"card\":{\"number\":\"" + CARD + "\"}}")))
          .get(10, TimeUnit.SECONDS);
    }
    List<JsonNode> seen = receive(t, redacted, 1);
    assertEquals("{\"card\":{\"number\":\"***\"}}", seen.get(0).toString(),
        "the first event the consumer gets is the good one, masked; the repeated-key one was never stored");
  }

  @Test
  void aSubscriptionsFilterSeesEventsAsRedactedSoItCannotProbeTheValue() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("probing", 1);
    String probe = subscribe(t, redactingPlan(t),
        "{\"$or\":[{\"data.card.number\":{\"$startsWith\":\"4\"}},{\"data.marker\":true}]}");
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), List.of(
          Events.event("/pay", "p-1", null, "{\"card\":{\"number\":\"" + CARD + "\"}}"),
          Events.event("/pay", "p-2", null, "{\"marker\":true}"))).get(10, TimeUnit.SECONDS);
    }
    List<JsonNode> seen = receive(t, probe, 1);
    assertEquals("{\"marker\":true}", seen.get(0).toString(), "the card event, earlier in the partition, was withheld");
  }

  @Test
  void aBadRedactionRuleIsRefusedNamingTheEntry() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("badredaction", 1);
    TestBroker.Reply refused = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"bad","currency":"USD","price":{"model":"per_unit","unit_amount":"0.001"},
         "redact":[{"pointer":"/ok","action":"mask"},{"pointer":"card/number","action":"mask"}]}""");
    assertEquals(400, refused.status());
    assertEquals("invalid_field", refused.errorCode());
    assertTrue(refused.body().get("error").get("message").asText().startsWith("redact[1].pointer: "), refused.body().toString());
    assertEquals("invalid_field", broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"bad","currency":"USD","price":{"model":"per_unit","unit_amount":"0.001"},
         "redact":[{"pointer":"/ok","action":"hide"}]}""").errorCode());
    assertEquals("unknown_field", broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"bad","currency":"USD","price":{"model":"per_unit","unit_amount":"0.001"},
         "redact":[{"pointer":"/ok","action":"mask","with":"x"}]}""").errorCode());
  }
}
