package io.tollgate.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A broker node the crash loop runs as a child process ({@code tollgate run} on this JVM's
 * classpath), so that it can be killed with SIGKILL and started again on the same data
 * directory and ports.
 */
final class BrokerChild {
  /** How the node is started, the same for every restart. */
  record Launch(Path dataDir, Path log, int httpPort, int tcpPort, String adminKey, List<String> jvmOptions) {
    URI baseUrl() {
      return URI.create("http://127.0.0.1:" + httpPort);
    }
  }

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final long PROBE_INTERVAL_MILLIS = 25;
  private final Launch launch;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

  private BrokerChild(Launch launch, Process process) {
    this.launch = launch;
    this.process = process;
  }

  static BrokerChild start(Launch launch) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(launch.jvmOptions());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
        "--host", "127.0.0.1", "--data-dir", launch.dataDir().toString(),
        "--http-port", Integer.toString(launch.httpPort()), "--tcp-port", Integer.toString(launch.tcpPort()),
        "--management-port", "0"));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TOLLGATE_ADMIN_KEY", launch.adminKey());
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(launch.log().toFile()));
    return new BrokerChild(launch, builder.start());
  }

  /**
   * A free port below the usual ephemeral range (32768 and up on Linux), so that no outgoing
   * connection of another program takes it while the node is down between a kill and a restart.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Waits until {@code path} answers 200; fails with the end of the node's log when it exits or the deadline passes. */
  void awaitAnswer(String path, long deadlineNanos) throws InterruptedException {
    HttpRequest probe = HttpRequest.newBuilder(launch.baseUrl().resolve(path)).timeout(PROBE_TIMEOUT).build();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the broker exited with " + process.exitValue() + "; its log ends:\n" + logTail());
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new IllegalStateException("the broker did not answer " + path + " with 200 in time; its log ends:\n" + logTail());
      }
      Thread.sleep(PROBE_INTERVAL_MILLIS);
    }
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGKILL without waiting: for a shutdown hook, so that no node outlives the loop. */
  void killWithoutWaiting() {
    process.destroyForcibly();
  }

  /** SIGTERM, then SIGKILL if it has not stopped within 60 s. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(launch.log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException unreadable) {
      return "(" + launch.log() + " unreadable: " + unreadable + ")";
    }
  }
}
