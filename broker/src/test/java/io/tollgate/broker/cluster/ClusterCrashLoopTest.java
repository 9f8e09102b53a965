package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.client.TollgateAdmin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash loop with one of three nodes killed each time (issue 15), short: a producer publishes
 * and two subscriptions are consumed while, cycle after cycle, the node that runs the first
 * subscription's entity is killed with SIGKILL and started again. That subscription's consumer
 * streams from that very node, so its stream breaks and it reconnects to a survivor whose shard
 * region still points at the dead node until the Split Brain Resolver downs it: the first
 * reconnect must succeed, every cycle, because the handshake waits out the downing
 * ({@code tollgate.subscriptions.failover-margin}). After the cycles nothing acknowledged is lost
 * and each subscription is billed once per distinct event it delivered.
 *
 * <p>Two cycles in the suite (a kill, a restart, a kill again); {@code bench/crashloop-cluster.sh} runs the same test for 100
 * through the system properties {@code tollgate.crashloop.cycles}, {@code .budget} (an ISO-8601
 * duration after which no cycle starts) and {@code .results} (a file that gets one JSON line per
 * cycle and a summary).
 */
class ClusterCrashLoopTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private LocalCluster cluster;
  private final List<ResumingConsumer> probes = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (ResumingConsumer probe : probes) {
      probe.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killingTheNodeOfASubscriptionEachCycleLosesNothingBillsOnceAndItsFirstReconnectSucceeds() throws Exception {
    int cycles = Integer.getInteger("tollgate.crashloop.cycles", 2);
    Instant stopCyclingAt = Instant.now().plus(Duration.parse(System.getProperty("tollgate.crashloop.budget", "PT30M")));
    Optional<Path> results = Optional.ofNullable(System.getProperty("tollgate.crashloop.results")).map(Path::of);
    cluster = new LocalCluster(dir, "crashloop_" + ProcessHandle.current().pid(), 3);
    cluster.start();
    TollgateAdmin admin = new TollgateAdmin(cluster.node(0).baseUrl(), BrokerProcess.ADMIN_KEY);
    TestBroker.Tenancy t = TestBroker.tenancy(admin, "crashloop", 4);
    String steadyAccount = admin.createAccount("crashloop steady consumer").get("id").asText();
    String steadyKey = admin.createKey(steadyAccount, List.of("subscribe", "read")).get("secret").asText();
    String steadySubscription = admin.createSubscription(steadyAccount, t.product(), t.plan(), "beginning")
        .get("id").asText();
    for (int i = 0; i < 3; i++) {
      TollgateAdmin onNode = new TollgateAdmin(cluster.node(i).baseUrl(), BrokerProcess.ADMIN_KEY);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> onNode.get("/v1/subscriptions/" + steadySubscription).has("id"));
    }
    // A node being killed is left out of reconnects at once, not only once its process is reaped.
    Set<URI> killed = ConcurrentHashMap.newKeySet();
    Supplier<List<URI>> reachable = () -> cluster.running().stream().filter(node -> !killed.contains(node)).toList();

    int cyclesRun = 0;
    try (RetryingProducer producer = new RetryingProducer("/loop", t.topic(), t.producerKey(),
             () -> cluster.tcpPortOfRunning(0));
         ResumingConsumer steady = new ResumingConsumer(reachable, cluster.node(1).baseUrl(), steadyKey,
             steadySubscription)) {
      for (int cycle = 1; cycle <= cycles && Instant.now().isBefore(stopCyclingAt); cycle++) {
        // Reading the subscription asks its entity, which starts it when its shard has no home yet.
        int victim = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
          admin.get("/v1/subscriptions/" + t.subscription());
          return cluster.nodeHosting("Subscription", t.subscription());
        }, OptionalInt::isPresent).getAsInt();
        ResumingConsumer probe = new ResumingConsumer(reachable, cluster.node(victim).baseUrl(), t.consumerKey(),
            t.subscription(), probedHighest());
        probes.add(probe);
        await().atMost(Duration.ofSeconds(60)).until(() -> probe.firstDeliveryAfterConnection(0).isPresent());
        assertEquals(1, probe.connections(), "cycle " + cycle + ": the consumer streams from node" + (victim + 1)
            + ", which runs its subscription; refused: " + probe.refusedConnections());

        killed.add(cluster.node(victim).baseUrl());
        long killedAt = System.nanoTime();
        cluster.process(victim).kill();
        await().atMost(Duration.ofSeconds(120)).until(() -> probe.firstDeliveryAfterConnection(1).isPresent());
        long resumedMillis = (probe.firstDeliveryAfterConnection(1).getAsLong() - killedAt) / 1_000_000;
        OptionalInt delivering = probe.firstDeliveringConnectionAfter(1);
        List<String> refused = probe.refusedConnections();

        long restartStarted = System.nanoTime();
        cluster.restart(victim);
        killed.remove(cluster.node(victim).baseUrl());
        long restartMillis = (System.nanoTime() - restartStarted) / 1_000_000;
        probe.close();
        cyclesRun = cycle;
        ObjectNode line = JSON.createObjectNode().put("test", "cluster-crashloop").put("cycle", cycle)
            .put("at", Instant.now().toString()).put("killed", cluster.node(victim).name())
            .put("first_reconnect_delivered", delivering.equals(OptionalInt.of(2)))
            .put("refused_reconnects", refused.size()).put("resumed_ms", resumedMillis)
            .put("restart_ms", restartMillis).put("acked_so_far", producer.acked().size());
        System.out.println(line);
        append(results, line);
        assertEquals(List.of(), refused, "cycle " + cycle + ": every reconnect after the kill was accepted");
        assertEquals(OptionalInt.of(2), delivering, "cycle " + cycle + ": the first reconnect delivered");
      }

      producer.close();
      Set<String> acked = producer.acked();
      ResumingConsumer last = new ResumingConsumer(reachable, cluster.node(0).baseUrl(), t.consumerKey(),
          t.subscription(), probedHighest());
      probes.add(last);
      await().atMost(Duration.ofSeconds(120))
          .until(() -> steady.ids().containsAll(acked) && probed().containsAll(acked));
      // The consumers stay open until their events are billed: one whose acks were refused (a
      // stream that had to resync) gets its events again on its next connection.
      long probedUsage = usageOnceCounted(admin, t.subscription(), () -> probed().size());
      long steadyUsage = usageOnceCounted(admin, steadySubscription, () -> steady.ids().size());
      steady.close();
      for (ResumingConsumer probe : probes) {
        probe.close();
      }
      ObjectNode summary = JSON.createObjectNode().put("test", "cluster-crashloop").put("summary", true)
          .put("at", Instant.now().toString()).put("cycles", cyclesRun).put("acked", acked.size())
          .put("probed_distinct", probed().size()).put("probed_usage", probedUsage)
          .put("steady_distinct", steady.ids().size()).put("steady_usage", steadyUsage)
          .put("publish_failures", producer.failures().size());
      System.out.println(summary);
      append(results, summary);

      assertTrue(acked.size() >= 1000, acked.size() + " events acknowledged");
      assertEquals(List.of(), steady.orderViolations(), "order per partition across every kill");
      for (ResumingConsumer probe : probes) {
        assertEquals(List.of(), probe.orderViolations(), "order per partition across the kill");
      }
      assertEquals(probed().size(), probedUsage, "the killed node's subscription is billed once per event");
      assertEquals(steady.ids().size(), steadyUsage, "the other subscription is billed once per event");
    }
  }

  /** Every distinct event the first subscription's consumers received, over all cycles. */
  private Set<String> probed() {
    Set<String> all = new HashSet<>();
    for (ResumingConsumer probe : probes) {
      all.addAll(probe.ids());
    }
    return all;
  }

  /**
   * The highest offset per partition that the first subscription's consumers received so far:
   * where the next one must start no later than just after (each resumes after the last ack).
   */
  private Map<Integer, Long> probedHighest() {
    return probes.isEmpty() ? Map.of() : probes.get(probes.size() - 1).highestOffsets();
  }

  /** The subscription's usage once it has counted at least the {@code distinct} events: more is a unit billed twice. */
  private static long usageOnceCounted(TollgateAdmin admin, String subscription, IntSupplier distinct) {
    return await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
        admin.get("/v1/subscriptions/" + subscription).get("usage").get("events").asLong(),
        usage -> usage >= distinct.getAsInt());
  }

  private static void append(Optional<Path> results, ObjectNode line) throws IOException {
    if (results.isPresent()) {
      Files.writeString(results.get(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }
}
