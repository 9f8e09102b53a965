package io.tollgate.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
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
  private static CliNode node;

  @BeforeAll
  static void start() throws Exception {
    node = CliNode.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static CliNode.Run loadgen(String... extra) {
    List<String> args = new ArrayList<>(List.of("--mode", "e2e", "--rate", "200", "--duration", "2s",
        "--partitions", "2"));
    args.addAll(List.of(extra));
    return node.loadgen(args.toArray(String[]::new));
  }

  @Test
  void everyEventArrivesOnceAndTheStartSaysWhenTheStreamOpenedAndTheFirstAckAndDeliveryCame() throws Exception {
    CliNode.Run run = loadgen();
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = run.summary();
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
    CliNode.Run run = loadgen("--warmup", "1s");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = run.summary();
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

  @Test
  void singleSendsThroughTheBatchingPublisherKeepItOpenFromTheWarmUpIntoTheRun() throws Exception {
    CliNode.Run run = loadgen("--warmup", "1s", "--batch-size", "1");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = run.summary();
    assertEquals(400, summary.get("received").asLong(), summary.toString());
    assertEquals(200, summary.get("warmup_latency_ms").get("count").asLong(), summary.toString());
  }
}
