package io.tollgate.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code loadgen --mode webhook} against a real node: webhook subscriptions of its own posting to
 * endpoints it serves on loopback, every request's signature checked, every event received once
 * per endpoint, in order per partition, with its latency from publish to receipt.
 */
class WebhookLoadgenTest {
  private static CliNode node;

  @BeforeAll
  static void start() throws Exception {
    node = CliNode.start(Map.of("tollgate.webhooks.secret-key", Base64.getEncoder().encodeToString(new byte[32]),
        "tollgate.webhooks.allow-private-targets", true, "tollgate.webhooks.wake-every", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void atARateEveryEndpointReceivesEverySignedEventOnceAndInOrder() throws Exception {
    CliNode.Run run = node.loadgen("--mode", "webhook", "--endpoints", "4", "--rate", "100", "--duration", "2s",
        "--partitions", "2", "--batch-size", "10", "--webhook-batch-size", "20");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = run.summary();
    JsonNode webhook = summary.get("webhook");
    assertEquals(200, webhook.get("published").asLong(), summary.toString());
    assertEquals(4, webhook.get("endpoints").asInt());
    assertEquals(800, summary.get("received").asLong(), summary.toString());
    assertEquals(0, summary.get("lost").asLong() + summary.get("duplicates").asLong()
        + summary.get("out_of_order").asLong(), summary.toString());
    assertEquals(0, webhook.get("bad_signatures").asLong());
    assertEquals(200, webhook.get("fewest_received_by_an_endpoint").asLong());
    assertTrue(webhook.get("problems").isEmpty(), summary.toString());
    assertEquals(800, summary.get("latency_ms").get("count").asLong(), "a latency per delivery");
    assertTrue(summary.get("seconds_latency_ms").size() >= 2, summary.toString());
    assertTrue(webhook.get("requests").asLong() >= 4, summary.toString());
  }

  @Test
  void withoutARateItPublishesItsEventsAsFastAsAcksAllow() throws Exception {
    CliNode.Run run = node.loadgen("--mode", "webhook", "--endpoints", "2", "--rate", "0", "--events", "500",
        "--partitions", "2");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = run.summary();
    assertEquals(1000, summary.get("received").asLong(), summary.toString());
    assertEquals(1000, summary.get("latency_ms").get("count").asLong(), summary.toString());
    assertEquals(0, summary.get("lost").asLong(), summary.toString());
  }
}
