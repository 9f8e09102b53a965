package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Plans at work over real sockets: quotas that block, usage from acks, the upcoming invoice. */
class MoneyPathTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static void publish(TestBroker.Tenancy t, int from, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/money", from, count)).get(10, TimeUnit.SECONDS);
    }
  }

  private static JsonNode upcoming(TestBroker.Tenancy t) throws Exception {
    TestBroker.Reply reply = broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming", t.consumerKey());
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }

  /** The quantity of the upcoming invoice's first line; 0 while it has none (acks are committed in groups, so usage shows a little later). */
  private static long firstLineQuantity(TestBroker.Tenancy t) throws Exception {
    JsonNode lines = upcoming(t).get("lines");
    return lines.isEmpty() ? 0 : lines.get(0).get("quantity").asLong();
  }

  @Test
  void aBlockingQuotaDeliversExactlyTheQuotaThenResumesNextPeriodWithNothingLost() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("quota", 2, """
        {"name":"capped","currency":"USD","price":{"model":"per_unit","unit_amount":"0.01"},
         "quota":{"events_per_period":5,"on_exceed":"block"}}""");
    publish(t, 0, 8);
    List<Delivery> received = new CopyOnWriteArrayList<>();
    List<Subscriber.Notice> notices = new CopyOnWriteArrayList<>();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(received::add).onNotice(notices::add).connect()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !notices.isEmpty());
      assertEquals("quota", notices.get(0).type());
      assertEquals("quota_exceeded", notices.get(0).code());
      assertEquals(5, received.size(), "exactly the quota is delivered");
      await().atMost(Duration.ofSeconds(10)).until(() -> firstLineQuantity(t) == 5);

      clock.advance(Duration.ofHours(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 8);
      // The consumer acks after it receives; closing before those acks are committed would leave them unbilled.
      await().atMost(Duration.ofSeconds(10)).until(() -> firstLineQuantity(t) == 3);
    }
    assertEquals(8, received.stream().map(d -> d.event().getId()).distinct().count(), "nothing lost, nothing twice");
    JsonNode invoice = upcoming(t);
    assertEquals(3, invoice.get("lines").get(0).get("quantity").asLong(), "the new period bills what it delivered");
    JsonNode usage = broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body().get("data");
    assertEquals(2, usage.size());
    assertEquals(5, usage.get(0).get("events").asLong());
    assertEquals(3, usage.get(1).get("events").asLong());
  }

  @Test
  void theUpcomingInvoiceBillsAcknowledgedEventsBeyondTheFreeAllowancePerTier() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("invoice", 3, """
        {"name":"tiered","currency":"EUR","free_allowance":10,"recurring_fee":"2.00",
         "price":{"model":"graduated","tiers":[{"up_to":15,"unit_amount":"0.10"},{"up_to":null,"unit_amount":"0.015"}]}}""");
    publish(t, 0, 50);
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(received::add).maxEvents(50).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    awaitUsage(t, 50);
    JsonNode invoice = upcoming(t);
    JsonNode lines = invoice.get("lines");
    assertEquals("free_allowance", lines.get(0).get("kind").asText());
    assertEquals(10, lines.get(0).get("quantity").asLong());
    assertEquals(15, lines.get(1).get("quantity").asLong());
    assertEquals("1.50", lines.get(1).get("amount").asText());
    assertEquals(25, lines.get(2).get("quantity").asLong());
    assertEquals("0.38", lines.get(2).get("amount").asText(), "0.375 rounds half-even to 0.38");
    assertEquals("recurring_fee", lines.get(3).get("kind").asText());
    assertEquals("3.88", invoice.get("totals").get(0).get("amount").asText());
    assertEquals("EUR", invoice.get("totals").get(0).get("currency").asText());
  }

  @Test
  void eventsPastABilledQuotaArePricedAtItsOveragePriceOnAnOverageLine() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("overage", 1, """
        {"name":"metered","currency":"USD","free_allowance":5,"price":{"model":"per_unit","unit_amount":"0.01"},
         "quota":{"events_per_period":20,"on_exceed":"bill","overage_unit_amount":"0.05"}}""");
    JsonNode quota = broker.get("/v1/plans/" + t.plan(), t.consumerKey()).body().get("quota");
    assertEquals("0.05", quota.get("overage_unit_amount").asText(), String.valueOf(quota));
    publish(t, 0, 30);
    consume(t, 30);
    JsonNode lines = upcoming(t).get("lines");
    assertEquals("free_allowance", lines.get(0).get("kind").asText());
    assertEquals(5, lines.get(0).get("quantity").asLong());
    assertEquals("usage", lines.get(1).get("kind").asText());
    assertEquals(15, lines.get(1).get("quantity").asLong(), "the events within the quota, after the allowance");
    assertEquals("0.15", lines.get(1).get("amount").asText());
    assertEquals("overage", lines.get(2).get("kind").asText());
    assertEquals(10, lines.get(2).get("quantity").asLong());
    assertEquals("0.05", lines.get(2).get("unit_amount").asText());
    assertEquals("0.50", lines.get(2).get("amount").asText());
    assertEquals("0.65", totalOf(upcoming(t)));
  }

  @Test
  void anOveragePriceOnAQuotaThatBlocksIsRefused() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("blockedoverage", 1);
    TestBroker.Reply reply = broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", """
        {"name":"capped","currency":"USD","price":{"model":"per_unit","unit_amount":"0.01"},
         "quota":{"events_per_period":20,"on_exceed":"block","overage_unit_amount":"0.05"}}""");
    assertEquals(400, reply.status());
    assertEquals("invalid_plan", reply.errorCode());
  }

  @Test
  void anAccountsBillsAreItsOwn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ownbills", 1);
    TestBroker.Tenancy other = broker.tenancy("otherbills", 1);
    assertEquals("account_not_found",
        broker.get("/v1/accounts/" + t.consumer() + "/invoices/upcoming", other.consumerKey()).errorCode());
    assertEquals("account_not_found", broker.get("/v1/accounts/" + t.consumer() + "/usage", other.consumerKey()).errorCode());
    assertTrue(broker.get("/v1/accounts/" + t.consumer() + "/usage", broker.adminKey()).status() == 200);
  }

  /** Consumes what is there, acking it, and waits until the acks are committed. */
  private static void consume(TestBroker.Tenancy t, int count) throws Exception {
    long before = broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    awaitUsage(t, before + count);
  }

  /** The subscription's acknowledged events in the current period reach {@code events}. */
  private static void awaitUsage(TestBroker.Tenancy t, long events) {
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/subscriptions/" + t.subscription(),
        t.consumerKey()).body().get("usage").get("events").asLong() == events);
  }

  private static String plan(TestBroker.Tenancy t, String json) throws Exception {
    return broker.post("/v1/products/" + t.product() + "/plans", t.producerKey(), "application/json", json)
        .body().get("id").asText();
  }

  private static String totalOf(JsonNode invoice) {
    return invoice.get("totals").get(0).get("amount").asText();
  }

  @Test
  void aPlanChangeMidPeriodPricesEachSegmentByItsPlanAndProratesTheFeeBothWays() throws Exception {
    TestBroker.Tenancy up = broker.tenancy("upgrade", 1, """
        {"name":"small","currency":"USD","recurring_fee":"6.00","price":{"model":"per_unit","unit_amount":"0.10"}}""");
    String large = plan(up, """
        {"name":"large","currency":"USD","recurring_fee":"12.00","price":{"model":"per_unit","unit_amount":"0.05"}}""");
    TestBroker.Tenancy down = broker.tenancy("downgrade", 1, """
        {"name":"large","currency":"USD","recurring_fee":"12.00","price":{"model":"per_unit","unit_amount":"0.05"}}""");
    String small = plan(down, """
        {"name":"small","currency":"USD","recurring_fee":"6.00","price":{"model":"per_unit","unit_amount":"0.10"}}""");
    publish(up, 0, 4);
    publish(down, 0, 4);
    consume(up, 4);
    consume(down, 4);

    clock.advance(Duration.ofMinutes(30));
    List<Subscriber.Notice> notices = new CopyOnWriteArrayList<>();
    try (Subscriber open = Subscriber.builder(broker.baseUrl(), up.consumerKey(), up.subscription())
        .onDelivery(delivery -> { }).onNotice(notices::add).connect()) {
      TestBroker.Reply changed = broker.post("/v1/subscriptions/" + up.subscription() + "/plan", up.consumerKey(),
          "application/json", "{\"plan\":\"" + large + "\"}");
      assertEquals(200, changed.status(), String.valueOf(changed.body()));
      assertEquals(large, changed.body().get("plan").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> notices.stream().anyMatch(n -> n.code().equals("plan_changed")));
      open.closed().get(10, TimeUnit.SECONDS);
    }
    assertEquals(200, broker.post("/v1/subscriptions/" + down.subscription() + "/plan", down.consumerKey(),
        "application/json", "{\"plan\":\"" + small + "\"}").status());
    assertEquals("plan_unchanged", broker.post("/v1/subscriptions/" + down.subscription() + "/plan", down.consumerKey(),
        "application/json", "{\"plan\":\"" + small + "\"}").errorCode());
    publish(up, 4, 6);
    publish(down, 4, 6);
    consume(up, 6);
    consume(down, 6);

    // 4 x 0.10 + 6.00 / 2, then 6 x 0.05 + 12.00 / 2
    assertEquals("9.70", totalOf(upcoming(up)));
    // 4 x 0.05 + 12.00 / 2, then 6 x 0.10 + 6.00 / 2
    assertEquals("9.80", totalOf(upcoming(down)));
  }

  @Test
  void anOpenStreamLearnsOfAPlanChangeEvenWhenTheNoticeToItsSubscriptionIsLost() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("planwatch", 1);
    String other = plan(t, """
        {"name":"other","currency":"USD","price":{"model":"per_unit","unit_amount":"0.02"}}""");
    List<Subscriber.Notice> notices = new CopyOnWriteArrayList<>();
    try (Subscriber open = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).onNotice(notices::add).connect()) {
      // The catalog records the change as POST /v1/subscriptions/{id}/plan records it, but the
      // subscription's entity is never told: as when that message is dropped in a shard hand-over.
      CatalogChange change = CatalogChange.newBuilder().setAtMillis(clock.millis()).setActor(t.consumer())
          .setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder().setSubscription(t.subscription()).setPlan(other))
          .build();
      CatalogEntity.Result result = CatalogEntity.ref(ClusterSharding.get(broker.node().system()))
          .<CatalogEntity.Result>ask(replyTo -> new CatalogEntity.Apply(change, replyTo), Duration.ofSeconds(10))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(result instanceof CatalogEntity.Applied, String.valueOf(result));
      await().atMost(Duration.ofSeconds(10)).until(() -> notices.stream().anyMatch(n -> n.code().equals("plan_changed")));
      open.closed().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPlanInUseCannotBeDeletedAndAnUnusedOneCan() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("deleting", 1);
    TestBroker.Reply inUse = broker.send("DELETE", "/v1/plans/" + t.plan(), t.producerKey(), null, null);
    assertEquals(409, inUse.status());
    assertEquals("plan_in_use", inUse.errorCode());
    String unused = plan(t, """
        {"name":"spare","currency":"USD","price":{"model":"per_unit","unit_amount":"0.01"}}""");
    assertEquals(204, broker.send("DELETE", "/v1/plans/" + unused, t.producerKey(), null, null).status());
    assertEquals("plan_not_found", broker.get("/v1/plans/" + unused, t.producerKey()).errorCode());
    assertEquals("plan_not_found", broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + unused + "\"}").errorCode());
  }

  @Test
  void eventsASubscriptionsFilterWithholdsAreNeitherDeliveredNorBilled() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("filtered", 2);
    TestBroker.Reply created = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + t.plan()
            + "\",\"filter\":{\"data.n\":{\"$gte\":3},\"$or\":[{\"type\":\"com.example.order.created\"}]}}");
    assertEquals(201, created.status(), String.valueOf(created.body()));
    TestBroker.Tenancy filtered = new TestBroker.Tenancy(t.producer(), t.producerKey(), t.consumer(), t.consumerKey(),
        t.topic(), t.product(), t.plan(), created.body().get("id").asText());
    publish(filtered, 0, 8);
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), filtered.subscription())
        .onDelivery(received::add).maxEvents(5).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of("e3", "e4", "e5", "e6", "e7"),
        received.stream().map(d -> d.event().getId()).sorted().toList());
    awaitUsage(filtered, 5);
    assertEquals(5, upcomingUnits(t, filtered.subscription()), "the three withheld events are not billed");

    TestBroker.Reply bad = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + t.plan()
            + "\",\"filter\":{\"data.n\":{\"$gt\":[1]}}}");
    assertEquals("invalid_filter", bad.errorCode());
    assertTrue(bad.body().get("error").get("message").asText().contains("data.n"), bad.body().toString());
  }

  private static long upcomingUnits(TestBroker.Tenancy t, String subscription) throws Exception {
    long units = 0;
    for (JsonNode line : upcoming(t).get("lines")) {
      if (line.get("subscription").asText().equals(subscription) && line.get("kind").asText().equals("usage")) {
        units += line.get("quantity").asLong();
      }
    }
    return units;
  }

  @Test
  void whatAProducersTopicsStoreIsMeteredPerPeriodOnceEachInEventsAndBytes() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("metered-producer", 3);
    List<io.tollgate.protocols.v1.CloudEvent> events = Events.numbered("/producer", 0, 40);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), events).get(10, TimeUnit.SECONDS);
      publisher.publish(t.topic(), events.subList(0, 10)).get(10, TimeUnit.SECONDS);
    }
    long bytes = events.stream().mapToLong(io.tollgate.protocols.v1.CloudEvent::getSerializedSize).sum();
    for (int read = 0; read < 2; read++) {
      JsonNode published = broker.get("/v1/accounts/" + t.producer() + "/usage", t.producerKey()).body().get("published");
      assertEquals(1, published.size(), published.toString());
      assertEquals(t.topic(), published.get(0).get("topic").asText());
      assertEquals(40, published.get(0).get("events").asLong(), "a retried publish is stored, and metered, once");
      assertEquals(bytes, published.get(0).get("bytes").asLong());
    }
  }
}
