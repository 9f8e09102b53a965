package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as its own process, killed with SIGKILL mid-stream or stopped with SIGTERM:
 * nothing acknowledged is lost, and a consumer resumes right after its last committed ack. Each
 * test ends with the billing verification: every document recomputed from the journals, no
 * difference.
 */
class CrashRecoveryTest {
  @TempDir
  Path dir;

  /** One broker installation a test starts, kills and starts again: its data, log and ports. */
  private record Node(Path data, Path log, int httpPort, int tcpPort) {
    BrokerProcess start(List<String> runFlags) throws java.io.IOException {
      return BrokerProcess.start(data, httpPort, tcpPort, log, runFlags);
    }
  }

  private Node node;

  @BeforeEach
  void install() throws java.io.IOException {
    node = new Node(Files.createDirectories(dir.resolve("data")), dir.resolve("broker.log"),
        BrokerProcess.freePort(), BrokerProcess.freePort());
  }

  /** Publishes batches as fast as acks come back, remembering every acknowledged id. */
  private static Thread publishUntilStopped(int tcpPort, String key, String topic, Set<String> acked,
                                            AtomicBoolean stop, AtomicInteger sent) {
    Thread thread = new Thread(() -> {
      try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", tcpPort, key, 64)) {
        while (!stop.get()) {
          int from = sent.getAndAdd(10);
          publisher.publish(topic, Events.numbered("/crash", from, 10)).whenComplete((result, failure) -> {
            if (failure == null) {
              for (int i = 0; i < 10; i++) {
                acked.add("e" + (from + i));
              }
            }
          });
        }
      } catch (TollgateException connectionGone) {
        // the broker was killed: publishes in flight fail, and were never acknowledged
      }
    }, "publisher");
    thread.start();
    return thread;
  }

  @Test
  void nothingAcknowledgedIsLostAcrossSigkillAndTheConsumerResumesAfterItsLastAck() throws Exception {
    Set<String> acked = ConcurrentHashMap.newKeySet();
    TestBroker.Tenancy t;
    Map<String, Long> offsetOfCursor = new ConcurrentHashMap<>();
    Map<Integer, Long> committedBeforeKill;
    try (BrokerProcess broker = node.start(List.of())) {
      TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
      t = TestBroker.tenancy(admin, "crash", 2);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger sent = new AtomicInteger();
      Thread publisher = publishUntilStopped(node.tcpPort(), t.producerKey(), t.topic(), acked, stop, sent);

      List<Delivery> firstRun = new CopyOnWriteArrayList<>();
      // At least 500 events and some of each partition, whatever order the partitions' backlogs
      // come in (on a loaded machine one partition's first 500 can all come before the other's).
      try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
          .onDelivery(delivery -> {
            firstRun.add(delivery);
            offsetOfCursor.put(delivery.cursor(), delivery.offset());
          }).connect()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> firstRun.size() >= 500
            && firstRun.stream().map(Delivery::partition).distinct().count() == 2);
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode acks = admin.get("/v1/subscriptions/" + t.subscription()).get("acked");
        assertEquals(2, acks.size(), () -> "acked " + acks + " after receiving " + firstRun.size() + " events, by partition "
            + firstRun.stream().collect(java.util.stream.Collectors.groupingBy(Delivery::partition,
                java.util.stream.Collectors.counting())));
      });
      // The acks the consumer sent as it closed may still be on their way to a commit: what
      // counts is what the subscription holds after the restart, at least this.
      committedBeforeKill = committedOffsets(admin.get("/v1/subscriptions/" + t.subscription()).get("acked"),
          offsetOfCursor);

      await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 3000);
      broker.kill();
      stop.set(true);
      publisher.join(TimeUnit.SECONDS.toMillis(30));
    }

    Set<String> acknowledgedBeforeKill = Set.copyOf(acked);
    try (BrokerProcess broker = node.start(List.of())) {
      TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
      String audit = admin.createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();
      Map<String, Integer> seen = new ConcurrentHashMap<>();
      Map<Integer, List<Long>> offsets = new ConcurrentHashMap<>();
      try (Subscriber reader = Subscriber.builder(broker.baseUrl(), t.consumerKey(), audit).onDelivery(delivery -> {
        seen.merge(delivery.event().getId(), 1, Integer::sum);
        offsets.computeIfAbsent(delivery.partition(), p -> new CopyOnWriteArrayList<>()).add(delivery.offset());
      }).connect()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.keySet().containsAll(acknowledgedBeforeKill));
      }
      assertTrue(seen.values().stream().allMatch(count -> count == 1), "every event is stored once");
      offsets.values().forEach(list -> {
        for (int i = 1; i < list.size(); i++) {
          assertEquals(list.get(i - 1) + 1, list.get(i), "offsets of a partition are gapless and ordered");
        }
      });

      Map<Integer, Long> committed = committedOffsets(admin.get("/v1/subscriptions/" + t.subscription()).get("acked"),
          offsetOfCursor);
      committedBeforeKill.forEach((partition, offset) -> assertTrue(committed.get(partition) >= offset,
          "partition " + partition + " keeps its committed ack across the kill: " + committed + ", before " + committedBeforeKill));
      Map<Integer, Long> firstResumed = new ConcurrentHashMap<>();
      try (Subscriber resumed = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
          .onDelivery(delivery -> firstResumed.putIfAbsent(delivery.partition(), delivery.offset())).connect()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> firstResumed.size() == 2);
      }
      committed.forEach((partition, lastAckedOffset) -> assertEquals(lastAckedOffset + 1, firstResumed.get(partition),
          "partition " + partition + " resumes right after its last ack"));
      BillingReproduced.awaitNoDifference(admin, null);
    }
  }

  @Test
  void sigtermFinishesWritesInFlightAndTellsConsumersToReconnect() throws Exception {
    Set<String> acked = ConcurrentHashMap.newKeySet();
    TestBroker.Tenancy t;
    try (BrokerProcess broker = node.start(List.of())) {
      t = TestBroker.tenancy(new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY), "graceful", 2);
      try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread publisher = publishUntilStopped(node.tcpPort(), t.producerKey(), t.topic(), acked, stop, new AtomicInteger());
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 500);
        int exit = broker.terminate();
        stop.set(true);
        publisher.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(exit == 0 || exit == 143, "exit code " + exit);
        assertEquals(1000, stream.closed().get(10, TimeUnit.SECONDS), "the stream closes normally");
        assertTrue(stream.notices().stream().anyMatch(n -> n.get("code").asText().equals("going_away")),
            "the consumer is told the node is going away: " + stream.notices());
      }
    }
    try (BrokerProcess broker = node.start(List.of())) {
      Set<String> stored = ConcurrentHashMap.newKeySet();
      try (Subscriber reader = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
          .onDelivery(delivery -> stored.add(delivery.event().getId())).connect()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> stored.containsAll(acked));
      }
      BillingReproduced.awaitNoDifference(new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY), null);
    }
  }

  @Test
  void aConsumerInterruptedBySigkillIsBilledForEachEventExactlyOnce() throws Exception {
    int events = 3000;
    TestBroker.Tenancy t;
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (BrokerProcess broker = node.start(List.of())) {
      TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
      t = TestBroker.tenancy(admin, "billedonce", 3, "{\"name\":\"metered\",\"currency\":\"USD\",\"free_allowance\":100,"
          + "\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.01\"}}");
      publishThenKillMidStream(broker, t, "/billed", events, received);
    }
    try (BrokerProcess broker = node.start(List.of())) {
      try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
          .onDelivery(delivery -> received.add(delivery.event().getId())).connect()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == events);
        String path = "/v1/subscriptions/" + t.subscription();
        TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
        await().atMost(Duration.ofSeconds(30)).until(() ->
            admin.get(path).get("usage").get("events").asLong() == events);
      }
      TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
      long billed = 0;
      for (JsonNode usage : admin.get("/v1/accounts/" + t.consumer() + "/usage").get("data")) {
        if (usage.get("subscription").asText().equals(t.subscription())) {
          billed += usage.get("events").asLong();
        }
      }
      assertEquals(events, billed, "every acknowledged event is billed once, across the crash");
      JsonNode invoice = admin.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming");
      JsonNode total = null;
      for (JsonNode line : invoice.get("totals")) {
        if (line.get("currency").asText().equals("USD")) {
          total = line;
        }
      }
      assertEquals("29.00", total.get("amount").asText(), "(3000 - 100 free) x 0.01");
      BillingReproduced.awaitNoDifference(admin, null);
    }
  }

  @Test
  void invoicesAndTheProducersStatementAddUpExactlyAcrossASigkill() throws Exception {
    Path config = dir.resolve("short-periods.conf");
    Files.writeString(config, "tollgate.billing { period = PT10S, grace = 1s, close-interval = 500ms }\n");
    List<String> flags = List.of("--config", config.toString());
    int events = 2000;
    TestBroker.Tenancy t;
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (BrokerProcess broker = node.start(flags)) {
      TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
      t = TestBroker.tenancy(admin, "statement", 2, "{\"name\":\"metered\",\"currency\":\"EUR\","
          + "\"revenue_share\":\"0.65\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.013\"}}");
      publishThenKillMidStream(broker, t, "/statement", events, received);
    }
    try (BrokerProcess broker = node.start(flags)) {
      TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
      String consumerAccount = t.consumer();
      // Everything may have been received before the kill, with acks still waiting for their
      // group commit: the events come again, and the stream stays open until all are acknowledged.
      try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
          .onDelivery(delivery -> received.add(delivery.event().getId())).connect()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == events
            && sum(admin.get("/v1/accounts/" + consumerAccount + "/usage"), "events").longValue() == events);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        long invoiced = 0;
        for (JsonNode invoice : admin.get("/v1/accounts/" + consumerAccount + "/invoices").get("data")) {
          for (JsonNode line : invoice.get("lines")) {
            invoiced += line.get("kind").asText().equals("usage") ? line.get("quantity").asLong() : 0;
          }
        }
        return invoiced == events;
      });
      java.math.BigDecimal invoiced = java.math.BigDecimal.ZERO;
      for (JsonNode invoice : admin.get("/v1/accounts/" + consumerAccount + "/invoices").get("data")) {
        invoiced = invoiced.add(new java.math.BigDecimal(invoice.get("total").asText()));
      }
      String producer = t.producer();
      java.math.BigDecimal expected = invoiced;
      await().atMost(Duration.ofSeconds(30)).until(() -> sum(admin.get("/v1/accounts/" + producer + "/statements"), "charges")
          .compareTo(expected) == 0);
      JsonNode statements = admin.get("/v1/accounts/" + producer + "/statements");
      assertEquals(0, sum(statements, "producer_share").add(sum(statements, "platform_fees")).compareTo(invoiced),
          "producer share + platform fee = consumer charge, to the cent");
      for (JsonNode statement : statements.get("data")) {
        for (JsonNode line : statement.get("lines")) {
          io.tollgate.billing.RevenueSplit split = io.tollgate.billing.RevenueSplit.of(
              io.tollgate.billing.Money.of(line.get("charge").asText(), "EUR"), io.tollgate.billing.RevenueShare.of("0.65"));
          assertEquals(split.producerShare().toString(), line.get("producer_share").asText(), line.toString());
        }
      }
      // Each invoice rounds its own line half-even, up or down, so the invoices add up to 26.00
      // only when one period holds all 2000 events: each total must be its quantity x 0.013.
      for (JsonNode invoice : admin.get("/v1/accounts/" + consumerAccount + "/invoices").get("data")) {
        long quantity = 0;
        for (JsonNode line : invoice.get("lines")) {
          quantity += line.get("kind").asText().equals("usage") ? line.get("quantity").asLong() : 0;
        }
        assertEquals(new java.math.BigDecimal("0.013").multiply(java.math.BigDecimal.valueOf(quantity))
            .setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString(), invoice.get("total").asText(),
            "2000 events at 0.013, rounded per invoice: " + invoice);
      }
      JsonNode verified = BillingReproduced.awaitNoDifference(admin, null);
      assertTrue(verified.get("checked").get("invoices").asInt() >= 1, verified.toString());
    }
  }

  /** The offset of each partition's committed ack ({@code acked} of a subscription), by the cursor the consumer received. */
  private static Map<Integer, Long> committedOffsets(JsonNode acked, Map<String, Long> offsetOfCursor) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (JsonNode cursor : acked) {
      offsets.put(cursor.get("partition").asInt(), offsetOfCursor.get(cursor.get("cursor").asText()));
    }
    return offsets;
  }

  private static java.math.BigDecimal sum(JsonNode statements, String field) {
    java.math.BigDecimal total = java.math.BigDecimal.ZERO;
    for (JsonNode statement : statements.get("data")) {
      total = total.add(new java.math.BigDecimal(statement.get(field).asText()));
    }
    return total;
  }

  /**
   * Publishes {@code events} (all acknowledged), lets a consumer receive and ack about half of
   * them, and kills the broker with SIGKILL in the middle of the stream.
   */
  private static void publishThenKillMidStream(BrokerProcess broker, TestBroker.Tenancy t, String source, int events,
                                               Set<String> received) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort, t.producerKey())) {
      for (int from = 0; from < events; from += 100) {
        publisher.publish(t.topic(), Events.numbered(source, from, 100)).get(10, TimeUnit.SECONDS);
      }
    }
    Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> received.add(delivery.event().getId())).connect();
    await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= events / 2);
    broker.kill();
    consumer.closed().handle((done, failure) -> null).get(10, TimeUnit.SECONDS);
  }
}
