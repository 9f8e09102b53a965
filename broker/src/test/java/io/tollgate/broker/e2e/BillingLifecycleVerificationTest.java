package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clock moves through 25 hourly periods of one account with a subscription whose quota bills
 * overage, one cancelled now, one cancelled at the period's end, one paused and resumed, and one
 * on a one-day trial that ends mid-period; the invoices show each rule with the dates of its
 * segments, and then every invoice and statement recomputed from the journals matches what was
 * finalized, to the cent.
 */
class BillingLifecycleVerificationTest {
  private static final Instant DAY_1 = Instant.parse("2026-11-28T10:00:00Z");
  private static final Instant DAY_2 = DAY_1.plus(Duration.ofDays(1));
  private static final MutableClock clock = new MutableClock(DAY_1);
  private static final String JSON = "application/json";
  private static TestBroker broker;
  private static final AtomicInteger published = new AtomicInteger();
  private static final Map<String, Long> consumed = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void cancelPauseTrialAndOverageOverManyPeriodsAreReproducedToTheCent() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("lifecycle", 2, """
        {"name":"overage","currency":"USD","revenue_share":"0.70","recurring_fee":"1.00",
         "price":{"model":"per_unit","unit_amount":"0.10"},
         "quota":{"events_per_period":5,"on_exceed":"bill","overage_unit_amount":"0.50"}}""");
    String fee = plan(t, """
        {"name":"fee","currency":"USD","revenue_share":"0.70","recurring_fee":"4.00","price":{"model":"per_unit","unit_amount":"0.02"}}""");
    String trial = plan(t, """
        {"name":"trial","currency":"USD","revenue_share":"0.60","recurring_fee":"2.00","trial_days":1,
         "price":{"model":"per_unit","unit_amount":"0.05"}}""");
    String over = t.subscription();
    String paused = subscribe(t, fee);
    String cancelledNow = subscribe(t, fee);
    String cancelledAtEnd = subscribe(t, fee);

    // Day 1, 10:00-11:00.
    clock.advance(Duration.ofMinutes(5));
    consume(t, over, 8);
    consume(t, paused, 2);
    consume(t, cancelledNow, 2);
    clock.advance(Duration.ofMinutes(10));
    assertEquals(200, post(t, "/v1/subscriptions/" + paused + "/pause", "").status());
    clock.advance(Duration.ofMinutes(5));
    assertEquals(200, post(t, "/v1/subscriptions/" + cancelledNow + "/cancel", "{\"at\":\"now\"}").status());
    clock.advance(Duration.ofMinutes(10));
    String trialing = subscribe(t, trial);
    consume(t, trialing, 3);
    clock.advance(Duration.ofMinutes(10));
    assertEquals(200, post(t, "/v1/subscriptions/" + paused + "/resume", "").status());
    consume(t, paused, 3);
    clock.advance(Duration.ofMinutes(10));
    assertEquals(200, post(t, "/v1/subscriptions/" + cancelledAtEnd + "/cancel", "{\"at\":\"period_end\"}").status());
    clock.advance(Duration.ofMinutes(16));

    JsonNode first = awaitInvoiceOf(t, DAY_1);
    assertEquals(List.of("usage 5 0.50", "overage 3 1.50", "recurring_fee 1 1.00"), lines(first, over),
        "five events within the quota, three past it at the overage price");
    assertEquals(List.of("usage 2 0.04 10:00-10:15", "recurring_fee 1 1.00 10:00-10:15",
        "usage 3 0.06 10:40-11:00", "recurring_fee 1 1.33 10:40-11:00"), datedLines(first, paused),
        "the paused 25 minutes pay no fee");
    assertEquals(List.of("usage 2 0.04 10:00-10:20", "recurring_fee 1 1.33 10:00-10:20"), datedLines(first, cancelledNow),
        "a cancel now pays the fee up to it");
    assertEquals(List.of("recurring_fee 1 4.00 10:00-11:00"), datedLines(first, cancelledAtEnd));
    assertEquals(List.of("trial 3 0.00 10:30-11:00"), datedLines(first, trialing), "the trial's events cost nothing");

    // Day 1, 11:00-12:00, then on to day 2: the trial ends at 10:30.
    consume(t, over, 2);
    consume(t, paused, 1);
    clock.set(DAY_2.plus(Duration.ofMinutes(20)));
    consume(t, trialing, 2);
    clock.advance(Duration.ofMinutes(20));
    consume(t, trialing, 4);
    consume(t, over, 7);
    clock.advance(Duration.ofMinutes(26));

