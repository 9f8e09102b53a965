package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.node.RunCommand;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateAdmin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition between cluster nodes: three broker processes, each in a network namespace
 * of its own, on one Cassandra that both sides keep reaching. The node that runs a consumer's
 * subscription entity, and serves that consumer, is cut off from the other two. The Split Brain
 * Resolver (keep-majority) keeps the two: the node cut off downs itself, ends its streams with
 * {@code going_away} and exits; its consumer and producer move to the majority and go on, nothing
 * acknowledged is lost, usage is billed once, and the invoices of periods closed across the
 * partition are numbered by one sequence. Healed, the node starts again and rejoins.
 *
 * <p>Billing periods are 10 s here, so that several close while the test runs, one of them during
 * the partition.
 */
class NetworkPartitionTest {
  private static final String SETTINGS = """
      tollgate.cassandra.keyspace = "partition_%d"
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 5s
      pekko.cluster.split-brain-resolver.stable-after = 5s
      tollgate.billing.period = "PT10S"
      tollgate.billing.grace = 1s
      tollgate.billing.close-interval = 1s
      # Creating the keyspace and tables (the driver's default profile) may take more than the
      # driver's 2 s on a busy machine, and a node that failed to create them never recovers its
      # catalog. The journal's and snapshots' own requests keep the 2 s.
      datastax-java-driver.basic.request.timeout = 20s
      datastax-java-driver.profiles.pekko-persistence-cassandra-profile.basic.request.timeout = 2s
      datastax-java-driver.profiles.pekko-persistence-cassandra-snapshot-profile.basic.request.timeout = 2s
      """.formatted(ProcessHandle.current().pid());

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private PartitionedCluster cluster;

  @AfterEach
  void removeCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theNodeCutOffIsDownedItsClientsMoveToTheMajorityAndNothingIsBilledTwice() throws Exception {
    cluster = new PartitionedCluster(dir, 3, SETTINGS);
    cluster.start();
    TollgateAdmin admin = new TollgateAdmin(cluster.node(0).baseUrl(), BrokerProcess.ADMIN_KEY);
    TestBroker.Tenancy t = TestBroker.tenancy(admin, "partition", 4);
    String secondConsumer = admin.createAccount("partition second consumer").get("id").asText();
    String secondKey = admin.createKey(secondConsumer, List.of("subscribe", "read")).get("secret").asText();
    String secondSubscription = admin.createSubscription(secondConsumer, t.product(), t.plan(), "beginning")
        .get("id").asText();
    for (int i = 0; i < 3; i++) {
      TollgateAdmin onNode = new TollgateAdmin(cluster.node(i).baseUrl(), BrokerProcess.ADMIN_KEY);
      // reading a subscription asks its entity, which starts it and allocates its shard
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> onNode.get("/v1/subscriptions/" + secondSubscription).has("id")
              && onNode.get("/v1/subscriptions/" + t.subscription()).has("id"));
    }

