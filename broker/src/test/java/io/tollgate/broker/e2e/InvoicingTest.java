package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Periods close on the clock: invoices are finalized after the grace period, numbered without
 * gaps, charged to the wallet first, and each producer is credited its share on a statement.
 */
class InvoicingTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final Duration PAST_PERIOD_AND_GRACE = Duration.ofMinutes(70);
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms", "tollgate.billing.issuer.name", "Platform Ltd",
        "tollgate.billing.issuer.address", "1 Market Street", "tollgate.billing.payment-terms", "14d"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static TestBroker.Tenancy metered(String domain) throws Exception {
    return broker.tenancy(domain, 2, """
        {"name":"metered","currency":"USD","revenue_share":"0.70","price":{"model":"per_unit","unit_amount":"0.10"}}""");
  }

  /** Publishes and consumes {@code count} events, and waits until their usage is recorded. */
  private static void consume(TestBroker.Tenancy t, int count) throws Exception {
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/" + t.consumer(), 0, count)).get(10, TimeUnit.SECONDS);
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong() == count);
  }

  private static JsonNode awaitInvoices(TestBroker.Tenancy t, int count) {
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").size() == count);
    try {
      return broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anEndedPeriodIsInvoicedOnceAndTheProducerIsCreditedItsShare() throws Exception {
    TestBroker.Tenancy t = metered("closing");
    consume(t, 10);
    clock.advance(PAST_PERIOD_AND_GRACE);
    JsonNode invoice = awaitInvoices(t, 1).get(0);
    assertEquals("finalized", invoice.get("status").asText());
    assertTrue(invoice.get("number").asText().matches("TG-\\d{6}"), invoice.toString());
    assertEquals("1.00", invoice.get("total").asText());
    assertEquals("1.00", invoice.get("amount_due").asText());
    assertEquals(10, invoice.get("lines").get(0).get("quantity").asLong());
    assertEquals("metered", invoice.get("lines").get(0).get("plan_name").asText());
    assertEquals("closing consumer", invoice.get("customer").get("name").asText());
    assertEquals(t.consumer(), invoice.get("customer").get("id").asText());
    assertEquals("Platform Ltd", invoice.get("issuer").get("name").asText());
    assertEquals("1 Market Street", invoice.get("issuer").get("address").asText());
    Instant issued = Instant.parse(invoice.get("issued_at").asText());
    assertEquals(invoice.get("finalized_at").asText(), issued.toString());
    assertEquals(issued.plus(Duration.ofDays(14)).toString(), invoice.get("due_at").asText());

    await().atMost(Duration.ofSeconds(10)).until(() ->
        broker.get("/v1/accounts/" + t.producer() + "/statements", t.producerKey()).body().get("data").size() == 1);
    JsonNode statement = broker.get("/v1/accounts/" + t.producer() + "/statements", t.producerKey()).body().get("data").get(0);
    assertEquals("1.00", statement.get("charges").asText());
    assertEquals("0.70", statement.get("producer_share").asText());
    assertEquals("0.30", statement.get("platform_fees").asText());


    String id = invoice.get("id").asText();
    TestBroker.Reply byConsumer = broker.post("/v1/invoices/" + id + "/pay", t.consumerKey(), "application/json", "{}");
    assertEquals("forbidden", byConsumer.errorCode());
    assertEquals("paid", broker.post("/v1/invoices/" + id + "/pay", broker.adminKey(), "application/json", "{}").body().get("status").asText());
    assertEquals(200, broker.post("/v1/invoices/" + id + "/pay", broker.adminKey(), "application/json", "{}").status(), "paying twice is no error");
    TestBroker.Reply voidPaid = broker.post("/v1/invoices/" + id + "/void", broker.adminKey(), "application/json", "{}");
    assertEquals(409, voidPaid.status());
    assertEquals("invoice_paid", voidPaid.errorCode());
  }

  @Test
  void prepaidCreditsAreConsumedBeforeTheInvoiceIsChargedAndATopUpRetryCreditsOnce() throws Exception {
    TestBroker.Tenancy t = metered("wallet");
    String topUp = "{\"amount\":\"0.50\",\"currency\":\"USD\",\"idempotency_key\":\"order-7\"}";
    assertEquals(201, broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(), "application/json", topUp).status());
    JsonNode wallet = broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(), "application/json", topUp).body();
    assertEquals("0.50", wallet.get("balances").get(0).get("amount").asText(), "the retried top-up credited once");
    TestBroker.Reply reused = broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(),
        "application/json", topUp.replace("0.50", "5.00"));
    assertEquals(409, reused.status(), String.valueOf(reused.body()));
    assertEquals("idempotency_key_reused", reused.errorCode());
    assertEquals("forbidden", broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", t.consumerKey(),
        "application/json", topUp.replace("order-7", "order-8")).errorCode(), "an account cannot credit itself");
    assertEquals("invalid_amount", broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(),
        "application/json", "{\"amount\":\"-1.00\",\"currency\":\"USD\",\"idempotency_key\":\"x\"}").errorCode());
    assertEquals("invalid_amount", broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(),
        "application/json", "{\"amount\":\"1.001\",\"currency\":\"USD\",\"idempotency_key\":\"y\"}").errorCode());

    consume(t, 7);
    clock.advance(PAST_PERIOD_AND_GRACE);
    JsonNode invoice = awaitInvoices(t, 1).get(0);
    assertEquals("0.70", invoice.get("total").asText());
    assertEquals("0.50", invoice.get("credits_applied").asText());
    assertEquals("0.20", invoice.get("amount_due").asText());
    assertEquals(0, broker.get("/v1/accounts/" + t.consumer() + "/wallet", t.consumerKey()).body()
        .get("balances").size(), "the credits are spent");

    String id = invoice.get("id").asText();
    assertEquals("void", broker.post("/v1/invoices/" + id + "/void", broker.adminKey(), "application/json", "{}").body().get("status").asText());
    assertEquals("0.50", broker.get("/v1/accounts/" + t.consumer() + "/wallet", t.consumerKey()).body()
        .get("balances").get(0).get("amount").asText(), "voiding gives the credits back");
    assertAdjusted(t, "0.49", "-0.49");
  }

  /**
   * The producer's statement of the invoice's period keeps its share; the give-back is an
   * adjustment on the statement of the period in which it was made.
   */
  private static void assertAdjusted(TestBroker.Tenancy t, String share, String givenBack) throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.get("/v1/accounts/" + t.producer() + "/statements",
        t.producerKey()).body().get("data").size() == 2);
    JsonNode statements = broker.get("/v1/accounts/" + t.producer() + "/statements", t.producerKey()).body().get("data");
    assertEquals(share, statements.get(0).get("producer_share").asText(), statements.toString());
    assertEquals("share", statements.get(0).get("lines").get(0).get("kind").asText());
    assertEquals(givenBack, statements.get(1).get("producer_share").asText(), statements.toString());
    JsonNode adjustment = statements.get(1).get("lines").get(0);
    assertEquals("adjustment", adjustment.get("kind").asText());
    assertEquals(statements.get(0).get("period").asText(), adjustment.get("invoice_period").asText());
    assertTrue(statements.get(1).get("period").asText().compareTo(statements.get(0).get("period").asText()) > 0);
  }

  @Test
  void invoicesAreNumberedWithoutGapsAndExportAsCsv() throws Exception {
    List<TestBroker.Tenancy> consumers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestBroker.Tenancy t = metered("numbering" + i);
      consume(t, 1 + i);
      consumers.add(t);
    }
    clock.advance(PAST_PERIOD_AND_GRACE);
    List<Integer> numbers = new ArrayList<>();
    for (TestBroker.Tenancy t : consumers) {
      numbers.add(Integer.parseInt(awaitInvoices(t, 1).get(0).get("number").asText().substring(3)));
    }
    numbers.sort(Integer::compare);
    assertEquals(List.of(numbers.get(0), numbers.get(0) + 1, numbers.get(0) + 2), numbers);

    TestBroker.Tenancy t = consumers.get(2);
    HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(broker.baseUrl() + "/v1/accounts/" + t.consumer() + "/invoices?format=csv"))
        .header("Authorization", "Bearer " + t.consumerKey()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, csv.statusCode());
    assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    String[] rows = csv.body().split("\r?\n");
    assertTrue(rows[0].startsWith("invoice_id,number,account"), rows[0]);
    assertTrue(rows[1].contains(",usage,") && rows[1].contains(",3,"), rows[1]);
    assertEquals(new BigDecimal("0.30"), new BigDecimal(rows[1].split(",")[11]));
    assertTrue(rows[0].endsWith(",period_start,period_end"), rows[0]);
    assertTrue(Instant.parse(rows[1].split(",")[14]).isAfter(Instant.parse(rows[1].split(",")[13])), rows[1]);
  }

  @Test
  void anInvoiceTheWalletCoversInFullIsPaidAsItIsFinalized() throws Exception {
    TestBroker.Tenancy t = metered("covered");
    assertEquals(201, broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(), "application/json",
        "{\"amount\":\"5.00\",\"currency\":\"USD\",\"idempotency_key\":\"covered-1\"}").status());
    consume(t, 7);
    clock.advance(PAST_PERIOD_AND_GRACE);
    JsonNode invoice = awaitInvoices(t, 1).get(0);
    assertEquals("0.70", invoice.get("credits_applied").asText());
    assertEquals("0.00", invoice.get("amount_due").asText());
    assertEquals("paid", invoice.get("status").asText(), invoice.toString());
    assertEquals("invoice_paid", broker.post("/v1/invoices/" + invoice.get("id").asText() + "/void", broker.adminKey(),
        "application/json", "{}").errorCode(), "a paid invoice is corrected by a credit note, not voided");
  }

  @Test
  void aCorrectionIsACreditNoteToTheWalletAndTheProducerGivesBackItsShare() throws Exception {
    TestBroker.Tenancy t = metered("correcting");
    consume(t, 10);
    clock.advance(PAST_PERIOD_AND_GRACE);
    String id = awaitInvoices(t, 1).get(0).get("id").asText();
    String note = "{\"amount\":\"0.40\",\"reason\":\"late delivery\",\"idempotency_key\":\"ticket-1\"}";
    TestBroker.Reply issued = broker.post("/v1/invoices/" + id + "/credit-notes", broker.adminKey(), "application/json", note);
    assertEquals(201, issued.status(), String.valueOf(issued.body()));
    JsonNode notes = issued.body().get("credit_notes");
    assertEquals(1, notes.size());
    assertTrue(notes.get(0).get("number").asText().matches("TGCN-\\d{6}"), notes.toString());
    assertEquals("1.00", issued.body().get("total").asText(), "the invoice itself is never edited");

    TestBroker.Reply retried = broker.post("/v1/invoices/" + id + "/credit-notes", broker.adminKey(), "application/json", note);
    assertEquals(1, retried.body().get("credit_notes").size(), "a retried credit note is issued once");
    TestBroker.Reply reused = broker.post("/v1/invoices/" + id + "/credit-notes", broker.adminKey(), "application/json",
        note.replace("0.40", "0.30"));
    assertEquals(409, reused.status(), String.valueOf(reused.body()));
    assertEquals("idempotency_key_reused", reused.errorCode());
    TestBroker.Reply tooMuch = broker.post("/v1/invoices/" + id + "/credit-notes", broker.adminKey(), "application/json",
        "{\"amount\":\"0.70\",\"idempotency_key\":\"ticket-2\"}");
    assertEquals("credit_exceeds_invoice", tooMuch.errorCode());
    assertEquals("forbidden", broker.post("/v1/invoices/" + id + "/credit-notes", t.consumerKey(), "application/json", note).errorCode());

    assertEquals("0.40", broker.get("/v1/accounts/" + t.consumer() + "/wallet", t.consumerKey()).body()
        .get("balances").get(0).get("amount").asText());
    assertAdjusted(t, "0.70", "-0.28");
  }

  @Test
  void everyAccountCanSubscribeToItsOwnInvoiceEventsOnThePlatformsTopic() throws Exception {
    TestBroker.Tenancy t = metered("announced");
    TestBroker.Tenancy other = metered("unannounced");
    String feed = invoiceFeed(t);
    String otherFeed = invoiceFeed(other);
    consume(t, 2);
    consume(other, 3);
    clock.advance(PAST_PERIOD_AND_GRACE);
    String invoice = awaitInvoices(t, 1).get(0).get("id").asText();
    awaitInvoices(other, 1);

    List<io.tollgate.client.Delivery> otherEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Subscriber reader = Subscriber.builder(broker.baseUrl(), other.consumerKey(), otherFeed)
        .onDelivery(otherEvents::add).connect()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !otherEvents.isEmpty());
    }
    List<io.tollgate.client.Delivery> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Subscriber reader = Subscriber.builder(broker.baseUrl(), t.consumerKey(), feed).onDelivery(events::add).connect()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
    }
    assertEquals(1, events.size(), "only its own invoice, though the other's is on the topic too: " + events);
    assertEquals(other.consumer(), otherEvents.get(0).event().getAttributesMap().get("subject").getCeString());
    assertEquals("tollgate.invoice.finalized", events.get(0).event().getType());
    assertEquals(invoice, events.get(0).event().getId());
    assertEquals(t.consumer(), events.get(0).event().getAttributesMap().get("subject").getCeString());
    assertTrue(events.get(0).event().getJsonData().contains("\"total\":\"0.20\""), events.get(0).event().getJsonData());
  }

  @Test
  void anInvoicesCreditNotePaymentAndVoidAreEachAnnouncedOnceAfterItsFinalizedEvent() throws Exception {
    TestBroker.Tenancy paying = metered("paying");
    TestBroker.Tenancy voiding = metered("voiding");
    String payingFeed = invoiceFeed(paying);
    String voidingFeed = invoiceFeed(voiding);
    consume(paying, 3);
    consume(voiding, 1);
    clock.advance(PAST_PERIOD_AND_GRACE);
    JsonNode finalized = awaitInvoices(paying, 1).get(0);
    String paid = finalized.get("id").asText();
    for (JsonNode line : finalized.get("lines")) {
      assertEquals(finalized.get("period").get("end").asText(), line.get("period").get("end").asText(), line.toString());
      assertTrue(!Instant.parse(line.get("period").get("start").asText())
          .isBefore(Instant.parse(finalized.get("period").get("start").asText())), "within the period: " + line);
    }
    String voided = awaitInvoices(voiding, 1).get(0).get("id").asText();

    TestBroker.Reply note = broker.post("/v1/invoices/" + paid + "/credit-notes", broker.adminKey(), "application/json",
        "{\"amount\":\"0.05\",\"reason\":\"late\",\"idempotency_key\":\"events-1\"}");
    assertEquals(201, note.status(), String.valueOf(note.body()));
    String noteId = note.body().get("credit_notes").get(0).get("id").asText();
    for (int twice = 0; twice < 2; twice++) {
      assertEquals(200, broker.post("/v1/invoices/" + paid + "/pay", broker.adminKey(), "application/json", "{}").status());
      assertEquals(200, broker.post("/v1/invoices/" + voided + "/void", broker.adminKey(), "application/json", "{}").status());
    }

    List<io.tollgate.client.Delivery> payingEvents = readFeed(paying, payingFeed, 3);
    assertEquals(List.of(paid, noteId, paid + ":paid"), payingEvents.stream().map(d -> d.event().getId()).toList());
    assertEquals(List.of("tollgate.invoice.finalized", "tollgate.credit_note.issued", "tollgate.invoice.paid"),
        payingEvents.stream().map(d -> d.event().getType()).toList());
    assertTrue(payingEvents.get(1).event().getJsonData().contains("\"amount\":\"0.05\""), payingEvents.get(1).toString());
    assertTrue(payingEvents.get(2).event().getJsonData().contains("\"status\":\"paid\""), payingEvents.get(2).toString());
    List<io.tollgate.client.Delivery> voidingEvents = readFeed(voiding, voidingFeed, 2);
    assertEquals(List.of(voided, voided + ":voided"), voidingEvents.stream().map(d -> d.event().getId()).toList());
    assertEquals("tollgate.invoice.voided", voidingEvents.get(1).event().getType());
    assertEquals(voiding.consumer(), voidingEvents.get(1).event().getAttributesMap().get("subject").getCeString());
  }

  /** Reads an account's invoice feed until {@code count} events came, then a little longer to see none more. */
  private static List<io.tollgate.client.Delivery> readFeed(TestBroker.Tenancy t, String feed, int count) throws Exception {
    List<io.tollgate.client.Delivery> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Subscriber reader = Subscriber.builder(broker.baseUrl(), t.consumerKey(), feed).onDelivery(events::add).connect()) {
      await().atMost(Duration.ofSeconds(15)).until(() -> events.size() >= count);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30)).until(() -> events.size() == count);
    }
    return List.copyOf(events);
  }

  private static String invoiceFeed(TestBroker.Tenancy t) throws Exception {
    TestBroker.Reply created = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"prod_tollgate_invoices\",\"plan\":\"plan_tollgate_invoices\"}");
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return created.body().get("id").asText();
  }
}
