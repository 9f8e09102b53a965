package io.tollgate.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.client.HttpPublisher;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.protocols.v1.CloudEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The commands that read server-sent events, against a real node: {@code subscribe --sse} on a
 * subscription of delivery type {@code sse}, and {@code loadgen --consume-via sse}.
 */
class EventStreamCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static CliNode node;

  @BeforeAll
  static void start() throws Exception {
    node = CliNode.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void subscribeSsePrintsAnSseSubscriptionsEventsAndEachIsBilledOnce() throws Exception {
    URI url = node.url();
    TollgateAdmin operator = new TollgateAdmin(url, node.adminKey());
    String producer = operator.createAccount("sse producer").get("id").asText();
    String producerKey = operator.createKey(producer, List.of("admin", "publish")).get("secret").asText();
    String consumer = operator.createAccount("sse consumer").get("id").asText();
    String consumerKey = operator.createKey(consumer, List.of("subscribe", "read")).get("secret").asText();
    operator.createDomain("ssecli", producer);
    operator.createTopic("ssecli.orders", "ssecli", 1);
    String product = operator.createProduct("sse orders", producer, List.of("ssecli.orders"), "public").get("id").asText();
    String plan = operator.createPerUnitPlan(product, "basic", "USD", "0.001").get("id").asText();
    JsonNode created = new TollgateAdmin(url, consumerKey).post("/v1/subscriptions", JSON.readTree(
        "{\"account\":\"" + consumer + "\",\"product\":\"" + product + "\",\"plan\":\"" + plan
            + "\",\"delivery\":{\"type\":\"sse\"}}"));
    assertEquals("sse", created.at("/delivery/type").asText());
    String subscription = created.get("id").asText();
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      events.add(CloudEvent.newBuilder().setSpecVersion("1.0").setId("cli-" + i).setSource("/cli").setType("order.created")
          .setJsonData("{\"n\":" + i + "}").build());
    }
    try (HttpPublisher publisher = new HttpPublisher(url, producerKey, java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build())) {
      assertEquals(2, publisher.publish("ssecli.orders", events).get().accepted());
    }

    CliNode.Run run = node.tollgateAs(consumerKey, "subscribe", "--sse", "--subscription", subscription,
        "--max-events", "2");
    assertEquals(0, run.exitCode(), run.err());
    List<String> ids = run.out().lines().map(line -> {
      try {
        return JSON.readTree(line).at("/event/id").asText();
      } catch (Exception e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }).toList();
    assertEquals(List.of("cli-1", "cli-2"), ids);
    assertEquals(2, operator.get("/v1/subscriptions/" + subscription).at("/usage/events").asLong());
  }

  @Test
  void loadgenDrainsOverServerSentEventsWithEveryEventOnce() throws Exception {
    CliNode.Run run = node.loadgen("--mode", "drain", "--consume-via", "sse", "--events", "2000", "--partitions", "2");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = run.summary();
    assertEquals("sse", summary.get("consume_via").asText());
    assertEquals(2000, summary.get("received").asLong());
    assertEquals(0, summary.get("lost").asLong() + summary.get("duplicates").asLong() + summary.get("out_of_order").asLong());
  }
}
