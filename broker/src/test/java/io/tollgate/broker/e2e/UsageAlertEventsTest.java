package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage alerts over real sockets: an account sets thresholds, consumes until usage crosses them,
 * and reads each crossing once from the platform's invoices topic as any subscriber would; every
 * bad request is refused with its own code.
 */
class UsageAlertEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final AtomicInteger published = new AtomicInteger();
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms", "tollgate.limits.max-alerts-per-account", 3), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static TestBroker.Tenancy metered(String domain) throws Exception {
    return broker.tenancy(domain, 2, """
        {"name":"metered","currency":"USD","revenue_share":"0.70","price":{"model":"per_unit","unit_amount":"0.10"}}""");
  }

  private static TestBroker.Reply createAlert(TestBroker.Tenancy t, String body) throws Exception {
    return broker.post("/v1/accounts/" + t.consumer() + "/alerts", t.consumerKey(), "application/json", body);
  }

  /** Publishes and consumes {@code count} events, and waits until the period's usage shows {@code total}. */
  private static void consume(TestBroker.Tenancy t, int count, long total) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/" + t.consumer(), published.getAndAdd(count), count))
          .get(10, TimeUnit.SECONDS);
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/subscriptions/" + t.subscription(),
        t.consumerKey()).body().get("usage").get("events").asLong() == total);
  }

  /** The usage alert events of the account's invoice feed, read until {@code count} came and then a while longer. */
  private static List<Delivery> alertEvents(TestBroker.Tenancy t, String feed, int count) throws Exception {
    List<Delivery> events = new CopyOnWriteArrayList<>();
    try (Subscriber reader = Subscriber.builder(broker.baseUrl(), t.consumerKey(), feed).onDelivery(delivery -> {
      if (delivery.event().getType().equals("tollgate.usage.threshold_crossed")) {
        events.add(delivery);
      }
    }).connect()) {
      await().atMost(Duration.ofSeconds(15)).until(() -> events.size() >= count);
      await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(30)).until(() -> events.size() == count);
    }
    return List.copyOf(events);
  }

  @Test
  void eachThresholdCrossedIsReadOnceFromThePlatformTopicInEveryPeriodItIsCrossedIn() throws Exception {
    TestBroker.Tenancy t = metered("alerted");
    TestBroker.Reply feed = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"prod_tollgate_invoices\",\"plan\":\"plan_tollgate_invoices\"}");
    assertEquals(201, feed.status(), String.valueOf(feed.body()));
    TestBroker.Reply units = createAlert(t, "{\"name\":\"fifteen\",\"metric\":\"units\",\"threshold\":15}");
    assertEquals(201, units.status(), String.valueOf(units.body()));
    String unitsAlert = units.body().get("id").asText();
    assertEquals(15, units.body().get("threshold").asLong());
    TestBroker.Reply money = createAlert(t, "{\"metric\":\"money\",\"threshold\":\"1.00\",\"currency\":\"USD\","
        + "\"subscription\":\"" + t.subscription() + "\"}");
    assertEquals(201, money.status(), String.valueOf(money.body()));
    String moneyAlert = money.body().get("id").asText();
    assertEquals("1.00", money.body().get("threshold").asText());

    consume(t, 10, 10);
    consume(t, 10, 20);
    List<Delivery> first = alertEvents(t, feed.body().get("id").asText(), 2);
    String hour = "2026-11-28T10:00:00Z";
    assertEquals(List.of(moneyAlert + ":" + hour, unitsAlert + ":" + hour), first.stream().map(d -> d.event().getId()).toList(),
        "the money alert first (1.00 at 10 events), then units; each id names the alert and the period");
    JsonNode moneyData = JSON.readTree(first.get(0).event().getJsonData());
    assertEquals("1.00", moneyData.get("value").asText());
    assertEquals(t.subscription(), moneyData.get("subscription").asText());
    JsonNode unitsData = JSON.readTree(first.get(1).event().getJsonData());
    long crossedAt = unitsData.get("value").asLong();
    assertTrue(crossedAt >= 15 && crossedAt <= 20, "the usage record of the second consume that reached 15: " + unitsData);
    assertEquals(15, unitsData.get("threshold").asLong());
    assertEquals("fifteen", unitsData.get("name").asText());
    assertEquals(hour, unitsData.get("period").get("start").asText());
    assertEquals(t.consumer(), first.get(1).event().getAttributesMap().get("subject").getCeString());
    JsonNode shown = broker.get("/v1/accounts/" + t.consumer() + "/alerts/" + unitsAlert, t.consumerKey()).body();
    assertEquals(crossedAt, shown.get("crossed").get(0).get("value").asLong(), shown.toString());

    clock.advance(Duration.ofMinutes(70));
    consume(t, 20, 20);
    List<Delivery> next = alertEvents(t, feed.body().get("id").asText(), 2);
    String nextHour = "2026-11-28T11:00:00Z";
    assertEquals(java.util.Set.of(moneyAlert + ":" + nextHour, unitsAlert + ":" + nextHour),
        next.stream().map(d -> d.event().getId()).collect(java.util.stream.Collectors.toSet()),
        "each again in the next period, once (in one usage write, when one record crossed both)");
    assertEquals(2, broker.get("/v1/accounts/" + t.consumer() + "/alerts?limit=5", t.consumerKey()).body()
        .get("data").size());
  }

  @Test
  void everyBadAlertRequestIsRefusedWithItsOwnCode() throws Exception {
    TestBroker.Tenancy t = metered("badalerts");
    TestBroker.Tenancy other = metered("otheralerts");
    Map<String, String> refusals = new java.util.LinkedHashMap<>();
    refusals.put("{\"metric\":\"bytes\",\"threshold\":1}", "invalid_alert_metric");
    refusals.put("{\"metric\":\"units\",\"threshold\":0}", "invalid_threshold");
    refusals.put("{\"metric\":\"units\",\"threshold\":\"12.5\"}", "invalid_threshold");
    refusals.put("{\"metric\":\"money\",\"threshold\":\"-1.00\",\"currency\":\"USD\"}", "invalid_threshold");
    refusals.put("{\"metric\":\"money\",\"threshold\":\"1.001\",\"currency\":\"USD\"}", "invalid_threshold");
    refusals.put("{\"metric\":\"money\",\"threshold\":5,\"currency\":\"USD\"}", "invalid_threshold");
    refusals.put("{\"metric\":\"money\",\"threshold\":\"5.00\",\"currency\":\"ZZZ\"}", "invalid_threshold");
    refusals.put("{\"metric\":\"units\"}", "missing_field");
    refusals.put("{\"metric\":\"money\",\"threshold\":\"5.00\"}", "missing_field");
    refusals.put("{\"metric\":\"units\",\"threshold\":5,\"currency\":\"USD\"}", "invalid_field");
    refusals.put("{\"metric\":\"units\",\"threshold\":5,\"colour\":\"red\"}", "unknown_field");
    refusals.put("{\"metric\":\"units\",\"threshold\":5,\"name\":\"" + "n".repeat(201) + "\"}", "field_too_long");
    refusals.put("{\"metric\":\"units\",\"threshold\":5,\"subscription\":\"" + other.subscription() + "\"}",
        "subscription_not_found");
    refusals.put("{\"metric\":\"units\",", "malformed_json");
    refusals.forEach((body, code) -> {
      try {
        assertEquals(code, createAlert(t, body).errorCode(), body);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    String alerts = "/v1/accounts/" + t.consumer() + "/alerts";
    assertEquals("alert_not_found", broker.get(alerts + "/alrt_nope", t.consumerKey()).errorCode());
    assertEquals("alert_not_found", broker.send("DELETE", alerts + "/alrt_nope", t.consumerKey(), null, null).errorCode());
    assertEquals("account_not_found", broker.post(alerts, other.consumerKey(), "application/json",
        "{\"metric\":\"units\",\"threshold\":5}").errorCode(), "another tenant's account does not exist for it");
    assertEquals("invalid_limit", broker.get(alerts + "?limit=0", t.consumerKey()).errorCode());
    assertEquals(0, broker.get(alerts, t.consumerKey()).body().get("data").size(), "nothing refused was made");
  }

  @Test
  void anAccountMayHaveAsManyAlertsAsItsLimit() throws Exception {
    TestBroker.Tenancy t = metered("manyalerts");
    String last = null;
    for (int i = 1; i <= 3; i++) {
      TestBroker.Reply created = createAlert(t, "{\"metric\":\"units\",\"threshold\":" + (100 * i) + "}");
      assertEquals(201, created.status(), String.valueOf(created.body()));
      last = created.body().get("id").asText();
    }
    TestBroker.Reply fourth = createAlert(t, "{\"metric\":\"units\",\"threshold\":400}");
    assertEquals(409, fourth.status());
    assertEquals("too_many_alerts", fourth.errorCode());
    assertEquals(204, broker.send("DELETE", "/v1/accounts/" + t.consumer() + "/alerts/" + last, t.consumerKey(), null,
        null).status());
    assertEquals(201, createAlert(t, "{\"metric\":\"units\",\"threshold\":400}").status(), "a deleted alert frees its place");
    JsonNode page = broker.get("/v1/accounts/" + t.consumer() + "/alerts?limit=2", t.consumerKey()).body();
    assertEquals(2, page.get("data").size());
    JsonNode rest = broker.get("/v1/accounts/" + t.consumer() + "/alerts?limit=2&after=" + page.get("next_after").asText(),
        t.consumerKey()).body();
    assertEquals(1, rest.get("data").size());
  }
}
