package io.tollgate.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.node.TollgateNode;
import io.tollgate.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real node in the test's JVM, on free loopback ports and a data directory of its own, and the
 * CLI run in-process against it: what each of the CLI's end-to-end classes starts once. The node
 * is ready when {@link #start} returns (its catalog view has caught up), so a first command is not
 * answered {@code not_ready}.
 */
final class CliNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * How long a loadgen run waits for its next ack or delivery. It ends a run only once its events
   * stopped coming, so a passing run never waits it out; a loaded two-core machine (the JIT of a
   * cold node, a collection) can pause a run for seconds without anything being wrong.
   */
  static final String DRAIN_TIMEOUT = "60s";

  private final TollgateNode node;

  private CliNode(TollgateNode node) {
    this.node = node;
  }

  /** What a command returned and printed. */
  record Run(int exitCode, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }

    /** The JSON summary a loadgen run prints on stdout. */
    JsonNode summary() throws IOException {
      return JSON.readTree(out.lines().filter(line -> line.startsWith("{")).findFirst()
          .orElseThrow(() -> new AssertionError("no summary on stdout: " + out + "\nstderr: " + err)));
    }
  }

  /** A node with {@code settings} (keys of the {@code tollgate} section and others) beside the test defaults. */
  static CliNode start(Map<String, Object> settings) throws Exception {
    Map<String, Object> all = new HashMap<>(settings);
    all.put("tollgate.http.port", 0);
    all.put("tollgate.tcp.port", 0);
    all.put("tollgate.management.port", 0);
    all.put("tollgate.data-dir", Files.createTempDirectory("tollgate-cli-e2e").toString());
    return new CliNode(TollgateNode.start(TollgateNode.configure(ConfigFactory.parseMap(all)), Clock.systemUTC()));
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + node.httpPort());
  }

  String adminKey() {
    return node.adminKey().secret();
  }

  /** {@code tollgate args...}, run in this JVM. */
  static Run tollgate(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(exit, out.toString().strip(), err.toString().strip());
  }

  /** {@code tollgate args... --url <this node> --key key}. */
  Run tollgateAs(String key, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", url().toString(), "--key", key));
    return tollgate(all.toArray(String[]::new));
  }

  /** {@code tollgate loadgen --setup args...} against this node as its operator, with the shared drain timeout. */
  Run loadgen(String... args) {
    List<String> all = new ArrayList<>(List.of("loadgen", "--setup"));
    all.addAll(List.of(args));
    all.addAll(List.of("--tcp", "127.0.0.1:" + node.tcpPort(), "--drain-timeout", DRAIN_TIMEOUT));
    return tollgateAs(adminKey(), all.toArray(String[]::new));
  }

  @Override
  public void close() throws Exception {
    node.stop();
  }
}