    JsonNode last = awaitInvoiceOf(t, DAY_2);
    assertEquals(List.of("trial 2 0.00 10:00-10:30", "usage 4 0.20 10:30-11:00", "recurring_fee 1 1.00 10:30-11:00"),
        datedLines(last, trialing), "the period the trial ends in pays the fee for the time after it");
    assertEquals(List.of("usage 5 0.50", "overage 2 1.00", "recurring_fee 1 1.00"), lines(last, over),
        "the quota counts again from each period's start");
    assertEquals(List.of(), lines(last, cancelledNow));
    assertEquals(List.of(), lines(last, cancelledAtEnd), "nothing after a cancel's end");
    JsonNode second = awaitInvoiceOf(t, DAY_1.plus(Duration.ofHours(1)));
    assertEquals(List.of(), lines(second, cancelledAtEnd));
    assertEquals(List.of("usage 1 0.02", "recurring_fee 1 4.00"), lines(second, paused));

    JsonNode account = BillingReproduced.awaitNoDifference(broker.admin(), t.consumer());
    assertTrue(account.get("consistent").asBoolean(), account.toString());
    assertEquals(25, account.get("checked").get("invoices").asInt(), account.toString());
    JsonNode producer = BillingReproduced.awaitNoDifference(broker.admin(), t.producer());
    assertEquals(25, producer.get("checked").get("statements").asInt(), producer.toString());
    BillingReproduced.awaitNoDifference(broker.admin(), null);
  }

  private static String plan(TestBroker.Tenancy t, String json) throws Exception {
    TestBroker.Reply created = broker.post("/v1/products/" + t.product() + "/plans", broker.adminKey(), JSON, json);
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return created.body().get("id").asText();
  }

  private static String subscribe(TestBroker.Tenancy t, String plan) {
    return broker.admin().createSubscription(t.consumer(), t.product(), plan, "beginning").get("id").asText();
  }

  private static TestBroker.Reply post(TestBroker.Tenancy t, String path, String body) throws Exception {
    return broker.post(path, t.consumerKey(), JSON, body.isEmpty() ? "{}" : body);
  }

  /** Publishes {@code count} new events and consumes {@code count} on the subscription; waits until billing counts them. */
  private static void consume(TestBroker.Tenancy t, String subscription, int count) throws Exception {
    int from = published.getAndAdd(count);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/lifecycle", from, count)).get(10, TimeUnit.SECONDS);
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), subscription)
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    long expected = consumed.merge(subscription, (long) count, Long::sum);
    await().atMost(Duration.ofSeconds(10)).until(() -> billed(t, subscription) == expected);
  }

  private static long billed(TestBroker.Tenancy t, String subscription) throws Exception {
    long events = 0;
    for (JsonNode usage : broker.get("/v1/accounts/" + t.consumer() + "/usage", t.consumerKey()).body().get("data")) {
      events += usage.get("subscription").asText().equals(subscription) ? usage.get("events").asLong() : 0;
    }
    return events;
  }

  private static JsonNode awaitInvoiceOf(TestBroker.Tenancy t, Instant periodStart) {
    List<JsonNode> found = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      found.clear();
      for (JsonNode invoice : broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data")) {
        if (invoice.get("period").get("start").asText().equals(periodStart.toString())) {
          found.add(invoice);
        }
      }
      return found.size() == 1;
    });
    return found.get(0);
  }

  private static List<String> lines(JsonNode invoice, String subscription) {
    List<String> lines = new ArrayList<>();
    for (JsonNode line : invoice.get("lines")) {
      if (line.get("subscription").asText().equals(subscription)) {
        lines.add(line.get("kind").asText() + " " + line.get("quantity").asLong() + " " + line.get("amount").asText());
      }
    }
    return lines;
  }

  /** The lines with the hours and minutes of the stretch each bills. */
  private static List<String> datedLines(JsonNode invoice, String subscription) {
    List<String> lines = new ArrayList<>();
    for (JsonNode line : invoice.get("lines")) {
      if (line.get("subscription").asText().equals(subscription)) {
        lines.add(line.get("kind").asText() + " " + line.get("quantity").asLong() + " " + line.get("amount").asText() + " "
            + line.get("period").get("start").asText().substring(11, 16) + "-"
            + line.get("period").get("end").asText().substring(11, 16));
      }
    }
    return lines;
  }
}
