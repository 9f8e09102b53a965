package io.tollgate.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.node.TollgateNode;
import io.tollgate.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TollgateNode node;
  private static URI url;

  @BeforeAll
  static void start() throws Exception {
    node = TollgateNode.start(TollgateNode.configure(ConfigFactory.parseMap(Map.of("tollgate.http.port", 0,
        "tollgate.tcp.port", 0, "tollgate.management.port", 0,
        "tollgate.data-dir", Files.createTempDirectory("tollgate-cli-webhook").toString(),
        "tollgate.webhooks.secret-key", Base64.getEncoder().encodeToString(new byte[32]),
        "tollgate.webhooks.allow-private-targets", true, "tollgate.webhooks.wake-every", "1s"))), Clock.systemUTC());
    url = URI.create("http://127.0.0.1:" + node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.stop();
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run tollgate(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(exit, out.toString().strip(), err.toString().strip());
  }

  private static JsonNode summary(Run run) throws Exception {
    return JSON.readTree(run.out().lines().filter(line -> line.startsWith("{")).findFirst().orElseThrow());
  }

  @Test
  void atARateEveryEndpointReceivesEverySignedEventOnceAndInOrder() throws Exception {
    Run run = tollgate("loadgen", "--setup", "--mode", "webhook", "--endpoints", "4", "--rate", "100",
        "--duration", "2s", "--partitions", "2", "--batch-size", "10", "--webhook-batch-size", "20",
        "--url", url.toString(), "--tcp", "127.0.0.1:" + node.tcpPort(), "--key", node.adminKey().secret(),
        "--drain-timeout", "20s");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = summary(run);
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
    Run run = tollgate("loadgen", "--setup", "--mode", "webhook", "--endpoints", "2", "--rate", "0",
        "--events", "500", "--partitions", "2", "--url", url.toString(), "--tcp", "127.0.0.1:" + node.tcpPort(),
        "--key", node.adminKey().secret(), "--drain-timeout", "20s");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = summary(run);
    assertEquals(1000, summary.get("received").asLong(), summary.toString());
    assertEquals(1000, summary.get("latency_ms").get("count").asLong(), summary.toString());
    assertEquals(0, summary.get("lost").asLong(), summary.toString());
  }
}
