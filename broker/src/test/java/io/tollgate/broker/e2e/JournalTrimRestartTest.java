package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * A node that trims usage and billing journals behind their readers (every 300 ms, snapshots every
 * 3 entries): the entries on disk fall, the verification still reproduces every invoice to the
 * cent, and the node restarted on its data directory shows the same invoices and usage and goes
 * on metering.
 */
class JournalTrimRestartTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final Map<String, Object> SETTINGS = Map.of("tollgate.billing.period", "PT1H",
      "tollgate.billing.grace", "5m", "tollgate.billing.close-interval", "200ms",
      "tollgate.retention.trim-interval", "300ms", "tollgate.retention.snapshot-every", 3,
      "tollgate.analytics.read-interval", "200ms");
  private static final AtomicInteger published = new AtomicInteger();

  @Test
  void trimmedJournalsRestartToTheSameInvoicesAndUsageAndStillVerify() throws Exception {
    Path dataDir = Files.createTempDirectory("tollgate-trim");
    String usageJournal;
    String billingJournal;
    JsonNode invoices;
    JsonNode usage;
    TestBroker.Tenancy t;
    try (TestBroker broker = TestBroker.startIn(dataDir, SETTINGS, clock)) {
      t = broker.tenancy("trimmed", 2, """
          {"name":"metered","currency":"USD","revenue_share":"0.70","price":{"model":"per_unit","unit_amount":"0.10"}}""");
      usageJournal = SubscriptionEntity.persistenceId(t.subscription());
      billingJournal = AccountBilling.persistenceId(t.consumer());
      topUp(broker, t, "0.50", "first");
      for (int session = 0; session < 6; session++) {
        consume(broker, t, 3);
      }
      clock.advance(Duration.ofMinutes(70));
      awaitInvoices(broker, t, 1);
      for (int session = 0; session < 4; session++) {
        consume(broker, t, 2);
      }
      clock.advance(Duration.ofMinutes(60));
      awaitInvoices(broker, t, 2);

      await().atMost(Duration.ofSeconds(30)).until(() -> firstStored(broker, usageJournal) > 1
          && firstStored(broker, billingJournal) > 1);
      assertTrue(trimmed(broker, "Subscription") > 0 && trimmed(broker, "AccountBilling") > 0,
          "the metric counts what was trimmed");
      for (String journal : List.of(usageJournal, billingJournal)) {
        List<EventEnvelope> entries = stored(broker, journal);
        assertTrue(entries.size() < entries.get(entries.size() - 1).sequenceNr(),
            journal + " holds fewer entries than it was written: " + entries.size());
      }
      invoices = awaitInvoices(broker, t, 2);
      usage = broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body();
      JsonNode verified = BillingReproduced.awaitNoDifference(broker.admin(), null);
      assertTrue(verified.get("checked").get("invoices").asInt() >= 2, verified.toString());
    }

    try (TestBroker restarted = TestBroker.startIn(dataDir, SETTINGS, clock)) {
      assertTrue(firstStored(restarted, usageJournal) > 1, "trimmed entries stay gone");
      assertEquals(invoices, awaitInvoices(restarted, t, 2));
      assertEquals(usage, restarted.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body());
      consume(restarted, t, 2);
      BillingReproduced.awaitNoDifference(restarted.admin(), t.consumer());
    }
  }

  private static List<EventEnvelope> stored(TestBroker broker, String persistenceId) {
    CurrentEventsByPersistenceIdQuery journal = PersistenceQuery.get(broker.node().system()).getReadJournalFor(
        CurrentEventsByPersistenceIdQuery.class, broker.node().settings().storage().queryPlugin());
    return journal.currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
        .runWith(Sink.seq(), broker.node().system()).toCompletableFuture().join();
  }

  /** The sequence number of the oldest entry still stored (0 when none is). */
  private static long firstStored(TestBroker broker, String persistenceId) {
    List<EventEnvelope> entries = stored(broker, persistenceId);
    return entries.isEmpty() ? 0 : entries.get(0).sequenceNr();
  }

  private static double trimmed(TestBroker broker, String journal) throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(broker.baseUrl().resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    String prefix = "tollgate_journal_entries_trimmed_total{journal=\"" + journal + "\"} ";
    return metrics.lines().filter(line -> line.startsWith(prefix)).mapToDouble(line ->
        Double.parseDouble(line.substring(prefix.length()))).sum();
  }

  private static void topUp(TestBroker broker, TestBroker.Tenancy t, String amount, String key) throws Exception {
    assertEquals(201, broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(),
        "application/json", "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"idempotency_key\":\"" + key + "\"}")
        .status());
  }

  /** Publishes and consumes {@code count} new events in one session, and waits until billing counts them. */
  private static void consume(TestBroker broker, TestBroker.Tenancy t, int count) throws Exception {
    int from = published.getAndAdd(count);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/trimmed", from, count)).get(10, TimeUnit.SECONDS);
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> billed(broker, t) == from + count);
  }

  private static long billed(TestBroker broker, TestBroker.Tenancy t) throws Exception {
    long events = 0;
    for (JsonNode used : broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body().get("data")) {
      events += used.get("subscription").asText().equals(t.subscription()) ? used.get("events").asLong() : 0;
    }
    return events;
  }

  private static JsonNode awaitInvoices(TestBroker broker, TestBroker.Tenancy t, int count) throws Exception {
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").size() == count);
    return broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data");
  }
}
