package io.tollgate.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.cassandra.LocalCassandra;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Broker processes forming one Pekko cluster on the test JVM's Cassandra, each with its own
 * ports, data directory and log, in a keyspace of the test's own. Failure detection and the
 * Split Brain Resolver are tuned down so that a killed node is downed within seconds, but not so
 * far that a busy node is taken for a dead one ({@link #LOADED_MACHINE}). Every node
 * is a seed node, so any of them, the first included, can be killed and started again: a node
 * that starts joins the seeds that answer, and only the first seed, when none answers, forms the
 * cluster on its own (after Pekko's seed-node-timeout, 5 s, at the cold start).
 */
final class LocalCluster implements AutoCloseable {
  /** One node's installation: it can be started again after a stop, on the same ports. */
  record Node(String name, Path data, Path log, int httpPort, int tcpPort, int clusterPort, int managementPort) {
    URI baseUrl() {
      return URI.create("http://127.0.0.1:" + httpPort);
    }

    URI management() {
      return URI.create("http://127.0.0.1:" + managementPort);
    }
  }

  /**
   * Brokers that start together, or one that starts while the others serve, compete for two cores
   * with Cassandra and the test: on a loaded machine a start took more than a minute.
   */
  private static final Duration READY_DEADLINE = Duration.ofMinutes(3);

  /**
   * Failure detection and downing for three brokers, Cassandra and the test on two cores. A node
   * that starts, or one whose collector or JIT holds its threads, sends no heartbeat for a while:
   * with a 2 s pause such nodes were downed and exited (and the test started them again), and the
   * network partition test already needed 5 s. A killed node's shards start elsewhere about 15 s
   * after it died (the pause, the Split Brain Resolver's stable-after, then the removal margin,
   * stable-after again), well within the tests' deadlines for a failover; the brokers' failover
   * wait follows the settings.
   */
  private static final String LOADED_MACHINE = """
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 5s
      pekko.cluster.split-brain-resolver.stable-after = 5s
      """;

  private final List<Node> nodes = new ArrayList<>();
  private final BrokerProcess[] processes;
  private final Path config;

  LocalCluster(Path dir, String keyspace, int size) throws IOException {
    this(dir, keyspace, size, "");
  }

  /** {@code extraConfig}: more settings for every node, in HOCON. */
  LocalCluster(Path dir, String keyspace, int size, String extraConfig) throws IOException {
    config = dir.resolve("cluster-test.conf");
    Files.writeString(config, """
        tollgate.cassandra.keyspace = "%s"
        """.formatted(keyspace) + LOADED_MACHINE + extraConfig);
    for (int i = 0; i < size; i++) {
      String name = "node" + (i + 1);
      nodes.add(new Node(name, Files.createDirectories(dir.resolve(name)), dir.resolve(name + ".log"),
          BrokerProcess.freePort(), BrokerProcess.freePort(), BrokerProcess.freePort(), BrokerProcess.freePort()));
    }
    processes = new BrokerProcess[size];
  }

  /**
   * Starts every node and waits until each is ready. Keep the cluster before starting it,
   * so that its processes are stopped even when one of them does not become ready.
   */
  LocalCluster start() throws IOException {
    return start(nodes.size());
  }

  /**
   * Starts the first {@code count} nodes and waits until each is ready; the others can join later
   * ({@link #restart}). The first node starts alone: it creates the keyspace and the tables, which
   * nodes that start at once would each create, and on a loaded machine Cassandra did not agree
   * on the schema in time ("table metadata does not exist", and a node gave up at start).
   */
  LocalCluster start(int count) throws IOException {
    processes[0] = launch(0);
    awaitReady(0);
    for (int i = 1; i < count; i++) {
      processes[i] = launch(i);
    }
    for (int i = 1; i < count; i++) {
      awaitReady(i);
    }
    return this;
  }

  /** Starts node {@code i} (again, after a stop, or for the first time) and waits until it is ready. */
  void restart(int i) throws IOException {
    processes[i] = launch(i);
    awaitReady(i);
  }

  /**
   * Waits until node {@code i} is ready, and starts it once more if it exited meanwhile, as a
   * supervisor would. On an overloaded machine a start failed for reasons the tests are not
   * about: the first node's creation of the keyspace and tables ran past the driver's 2 s and the
   * journal plugin does not try again (Cassandra finishes the tables meanwhile, so the next start
   * finds them), or a joining node missed heartbeats for longer than the tests' pause and was
   * downed (it exits with status 3, and can join again as a new incarnation).
   */
  private void awaitReady(int i) throws IOException {
    try {
      processes[i].awaitReady(READY_DEADLINE);
    } catch (AssertionError gaveUp) {
      if (processes[i].isAlive()) {
        throw gaveUp;
      }
      System.out.println(nodes.get(i).name() + " exited during its start; starting it again: " + gaveUp.getMessage());
      processes[i] = launch(i);
      processes[i].awaitReady(READY_DEADLINE);
    }
  }

  /**
   * Three brokers, Cassandra and the test share two cores. A broker that starts while the others
   * serve competes with their JIT compilers and collectors, so each broker compiles with C1 only
   * and collects on the thread that allocates: less background work on every node, more of the
   * machine for the one that starts. The tests are about failover, not peak throughput.
   */
  private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private BrokerProcess launch(int i) throws IOException {
    Node node = nodes.get(i);
    return BrokerProcess.launch(node.data(), node.httpPort(), node.tcpPort(), node.log(), JVM_OPTIONS, List.of(
        "--cassandra", LocalCassandra.shared().contactPoint(),
        "--cluster-port", Integer.toString(node.clusterPort()),
        "--seed-nodes", String.join(",", nodes.stream().map(other -> "127.0.0.1:" + other.clusterPort()).toList()),
        "--management-port", Integer.toString(node.managementPort()),
        "--config", config.toString()));
  }

  Node node(int i) {
    return nodes.get(i);
  }

  BrokerProcess process(int i) {
    return processes[i];
  }

  /** Node {@code i}'s TCP port while it runs, else the first running node's. */
  int tcpPortOfRunning(int i) {
    if (processes[i] != null && processes[i].isAlive()) {
      return nodes.get(i).tcpPort();
    }
    for (int j = 0; j < nodes.size(); j++) {
      if (processes[j] != null && processes[j].isAlive()) {
        return nodes.get(j).tcpPort();
      }
    }
    throw new IllegalStateException("no node is running");
  }

  /**
   * The node whose shard region hosts the entity, as Pekko Management's
   * {@code /cluster/shards/{type}} reports it; empty while its shard is not allocated. The shard
   * is Pekko's default: the entity id's hash code modulo the 100 shards of cluster-common.conf.
   */
  OptionalInt nodeHosting(String entityType, String entityId) throws IOException, InterruptedException {
    String shard = Integer.toString(Math.abs(entityId.hashCode() % 100));
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < nodes.size(); i++) {
      if (processes[i] == null || !processes[i].isAlive()) {
        continue;
      }
      String body = http.send(HttpRequest.newBuilder(
              nodes.get(i).management().resolve("/cluster/shards/" + entityType)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (JsonNode region : new ObjectMapper()
          .readTree(body).path("regions")) {
        if (region.path("shardId").asText().equals(shard)) {
          return OptionalInt.of(i);
        }
      }
    }
    return OptionalInt.empty();
  }

  /** The base URLs of the nodes whose process is running, in node order. */
  List<URI> running() {
    List<URI> running = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (processes[i] != null && processes[i].isAlive()) {
        running.add(nodes.get(i).baseUrl());
      }
    }
    return running;
  }

  @Override
  public void close() throws InterruptedException {
    for (BrokerProcess process : processes) {
      if (process != null) {
        process.close();
      }
    }
  }
}