    // The worst case: the node cut off runs the subscription entity of the consumer it serves, and
    // both sides reach Cassandra, so only the resolver keeps two copies of the entity from writing.
    int victim = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> cluster.nodeHosting("Subscription", t.subscription()), OptionalInt::isPresent).getAsInt();
    int survivor = (victim + 1) % 3;
    try (RetryingProducer onVictim = new RetryingProducer("/cut-off", t.topic(), t.producerKey(),
             () -> cluster.tcpPortOfRunning(victim));
         RetryingProducer onMajority = new RetryingProducer("/majority", t.topic(), t.producerKey(),
             () -> cluster.tcpPortOfRunning(survivor));
         ResumingConsumer cutOff = new ResumingConsumer(cluster::running, cluster.node(victim).baseUrl(),
             t.consumerKey(), t.subscription());
         ResumingConsumer kept = new ResumingConsumer(cluster::running, cluster.node(survivor).baseUrl(),
             secondKey, secondSubscription)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> cutOff.ids().size() >= 300 && kept.ids().size() >= 300);

      int connectionAtCut = cutOff.connections();
      Instant cutAtInstant = Instant.now();
      cluster.partition(victim);
      long cutAt = System.nanoTime();
      CompletableFuture<String> publishOnCutOff = CompletableFuture.supplyAsync(() -> httpPublish(victim, t));

      assertTrue(cluster.process(victim).waitFor(90, TimeUnit.SECONDS),
          "the node cut off was not downed within 90 s; its log ends:\n" + cluster.logTail(victim, 40));
      long downedAt = System.nanoTime();
      assertEquals(RunCommand.DOWNED, cluster.process(victim).exitValue(),
          "a downed node exits after its coordinated shutdown, with the status that says so");
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertMembers(survivor, 2));

      await().atMost(Duration.ofSeconds(60)).until(() -> cutOff.firstDeliveryAfterConnection(connectionAtCut).isPresent());
      long resumedAt = cutOff.firstDeliveryAfterConnection(connectionAtCut).getAsLong();
      assertTrue(cutOff.notices().stream().map(Subscriber.Notice::code).toList().contains("going_away"),
          "the consumer of the node cut off was told to reconnect: " + cutOff.notices());
      String publishAnswer = publishOnCutOff.get(60, TimeUnit.SECONDS);

      cluster.heal(victim);
      long healedAt = System.nanoTime();
      cluster.restart(victim);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        assertMembers(survivor, 3);
        assertMembers(victim, 3);
      });
      long rejoinedAt = System.nanoTime();
      // One line of key=value figures (bench/partition.sh collects them), then what the clients saw.
      System.out.printf("partition: node=%d downed_ms=%d resumed_ms=%d rejoined_ms=%d%n", victim + 1,
          millis(downedAt - cutAt), millis(resumedAt - cutAt), millis(rejoinedAt - healedAt));
      System.out.println("partition: a publish over HTTP through the node cut off got: " + publishAnswer);
      System.out.println("partition: notices of its consumer: " + cutOff.notices());
      int seenAtRejoin = cutOff.ids().size();
      await().atMost(Duration.ofSeconds(60)).until(() -> cutOff.ids().size() >= seenAtRejoin + 200);

      onVictim.close();
      onMajority.close();
      Set<String> acked = new HashSet<>(onVictim.acked());
      acked.addAll(onMajority.acked());
      await().atMost(Duration.ofSeconds(60)).until(() -> cutOff.ids().containsAll(acked) && kept.ids().containsAll(acked));
      assertEquals(List.of(), cutOff.orderViolations(), "order per partition, across the partition");
      assertEquals(List.of(), kept.orderViolations(), "order per partition of the majority's consumer");

      TollgateAdmin onMajorityAdmin = new TollgateAdmin(cluster.node(survivor).baseUrl(), BrokerProcess.ADMIN_KEY);
      assertBilledExactly(onMajorityAdmin, t.consumer(), t.subscription(), cutOff);
      assertBilledExactly(onMajorityAdmin, secondConsumer, secondSubscription, kept);
      for (String consumer : List.of(t.consumer(), secondConsumer)) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> invoicedAfter(onMajorityAdmin, consumer, cutAtInstant));
      }
      List<Long> numbers = assertOneSequenceOfInvoiceNumbers(onMajorityAdmin);

      System.out.printf("partition: the TCP producer on the node cut off saw %s; %d invoices numbered %d..%d%n",
          onVictim.failures(), numbers.size(), numbers.get(0), numbers.get(numbers.size() - 1));
    }
  }

  /**
   * One event published over HTTP through the node cut off, as a client with no retry would:
   * the answer it gets, which is never a hang.
   */
  private String httpPublish(int node, TestBroker.Tenancy t) {
    URI uri = cluster.node(node).baseUrl().resolve("/v1/topics/" + t.topic() + "/events");
    String event = """
        {"specversion":"1.0","id":"probe-1","source":"/probe","type":"probe","datacontenttype":"application/json","data":{}}""";
    try {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer " + t.producerKey())
              .header("Content-Type", "application/cloudevents+json")
              .timeout(Duration.ofSeconds(45))
              .POST(HttpRequest.BodyPublishers.ofString(event)).build(),
          HttpResponse.BodyHandlers.ofString());
      return answer.statusCode() + " " + answer.body();
    } catch (IOException closed) {
      return "connection ended: " + closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Node {@code i} sees {@code size} members, every one Up, and none unreachable. */
  private void assertMembers(int i, int size) throws IOException, InterruptedException {
    JsonNode view = cluster.members(i);
    List<String> up = new ArrayList<>();
    for (JsonNode member : view.path("members")) {
      if (member.path("status").asText().equals("Up")) {
        up.add(member.path("node").asText());
      }
    }
    assertEquals(size, up.size(), view.toString());
    assertEquals(size, view.path("members").size(), view.toString());
    assertTrue(view.path("unreachable").isEmpty(), view.toString());
  }

  /**
   * Every distinct event the consumer received (and so acknowledged) is billed, once: the events
   * on the invoices of closed periods plus the usage of periods not invoiced yet (the account's
   * usage keeps a period until its invoice is archived, so an invoiced period's usage is not
   * counted again). A period moves from one to the other between the two reads now and then, so
   * the sum is read until it holds. The consumer stays open until it holds: a connection whose acks
   * were refused across the partition has its events delivered again on the next, and closing
   * first would leave them unbilled. Closed, it must still hold.
   */
  private static void assertBilledExactly(TollgateAdmin admin, String account, String subscription,
                                          ResumingConsumer consumer) throws InterruptedException {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
        assertEquals(consumer.ids().size(), billedEvents(admin, account, subscription),
            "events billed to " + subscription + " after " + consumer.connections() + " connections"));
    consumer.close();
    long distinct = consumer.ids().size();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
        assertEquals(distinct, billedEvents(admin, account, subscription),
            "events billed to " + subscription + " after it closed"));
  }

  private static final Set<String> EVENT_LINES = Set.of("usage", "free_allowance", "overage", "trial");

  private static long billedEvents(TollgateAdmin admin, String account, String subscription) {
    long events = 0;
    Set<String> invoiced = new HashSet<>();
    for (JsonNode invoice : admin.get("/v1/accounts/" + account + "/invoices").path("data")) {
      invoiced.add(invoice.path("period").path("id").asText());
      for (JsonNode line : invoice.path("lines")) {
        if (line.path("subscription").asText().equals(subscription) && EVENT_LINES.contains(line.path("kind").asText())) {
          events += line.path("quantity").asLong();
        }
      }
    }
    for (JsonNode pending : admin.get("/v1/accounts/" + account + "/usage").path("data")) {
      if (pending.path("subscription").asText().equals(subscription)
          && !invoiced.contains(pending.path("period").asText())) {
        events += pending.path("events").asLong();
      }
    }
    return events;
  }

  private static boolean invoicedAfter(TollgateAdmin admin, String account, Instant instant) {
    for (JsonNode invoice : admin.get("/v1/accounts/" + account + "/invoices").path("data")) {
      if (Instant.parse(invoice.path("period").path("end").asText()).isAfter(instant)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every invoice of every account, finalized before, during and after the partition: each
   * number given once, from one sequence without gaps, and no account invoiced twice for a period.
   */
  private static List<Long> assertOneSequenceOfInvoiceNumbers(TollgateAdmin admin) {
    List<Long> numbers = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      numbers.clear();
      TreeMap<String, String> byAccountAndPeriod = new TreeMap<>();
      for (JsonNode account : admin.get("/v1/accounts").path("data")) {
        for (JsonNode invoice : admin.get("/v1/accounts/" + account.path("id").asText() + "/invoices").path("data")) {
          String number = invoice.path("number").asText();
          assertTrue(number.matches("TG-\\d{6,}"), "one sequence, TG: " + invoice);
          String accountAndPeriod = account.path("id").asText() + " " + invoice.path("period").path("id").asText();
          String earlier = byAccountAndPeriod.put(accountAndPeriod, number);
          assertEquals(null, earlier, "a second invoice for one account and period: " + invoice);
          numbers.add(Long.parseLong(number.substring(3)));
        }
      }
      numbers.sort(Long::compare);
      assertTrue(!numbers.isEmpty(), "no invoice was finalized");
      assertEquals(LongStream.rangeClosed(1, numbers.size()).boxed().toList(), numbers,
          "numbers given once each, without gaps: " + byAccountAndPeriod);
    });
    return numbers;
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }
}
