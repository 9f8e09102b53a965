package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.cassandra.LocalCassandra;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Broker processes forming one Pekko cluster, each in a network namespace of its own
 * ({@link NetworkNamespaces}): the nodes reach each other only across the namespaces' bridge,
 * which the test can cut for one node. The test JVM's Cassandra and the clients reach every node
 * through {@link SocketRelay}s, which no cut touches. So a cut is a partition between cluster
 * nodes alone, the case the Split Brain Resolver is for: both sides still reach the storage and
 * their clients, and only the resolver keeps them from writing the same entities.
 *
 * <p>The clients' side of each node is a port on the test's loopback ({@link Node}); the node
 * itself listens on its namespace's loopback (HTTP, TCP, management) and on its namespace address
 * (the cluster).
 */
final class PartitionedCluster implements AutoCloseable {
  /** One node as its clients see it: ports on the test JVM's loopback, relayed into its namespace. */
  record Node(String name, Path data, Path log, int httpPort, int tcpPort, int managementPort) {
    URI baseUrl() {
      return URI.create("http://127.0.0.1:" + httpPort);
    }

    URI management() {
      return URI.create("http://127.0.0.1:" + managementPort);
    }
  }

  /** The ports every node uses inside its own namespace: the namespaces keep them apart. */
  private static final int HTTP = 8080;
  private static final int TCP = 7070;
  private static final int CLUSTER = 25520;
  private static final int MANAGEMENT = 8558;
  /** As LocalCluster: C1 only and the serial collector, so that five JVMs share two cores. */
  private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final NetworkNamespaces network;
  private final Path config;
  private final Path sockets;
  private final List<Node> nodes = new ArrayList<>();
  private final List<SocketRelay> testSide = new ArrayList<>();
  private final Process[] relays;
  private final Process[] brokers;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

  /**
   * Makes the network and the relays; {@code settings} is HOCON every node reads (its
   * {@code --config}). Nothing starts a broker yet.
   */
  PartitionedCluster(Path dir, int size, String settings) throws IOException, InterruptedException {
    network = NetworkNamespaces.create(size);
    relays = new Process[size];
    brokers = new Process[size];
    try {
      config = Files.writeString(dir.resolve("partition-test.conf"), settings);
      // Unix socket paths are limited to 107 bytes: a short directory of their own.
      sockets = Files.createTempDirectory("tgp");
      int cql = LocalCassandra.shared().nativePort();
      Path storage = sockets.resolve("cassandra.sock");
      testSide.add(SocketRelay.start(UnixDomainSocketAddress.of(storage), new InetSocketAddress("127.0.0.1", cql)));
      for (int i = 0; i < size; i++) {
        String name = "node" + (i + 1);
        List<String> relayed = new ArrayList<>(List.of(SocketRelay.tcp("127.0.0.1", cql) + "=" + SocketRelay.unix(storage)));
        int[] ports = new int[3];
        int[] inside = {HTTP, TCP, MANAGEMENT};
        for (int p = 0; p < 3; p++) {
          Path socket = sockets.resolve(name + "-" + inside[p] + ".sock");
          relayed.add(SocketRelay.unix(socket) + "=" + SocketRelay.tcp("127.0.0.1", inside[p]));
          SocketRelay relay = SocketRelay.start(new InetSocketAddress("127.0.0.1", 0), UnixDomainSocketAddress.of(socket));
          testSide.add(relay);
          ports[p] = relay.port();
        }
        nodes.add(new Node(name, Files.createDirectories(dir.resolve(name)), dir.resolve(name + ".log"),
            ports[0], ports[1], ports[2]));
        relays[i] = startRelay(i, relayed);
      }
    } catch (IOException | RuntimeException | InterruptedException failed) {
      close();
      throw failed;
    }
  }

