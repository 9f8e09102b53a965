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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code loadgen --mode e2e} against a real node: every event received once and in order, the
 * per-second publish-to-receive and publish-to-ack latencies, and when the run's first things
 * happened, with and without a warm-up on the same stream before the clock starts.
 */
class EndToEndLoadgenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TollgateNode node;
  private static URI url;

  @BeforeAll
  static void start() throws Exception {
    node = TollgateNode.start(TollgateNode.configure(ConfigFactory.parseMap(Map.of("tollgate.http.port", 0,
        "tollgate.tcp.port", 0, "tollgate.management.port", 0,
        "tollgate.data-dir", Files.createTempDirectory("tollgate-cli-e2e").toString()))), Clock.systemUTC());
    url = URI.create("http://127.0.0.1:" + node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.stop();
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run loadgen(String... extra) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] base = {"loadgen", "--setup", "--mode", "e2e", "--rate", "200", "--duration", "2s", "--partitions", "2",
        "--url", url.toString(), "--tcp", "127.0.0.1:" + node.tcpPort(), "--key", node.adminKey().secret(),
        "--drain-timeout", "20s"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(exit, out.toString().strip(), err.toString().strip());
  }

  private static JsonNode summary(Run run) throws Exception {
    return JSON.readTree(run.out().lines().filter(line -> line.startsWith("{")).findFirst().orElseThrow());
  }

  @Test
  void everyEventArrivesOnceAndTheStartSaysWhenTheStreamOpenedAndTheFirstAckAndDeliveryCame() throws Exception {
    Run run = loadgen();
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = summary(run);
    assertEquals(400, summary.get("events").asLong(), summary.toString());
    assertEquals(400, summary.get("received").asLong(), summary.toString());
    assertEquals(0, summary.get("lost").asLong() + summary.get("duplicates").asLong()
        + summary.get("out_of_order").asLong(), summary.toString());
    assertEquals(400, summary.get("latency_ms").get("count").asLong());

    JsonNode start = summary.get("start_ms");
    double open = start.get("stream_open").asDouble();
    double clock = start.get("clock_start").asDouble();
    double send = start.get("first_send").asDouble();
    assertTrue(open <= clock && clock <= send && send <= start.get("first_ack").asDouble()
        && send <= start.get("first_delivery").asDouble(), "without a warm-up the clock starts, then the first send: "
        + start);
    assertTrue(summary.get("seconds_ack_latency_ms").size() >= 2, summary.toString());
    assertTrue(summary.get("warmup_latency_ms") == null, "no warm-up: " + summary);
    assertTrue(run.err().contains("start (from the run's beginning): stream open"), run.err());
    assertTrue(run.err().contains("| acks: p50"), run.err());
  }

  @Test
  void withAWarmUpTheClockStartsAfterItsEventsArrivedAndOnlyTheMeasuredOnesCount() throws Exception {
    Run run = loadgen("--warmup", "1s");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = summary(run);
    assertEquals(400, summary.get("events").asLong(), summary.toString());
    assertEquals(400, summary.get("received").asLong(), summary.toString());
    assertEquals(400, summary.get("latency_ms").get("count").asLong(), "the warm-up's latencies are apart");

    JsonNode start = summary.get("start_ms");
    double firstDelivery = start.get("first_delivery").asDouble();
    assertTrue(start.get("first_send").asDouble() < firstDelivery, start.toString());
    assertTrue(firstDelivery < start.get("clock_start").asDouble(), "the warm-up came first: " + start);
    assertEquals(200, summary.get("warmup_latency_ms").get("count").asLong(), summary.toString());
    assertTrue(run.err().contains("warm-up: 200 of 200 events received"), run.err());
  }
}
