package io.tollgate.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash loop of bench/crashloop.sh, short: three SIGKILLs of a node while it publishes and
 * delivers at a steady rate. After each restart every acknowledged event is in the topic and
 * reaches the consumer, and billing never counts more than the consumer received; at the end it
 * counts exactly what the consumer received. The loop itself checks all of it (see CrashLoop);
 * this test reads its verdict and its figures.
 */
class CrashLoopTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void threeSigkillsUnderSteadyLoadLoseNothingAcknowledgedAndBillNothingTwice() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("crashloop",
        "--cycles", "3", "--min-uptime", "2s", "--max-uptime", "4s", "--rate", "100", "--partitions", "2",
        "--broker-opts", "-Xms128m -Xmx384m", "--work-dir", dir.toString(), "--check-timeout", "240s",
        "--max-time", "15m", "--seed", "15");

    // The loop's own lines, for the test report: its restart times on the machine that ran it.
    System.out.println(out);
    System.out.println(err);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString().strip().split("\n")) {
      lines.add(JSON.readTree(line));
    }
    JsonNode summary = lines.get(lines.size() - 1);
    String context = "violations " + summary.get("violations") + "\nprogress:\n" + err;
    assertEquals(0, exit, context);
    assertTrue(summary.get("ok").asBoolean(), context);
    assertEquals(3, summary.get("cycles").asInt(), context);
    assertEquals(3, lines.size() - 1, "one line per cycle, then the summary");
    int ackedBefore = 0;
    for (JsonNode cycle : lines.subList(0, 3)) {
      JsonNode restart = cycle.get("restart_ms");
      assertTrue(restart.get("healthz").asLong() > 0, cycle.toString());
      assertTrue(restart.get("ready").asLong() >= restart.get("healthz").asLong(), cycle.toString());
      assertTrue(restart.get("first_publish_accepted").asLong() > 0, cycle.toString());
      assertTrue(restart.get("consumer_resumed").asLong() > 0, cycle.toString());
      assertTrue(cycle.get("acked_before_kill").asInt() > ackedBefore, "the producer published during each cycle: " + cycle);
      ackedBefore = cycle.get("acked_before_kill").asInt();
      assertTrue(cycle.get("audited").asInt() >= ackedBefore, cycle.toString());
      assertTrue(cycle.get("received").asInt() >= ackedBefore, cycle.toString());
    }
    assertTrue(summary.get("acked").asInt() >= ackedBefore, summary.toString());
    assertEquals(summary.get("received").asLong(), summary.get("billed").asLong(), "billed once per distinct event: " + summary);
  }
}
