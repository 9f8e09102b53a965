package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.core.ConditionTimeoutException;

/** The broker as a separate operating-system process, so tests can SIGKILL or SIGTERM it. */
public final class BrokerProcess implements AutoCloseable {
  /** Strong enough for the node to start with (AdminKey: 32 characters or more, 12 different). */
  public static final String ADMIN_KEY = "admin.crash-test-key.Qm7vXp2LwR9kT4zN8bH3";
  /** A probe that a busy node leaves unanswered is asked again, not waited for until the deadline. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final int LOWEST_PORT = 20_000;
  private static final int BELOW_EPHEMERAL_RANGE = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private final Process process;
  private final Path log;
  public final int httpPort;
  public final int tcpPort;

  private BrokerProcess(Process process, Path log, int httpPort, int tcpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
  }

  /**
   * A port for a process that a test kills and starts again on the same port (a broker, a
   * Cassandra node). A port {@code bind(0)} hands out comes from the ephemeral range (32768 and up
   * on Linux), from which every outgoing connection also takes its local port: a client or driver
   * reconnecting while the process is down can hold the port when it starts again, and the start
   * fails ("Address already in use"; ClusterCrashLoopTest in CI). These come from below that
   * range, free when handed out, and never twice from this JVM: a port chosen for a node that
   * starts later is not bound yet.
   */
  public static int freePort() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST_PORT, BELOW_EPHEMERAL_RANGE);
      if (isFree(port) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IOException("no free port between " + LOWEST_PORT + " and " + BELOW_EPHEMERAL_RANGE);
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  public static BrokerProcess start(Path dataDir, int httpPort, int tcpPort, Path log) throws IOException {
    return start(dataDir, httpPort, tcpPort, log, List.of());
  }

  public static BrokerProcess start(Path dataDir, int httpPort, int tcpPort, Path log, List<String> runFlags) throws IOException {
    BrokerProcess broker = launch(dataDir, httpPort, tcpPort, log, runFlags);
    broker.awaitReady();
    return broker;
  }

  /** Starts the process without waiting for it to be ready (see {@link #awaitReady()}). */
  public static BrokerProcess launch(Path dataDir, int httpPort, int tcpPort, Path log, List<String> runFlags) throws IOException {
    return launch(dataDir, httpPort, tcpPort, log, List.of(), runFlags);
  }

  /** As {@link #launch(Path, int, int, Path, List)}, with options for the process's JVM. */
  public static BrokerProcess launch(Path dataDir, int httpPort, int tcpPort, Path log, List<String> jvmOptions,
                                     List<String> runFlags) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        // as TestBroker.VERIFY_SERIALIZATION: every message goes through its serializer
        "-Dpekko.actor.serialize-messages=on"));
    command.addAll(jvmOptions);
    command.addAll(List.of(
        "-cp", System.getProperty("java.class.path"), "io.tollgate.broker.Main", "run",
        "--http-port", Integer.toString(httpPort), "--tcp-port", Integer.toString(tcpPort),
        "--data-dir", dataDir.toString()));
    if (!runFlags.contains("--management-port")) {
      command.addAll(List.of("--management-port", "0"));
    }
    command.addAll(runFlags);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TOLLGATE_ADMIN_KEY", ADMIN_KEY);
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new BrokerProcess(builder.start(), log, httpPort, tcpPort);
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  /**
   * Waits until {@code /readyz} answers 200: the node has joined its cluster and read the
   * catalog. When it does not, the failure quotes the end of the node's log.
   */
  public void awaitReady() {
    awaitReady(Duration.ofSeconds(60));
  }

  /** As {@link #awaitReady()}, for up to {@code deadline}. */
  public void awaitReady(Duration deadline) {
    HttpClient http = HttpClient.newHttpClient();
    try {
      await().atMost(deadline).pollInterval(Duration.ofMillis(200)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("the broker exited with " + process.exitValue());
        }
        try {
          return http.send(HttpRequest.newBuilder(baseUrl().resolve("/readyz")).timeout(PROBE_TIMEOUT).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
          return false;
        }
      });
    } catch (ConditionTimeoutException | IllegalStateException notReady) {
      throw new AssertionError("the broker on port " + httpPort + " did not become ready; its log ends:\n"
          + logTail(40), notReady);
    }
  }

  private String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException unreadable) {
      return "(" + log + " unreadable: " + unreadable + ")";
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM, then the exit code once the graceful shutdown is over. */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the broker did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  static File logFile(Path dir) {
    return dir.resolve("broker.log").toFile();
  }
}