  private Process startRelay(int i, List<String> relayed) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), SocketRelay.class.getName()));
    command.addAll(relayed);
    Process relay = new ProcessBuilder(network.inside(i, command))
        .redirectError(ProcessBuilder.Redirect.appendTo(nodes.get(i).data().resolve("relay.log").toFile()))
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
    try {
      String first = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(60, TimeUnit.SECONDS);
      if (!"relaying".equals(first)) {
        throw new IOException("the relay in " + network.namespace(i) + " did not start (" + first + "); see "
            + nodes.get(i).data().resolve("relay.log"));
      }
    } catch (ExecutionException | TimeoutException failed) {
      relay.destroyForcibly();
      throw new IOException("the relay in " + network.namespace(i) + " did not start within 60 s", failed);
    }
    return relay;
  }

  /**
   * Starts the first node and waits until it is ready, then the others at once. The first
   * creates the test's keyspace and tables alone: three nodes creating them at once on a busy
   * machine timed out in Cassandra's schema agreement, and their catalogs failed to recover.
   */
  PartitionedCluster start() throws IOException {
    brokers[0] = launch(0);
    awaitReady(0);
    for (int i = 1; i < nodes.size(); i++) {
      brokers[i] = launch(i);
    }
    for (int i = 1; i < nodes.size(); i++) {
      awaitReady(i);
    }
    return this;
  }

  /** Starts node {@code i} again (after it stopped) and waits until it is ready. */
  void restart(int i) throws IOException {
    brokers[i] = launch(i);
    awaitReady(i);
  }

  private Process launch(int i) throws IOException {
    Node node = nodes.get(i);
    String seeds = IntStream.range(0, nodes.size()).mapToObj(n -> network.address(n) + ":" + CLUSTER)
        .collect(Collectors.joining(","));
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-Dpekko.actor.serialize-messages=on"));
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tollgate.broker.Main", "run",
        "--http-port", Integer.toString(HTTP), "--tcp-port", Integer.toString(TCP),
        "--data-dir", node.data().toString(),
        "--cassandra", "127.0.0.1:" + LocalCassandra.shared().nativePort(),
        "--cluster-port", Integer.toString(CLUSTER),
        // every node a seed: a restarted first seed joins the others instead of forming a cluster alone
        "--seed-nodes", seeds,
        "--management-port", Integer.toString(MANAGEMENT),
        "--config", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(network.inside(i, command));
    builder.environment().put("TOLLGATE_ADMIN_KEY", BrokerProcess.ADMIN_KEY);
    builder.environment().put("TOLLGATE_CLUSTER_HOST", network.address(i));
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()));
    return builder.start();
  }

  private void awaitReady(int i) {
    Node node = nodes.get(i);
    try {
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
        if (!brokers[i].isAlive()) {
          throw new IllegalStateException("the broker exited with " + brokers[i].exitValue());
        }
        try {
          return http.send(HttpRequest.newBuilder(node.baseUrl().resolve("/readyz")).timeout(PROBE_TIMEOUT).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
          return false;
        }
      });
    } catch (ConditionTimeoutException | IllegalStateException notReady) {
      throw new AssertionError(node.name() + " did not become ready; its log ends:\n" + logTail(i, 40), notReady);
    }
  }

  Node node(int i) {
    return nodes.get(i);
  }

  boolean isRunning(int i) {
    return brokers[i] != null && brokers[i].isAlive();
  }

  /** Node {@code i}'s process, to await its exit. */
  Process process(int i) {
    return brokers[i];
  }

  /** Node {@code i}'s TCP port while it runs, else the first running node's. */
  int tcpPortOfRunning(int i) {
    if (isRunning(i)) {
      return nodes.get(i).tcpPort();
    }
    for (int j = 0; j < nodes.size(); j++) {
      if (isRunning(j)) {
        return nodes.get(j).tcpPort();
      }
    }
    throw new IllegalStateException("no node is running");
  }

  /** The base URLs of the nodes whose process runs, in node order. */
  List<URI> running() {
    List<URI> running = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (isRunning(i)) {
        running.add(nodes.get(i).baseUrl());
      }
    }
    return running;
  }

  /** Cuts node {@code i} off from the other nodes (not from its clients nor from Cassandra). */
  void partition(int i) throws IOException, InterruptedException {
    network.cut(i);
  }

  void heal(int i) throws IOException, InterruptedException {
    network.heal(i);
  }

  /**
   * The node whose shard region hosts the entity, as Pekko Management's
   * {@code /cluster/shards/{type}} reports it; empty while its shard is not allocated. The shard
   * is Pekko's default: the entity id's hash code modulo the 100 shards of cluster-common.conf.
   */
  OptionalInt nodeHosting(String entityType, String entityId) throws IOException, InterruptedException {
    String shard = Integer.toString(Math.abs(entityId.hashCode() % 100));
    for (int i = 0; i < nodes.size(); i++) {
      if (!isRunning(i)) {
        continue;
      }
      for (JsonNode region : managementGet(i, "/cluster/shards/" + entityType).path("regions")) {
        if (region.path("shardId").asText().equals(shard)) {
          return OptionalInt.of(i);
        }
      }
    }
    return OptionalInt.empty();
  }

  /** Pekko Management's {@code /cluster/members} as node {@code i} sees them. */
  JsonNode members(int i) throws IOException, InterruptedException {
    return managementGet(i, "/cluster/members");
  }

  private JsonNode managementGet(int i, String path) throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(nodes.get(i).management().resolve(path)).timeout(PROBE_TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return new ObjectMapper().readTree(body);
  }

  String logTail(int i, int lines) {
    try {
      List<String> all = Files.readAllLines(nodes.get(i).log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException unreadable) {
      return "(" + nodes.get(i).log() + " unreadable: " + unreadable + ")";
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Stops every process, the relays and the network, whatever state they are in. */
  @Override
  public void close() throws InterruptedException {
    for (Process process : brokers) {
      if (process != null && process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    for (Process relay : relays) {
      if (relay != null && relay.isAlive()) {
        relay.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    for (SocketRelay relay : testSide) {
      try {
        relay.close();
      } catch (IOException ignored) {
        // the network goes next
      }
    }
    network.close();
    if (sockets != null) {
      try (var files = Files.list(sockets)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
        Files.deleteIfExists(sockets);
      } catch (IOException ignored) {
        // a temporary directory of sockets left behind is harmless
      }
    }
  }
}
