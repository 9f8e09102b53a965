package io.tollgate.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Cassandra node in a JVM of its own, listening on loopback only. The Cassandra
 * jars come from Maven Central (cassandra-all, copied to this module's {@code target/lib} by
 * the build), so nothing needs installing: the test suite starts one with {@link #shared()},
 * and {@code ./tollgate cassandra} starts one for trying the clustered mode by hand.
 */
public final class LocalCassandra implements AutoCloseable {
  public static final String HOST = "127.0.0.1";

  /**
   * What Cassandra's jvm17-server.options opens: Cassandra reaches into JDK internals (memory
   * accounting, direct buffers, JMX) and refuses to start without these on Java 17.
   */
  private static final List<String> JDK17_ACCESS = List.of(
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.math=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/java.net=ALL-UNNAMED");

  private static LocalCassandra shared;

  private final Process process;
  private final Path dir;
  private final int nativePort;
  private final Settings settings;

  private LocalCassandra(Process process, Settings settings) {
    this.process = process;
    this.dir = settings.dir().toAbsolutePath();
    this.nativePort = settings.nativePort();
    this.settings = settings;
  }

  /** Settings of one node: where it keeps its data, its CQL and internode ports, and its heap. */
  public record Settings(Path dir, int nativePort, int storagePort, String heap, Duration startTimeout) {
    public static Settings onFreePorts(Path dir) {
      return new Settings(dir, freePort(), freePort(), "768m", Duration.ofSeconds(120));
    }
  }

  /**
   * One node for every test of this JVM, on free ports in a fresh temporary directory, stopped
   * and deleted when the JVM exits.
   */
  public static synchronized LocalCassandra shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("tollgate-cassandra-");
        shared = start(Settings.onFreePorts(dir));
        LocalCassandra node = shared;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          node.close();
          deleteRecursively(dir);
        }, "stop-local-cassandra"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** Starts a node and returns once it accepts CQL connections. */
  public static LocalCassandra start(Settings settings) throws IOException {
    Path dir = settings.dir().toAbsolutePath();
    Files.createDirectories(dir);
    Path yaml = dir.resolve("cassandra.yaml");
    Files.writeString(yaml, yaml(dir, settings.nativePort(), settings.storagePort()), StandardCharsets.UTF_8);
    Path logback = dir.resolve("logback.xml");
    Files.writeString(logback, LOGBACK.replace("@LOG@", dir.resolve("cassandra.log").toString()), StandardCharsets.UTF_8);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + settings.heap());
    command.add("-Xmx" + settings.heap());
    command.add("-XX:+UseG1GC");
    command.add("-Djdk.attach.allowAttachSelf=true");
    command.addAll(JDK17_ACCESS);
    command.add("-Dcassandra.config=" + yaml.toUri());
    command.add("-Dcassandra.storagedir=" + dir);
    command.add("-Dcassandra-foreground=yes");
    command.add("-Dlogback.configurationFile=" + logback);
    // a fresh single node has no peers to learn the ring from: skip the waits meant for them
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    command.add("-Dcassandra.ring_delay_ms=100");
    command.add("-cp");
    command.add(libDir().resolve("*").toString());
    command.add("org.apache.cassandra.service.CassandraDaemon");

    Path out = dir.resolve("cassandra.out");
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
    LocalCassandra node = new LocalCassandra(process, settings);
    node.awaitCql(settings.startTimeout(), out);
    return node;
  }

  /** The driver's contact point, {@code host:port}. */
  public String contactPoint() {
    return HOST + ":" + nativePort;
  }

  public int nativePort() {
    return nativePort;
  }

  public Path dir() {
    return dir;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Starts this node again, after {@link #kill()} or {@link #close()}, on the same directory and
   * ports: it replays its commit log and serves what it had. Returns once it accepts CQL connections.
   */
  public LocalCassandra startAgain() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException("the node still runs: stop it first");
    }
    return start(settings);
  }

  /** SIGKILL, as a crash: nothing is flushed, and the data stays in {@link #dir()}. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /**
   * SIGSTOP: the process and its sockets stay, and nothing answers, as a hung node or one behind
   * a network that drops everything. {@link #resume()} lets it go on where it stood.
   */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " exited with " + kill.exitValue());
    }
  }

  /** Stops the node (SIGTERM, then SIGKILL after 30 s). Its data stays in {@link #dir()}. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitCql(Duration timeout, Path out) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("Cassandra exited with " + process.exitValue() + " before accepting CQL connections; "
            + "its output is in " + out + ":\n" + tail(out));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, nativePort), 500);
        return;
      } catch (IOException notYet) {
        try {
          process.waitFor(250, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for Cassandra", e);
        }
      }
    }
    close();
    throw new IOException("Cassandra did not accept CQL connections within " + timeout + "; its output is in "
        + out + ":\n" + tail(out));
  }

  private static String tail(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Where the build copied cassandra-all and its dependencies. */
  static Path libDir() throws IOException {
    String override = System.getProperty("tollgate.cassandra.lib");
    if (override != null) {
      return Path.of(override);
    }
    Properties build = new Properties();
    try (InputStream in = LocalCassandra.class.getResourceAsStream("/tollgate-cassandra-local.properties")) {
      if (in == null) {
        throw new IOException("tollgate-cassandra-local.properties is missing from the class path");
      }
      build.load(in);
    }
    Path lib = Path.of(build.getProperty("lib"));
    if (!Files.isDirectory(lib)) {
      throw new IOException("Cassandra's jars are not in " + lib + "; build the cassandra-local module first "
          + "(./mvnw -pl cassandra-local package)");
    }
    return lib;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String yaml(Path dir, int nativePort, int storagePort) {
    return """
        cluster_name: tollgate-local
        num_tokens: 16
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        listen_address: %1$s
        rpc_address: %1$s
        storage_port: %2$d
        native_transport_port: %3$d
        start_native_transport: true
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "%1$s:%2$d"
        authenticator: AllowAllAuthenticator
        authorizer: AllowAllAuthorizer
        data_file_directories:
          - %4$s/data
        commitlog_directory: %4$s/commitlog
        saved_caches_directory: %4$s/saved_caches
        hints_directory: %4$s/hints
        cdc_raw_directory: %4$s/cdc_raw
        commitlog_sync: group
        commitlog_sync_group_window: 5ms
        concurrent_reads: 8
        concurrent_writes: 16
        concurrent_compactors: 1
        disk_access_mode: mmap_index_only
        """.formatted(HOST, storagePort, nativePort, dir);
  }

  private static final String LOGBACK = """
      <configuration>
        <appender name="FILE" class="ch.qos.logback.core.FileAppender">
          <file>@LOG@</file>
          <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
        </appender>
        <root level="INFO"><appender-ref ref="FILE"/></root>
      </configuration>
      """;

  static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  /**
   * {@code ./tollgate cassandra [--port N] [--dir DIR]}: one node on loopback (CQL on 9042 by
   * default, data in ./data/cassandra) that runs until interrupted.
   */
  public static void main(String[] args) throws Exception {
    int port = 9042;
    int storagePort = 7000;
    Path dir = Path.of("data", "cassandra");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--storage-port" -> storagePort = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "-h", "--help" -> {
          System.out.println("usage: tollgate cassandra [--port 9042] [--storage-port 7000] [--dir data/cassandra]");
          return;
        }
        default -> {
          System.err.println("error: unknown option " + args[i] + " (see --help)");
          System.exit(2);
        }
      }
    }
    System.out.println("Starting Cassandra (data in " + dir.toAbsolutePath() + ") ...");
    LocalCassandra node = start(new Settings(dir, port, storagePort, "1g", Duration.ofSeconds(180)));
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "stop-local-cassandra"));
    System.out.println("Cassandra is running: CQL on " + node.contactPoint() + "; log in " + dir.resolve("cassandra.log"));
    System.out.println("  ./tollgate run --cassandra " + node.contactPoint());
    System.out.flush();
    node.process.waitFor();
  }
}
