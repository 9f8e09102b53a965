package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.client.BatchingPublisher;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three broker processes in one Pekko cluster on one real Cassandra. Producers and WebSocket
 * consumers are spread over the nodes; one node is killed with SIGKILL, or stopped gracefully
 * and started again, in the middle of the stream.
 */
class ClusterFailoverTest {
  private static final AtomicInteger KEYSPACES = new AtomicInteger();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private LocalCluster cluster;

  /** Two consumers of one product, each with its own subscription, under a metered plan. */
  private record Setup(TestBroker.Tenancy tenancy, String secondConsumer, String secondKey, String secondSubscription) {}

  private Setup setUp(String domain) throws Exception {
    cluster = new LocalCluster(dir, "failover_" + ProcessHandle.current().pid() + "_" + KEYSPACES.incrementAndGet(), 3);
    cluster.start();
    TollgateAdmin admin = new TollgateAdmin(cluster.node(0).baseUrl(), BrokerProcess.ADMIN_KEY);
    TestBroker.Tenancy t = TestBroker.tenancy(admin, domain, 4);
    String consumer = admin.createAccount(domain + " second consumer").get("id").asText();
    String key = admin.createKey(consumer, List.of("subscribe", "read")).get("secret").asText();
    String subscription = admin.createSubscription(consumer, t.product(), t.plan(), "beginning").get("id").asText();
    for (int i = 0; i < 3; i++) {
      TollgateAdmin onNode = new TollgateAdmin(cluster.node(i).baseUrl(), BrokerProcess.ADMIN_KEY);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> onNode.get("/v1/subscriptions/" + subscription).has("id"));
    }
    return new Setup(t, consumer, key, subscription);
  }

  @AfterEach
  void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNodeKilledMidStreamLosesNothingAcknowledgedKeepsOrderAndBillsOnce() throws Exception {
    Setup s = setUp("failover");
    TestBroker.Tenancy t = s.tenancy();
    try (RetryingProducer first = new RetryingProducer("/p1", t.topic(), t.producerKey(), () -> cluster.tcpPortOfRunning(0));
         RetryingProducer second = new RetryingProducer("/p2", t.topic(), t.producerKey(), () -> cluster.tcpPortOfRunning(1));
         ResumingConsumer one = new ResumingConsumer(cluster::running, cluster.node(2).baseUrl(),
             t.consumerKey(), t.subscription());
         ResumingConsumer other = new ResumingConsumer(cluster::running, cluster.node(1).baseUrl(),
             s.secondKey(), s.secondSubscription())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> one.ids().size() >= 1000 && other.ids().size() >= 1000);

      // The worst case for the first consumer: the node that runs its subscription's entity dies.
      int victim = await().atMost(Duration.ofSeconds(30))
          .until(() -> cluster.nodeHosting("Subscription", t.subscription()), OptionalInt::isPresent).getAsInt();
      // The consumer streams from node3. When that is the node killed, it reconnects to a survivor;
      // otherwise its stream stays open and attaches again to the subscription's new home
      // (EntityWatch): the test waited for a new connection, which then never came.
      int connectionAtKill = one.connections();
      cluster.process(victim).kill();
      long killedAt = System.nanoTime();
      long receivedAgain = await().atMost(Duration.ofSeconds(90)).until(one::lastDeliveryNanos, at -> at > killedAt);
      System.out.printf("killed node%d, which ran the subscription's entity; its consumer (on node3) receives again "
              + "%d ms after SIGKILL (%d connection attempts)%n", victim + 1,
          (receivedAgain - killedAt) / 1_000_000, one.connections() - connectionAtKill);
      int seenAtKill = one.ids().size();
      await().atMost(Duration.ofSeconds(90)).until(() -> one.ids().size() >= seenAtKill + 1000);

      first.close();
      second.close();
      Set<String> acked = union(first.acked(), second.acked());
      await().atMost(Duration.ofSeconds(60)).until(() -> one.ids().containsAll(acked) && other.ids().containsAll(acked));
      assertTrue(acked.size() >= 2000, acked.size() + " events acknowledged");

      assertEquals(List.of(), one.orderViolations(), "order per partition, across the failover");
      assertEquals(List.of(), other.orderViolations(), "order per partition of the other consumer");

      int survivor = victim == 0 ? 1 : 0;
      TollgateAdmin admin = new TollgateAdmin(cluster.node(survivor).baseUrl(), BrokerProcess.ADMIN_KEY);
      assertBilledExactly(admin, t.subscription(), one);
      assertBilledExactly(admin, s.secondSubscription(), other);
    }
  }

  @Test
  void aRollingRestartShowsConsumersNothingButAReconnect() throws Exception {
    Setup s = setUp("rolling");
    TestBroker.Tenancy t = s.tenancy();
    try (RetryingProducer producer = new RetryingProducer("/rolling", t.topic(), t.producerKey(),
             () -> cluster.node(0).tcpPort());
         ResumingConsumer onRestarted = new ResumingConsumer(cluster::running, cluster.node(1).baseUrl(),
             t.consumerKey(), t.subscription());
         ResumingConsumer onOther = new ResumingConsumer(cluster::running, cluster.node(2).baseUrl(),
             s.secondKey(), s.secondSubscription())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> onRestarted.ids().size() >= 500);

      int connectionAtStop = onRestarted.connections();
      long stoppedAt = System.nanoTime();
      assertGracefulExit(cluster.process(1).terminate());
      await().atMost(Duration.ofSeconds(30)).until(() -> onRestarted.firstDeliveryAfterConnection(connectionAtStop).isPresent());
      System.out.printf("the stopped node's consumer receives again %d ms after SIGTERM%n",
          (onRestarted.firstDeliveryAfterConnection(connectionAtStop).getAsLong() - stoppedAt) / 1_000_000);
      int seenAtStop = onRestarted.ids().size();
      await().atMost(Duration.ofSeconds(60)).until(() -> onRestarted.ids().size() >= seenAtStop + 500);
      cluster.restart(1);
      assertGracefulExit(cluster.process(2).terminate());
      await().atMost(Duration.ofSeconds(30)).until(() -> onOther.connections() > 1);
      int otherAtStop = onOther.ids().size();
      await().atMost(Duration.ofSeconds(60)).until(() -> onOther.ids().size() >= otherAtStop + 500);
      cluster.restart(2);

      producer.close();
      Set<String> acked = producer.acked();
      await().atMost(Duration.ofSeconds(60)).until(() -> onRestarted.ids().containsAll(acked)
          && onOther.ids().containsAll(acked));

      for (ResumingConsumer consumer : List.of(onRestarted, onOther)) {
        assertEquals(List.of(), consumer.refusedConnections(), "every reconnect was accepted at once");
        for (Subscriber.Notice notice : consumer.notices()) {
          assertEquals("going_away", notice.code(), "the only notice is the one that says: reconnect");
        }
        assertEquals(List.of(), consumer.orderViolations());
      }
      // A partition whose entity was on a stopping node moves; a write in flight across the move
      // is answered partition_overloaded within max-append-wait, a refusal that passes and that
      // every client sends again with the same ids (the SDK does), stored once. Nothing else may fail.
      List<String> notPassing = producer.failures().stream()
          .filter(failure -> BatchingPublisher.RETRIABLE.stream().noneMatch(code -> failure.contains(code + ":")))
          .toList();
      assertEquals(List.of(), notPassing, "the producer's node stayed up: no publish failed but for a refusal that passes");
      System.out.printf("%d publishes refused for a reason that passes during the restarts, sent again%n",
          producer.failures().size());
      TollgateAdmin admin = new TollgateAdmin(cluster.node(0).baseUrl(), BrokerProcess.ADMIN_KEY);
      assertBilledExactly(admin, t.subscription(), onRestarted);
      assertBilledExactly(admin, s.secondSubscription(), onOther);
    }
  }

  /**
   * Every distinct event the consumer received (and so acknowledged) is billed, once. The consumer
   * stays open until they are: a connection whose acks were refused (one that had to resync across
   * the failover) has its events delivered again on its next connection, and closing first would
   * leave them unbilled (as ShardRebalanceTest and ClusterCrashLoopTest wait).
   */
  private static void assertBilledExactly(TollgateAdmin admin, String subscription, ResumingConsumer consumer)
      throws InterruptedException {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
        admin.get("/v1/subscriptions/" + subscription).get("usage").get("events").asLong() >= consumer.ids().size());
    consumer.close();
    assertEquals(consumer.ids().size(), admin.get("/v1/subscriptions/" + subscription).get("usage").get("events").asLong(),
        "usage of " + subscription + " after " + consumer.connections() + " connections");
  }

  /** The JVM reports SIGTERM as 143 even when its shutdown hooks (the graceful stop) completed. */
  private static void assertGracefulExit(int exitCode) {
    assertTrue(exitCode == 0 || exitCode == 143, "exit code " + exitCode);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
