package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.FakeFrameServer;
import io.tollgate.client.FakeHttpServer;
import io.tollgate.client.HostAndPort;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadGeneratorTest {
  @Test
  void tcpModePublishesTheRequestedEventsAndSummarises() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.acking()) {
      LoadGenerator.Summary summary = LoadGenerator.run(new LoadGenerator.Settings()
          .mode(LoadGenerator.Mode.TCP)
          .tcp(new HostAndPort("127.0.0.1", server.port()))
          .apiKey("k")
          .topic("bench")
          .events(1050)
          .batchSize(100)
          .inFlight(4)
          .eventBytes(64));

      assertEquals(1050, summary.events());
      assertEquals(11, summary.latency().count(), "one latency per publish");
      assertTrue(summary.latency().maxMs() >= summary.latency().p50Ms());
      assertTrue(summary.eventsPerSecond() > 0);
      assertNull(summary.delivery());

      server.next();
      Set<String> ids = new HashSet<>();
      for (int publish = 0; publish < 11; publish++) {
        ClientFrame frame = server.next();
        for (CloudEvent event : frame.getPublish().getEventsList()) {
          ids.add(event.getId());
          assertEquals(64, event.getJsonData().length());
        }
      }
      assertEquals(1050, ids.size(), "every event has its own id");
    }
  }

  @Test
  void withBatchSizeOneEventsGoThroughTheBatchingPublisherEachWithItsOwnLatency() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.acking()) {
      LoadGenerator.Summary summary = LoadGenerator.run(new LoadGenerator.Settings()
          .mode(LoadGenerator.Mode.TCP)
          .tcp(new HostAndPort("127.0.0.1", server.port()))
          .apiKey("k")
          .topic("bench")
          .events(500)
          .batchSize(1)
          .linger(Duration.ofMinutes(1))
          .eventBytes(64));

      assertEquals(500, summary.events());
      assertEquals(500, summary.latency().count(), "one latency per event");
      server.next();
      assertEquals(500, server.next().getPublish().getEventsCount(), "the batching publisher sent them together");
      assertFalse(summary.intervals().isEmpty(), "the last second is closed at the end");
      assertEquals(500, summary.intervals().stream().mapToLong(IntervalLatency.Interval::count).sum());
      assertTrue(Cli.JSON.readTree(summary.toJson()).get("seconds_latency_ms").isArray());
    }
  }

  @Test
  void explicitBatchesOfOneArePublishedOneByOne() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.acking()) {
      LoadGenerator.Summary summary = LoadGenerator.run(new LoadGenerator.Settings()
          .mode(LoadGenerator.Mode.TCP)
          .tcp(new HostAndPort("127.0.0.1", server.port()))
          .apiKey("k")
          .topic("bench")
          .events(5)
          .batchSize(1)
          .explicitBatches(true));

      assertEquals(5, summary.events());
      server.next();
      for (int i = 0; i < 5; i++) {
        assertEquals(1, server.next().getPublish().getEventsCount());
      }
    }
  }

  @Test
  void theModesThatCreateSubscriptionsNeedSetUp() {
    for (String mode : List.of("fanout", "idle", "subscriptions", "webhook")) {
      PublishCommandTest.Run run = PublishCommandTest.runCommand(new LoadGenCommand(), "--mode", mode, "--key", "k", "--topic", "t");
      assertEquals(2, run.exitCode(), mode);
      assertTrue(run.err().contains("--mode " + mode + " needs --setup"), run.err());
    }
  }

  @Test
  void httpModeRunsForADuration() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> {
      int count = CloudEventJson.parseBatch(Cli.JSON.readTree(request.body())).size();
      StringBuilder positions = new StringBuilder();
      for (int i = 0; i < count; i++) {
        positions.append(i == 0 ? "" : ",").append("{\"partition\":0,\"offset\":0,\"cursor\":\"c\",\"duplicate\":false}");
      }
      reply.status(202, "{\"accepted\":" + count + ",\"positions\":[" + positions + "]}");
    })) {
      LoadGenerator.Summary summary = LoadGenerator.run(new LoadGenerator.Settings()
          .mode(LoadGenerator.Mode.HTTP)
          .url(server.url())
          .apiKey("k")
          .topic("bench")
          .duration(Duration.ofMillis(300))
          .batchSize(10)
          .inFlight(8));

      assertTrue(summary.events() > 0);
      assertEquals(summary.events(), server.requests.size() * 10L);
      assertTrue(summary.seconds() >= 0.3);
    }
  }

  @Test
  void aPublishErrorEndsTheRunWithThatError() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) ->
        reply.status(429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}"))) {
      TollgateException e = assertThrows(TollgateException.class, () -> LoadGenerator.run(new LoadGenerator.Settings()
          .mode(LoadGenerator.Mode.HTTP).url(server.url()).apiKey("k").topic("bench").events(100)));
      assertEquals("rate_limited", e.code());
    }
  }

  @Test
  void aPublishRefusedForAReasonThatPassesIsSentAgainAfterAPauseAndTheRunGoesOn() throws Exception {
    java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger(2);
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> {
      int refusal = refusals.getAndDecrement();
      if (refusal > 0) {
        String code = refusal == 2 ? "partition_overloaded" : "publish_timeout";
        reply.status(503, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"retry later\"}}");
        return;
      }
      int count = CloudEventJson.parseBatch(Cli.JSON.readTree(request.body())).size();
      StringBuilder positions = new StringBuilder();
      for (int i = 0; i < count; i++) {
        positions.append(i == 0 ? "" : ",").append("{\"partition\":0,\"offset\":0,\"cursor\":\"c\",\"duplicate\":false}");
      }
      reply.status(202, "{\"accepted\":" + count + ",\"positions\":[" + positions + "]}");
    })) {
      LoadGenerator.Summary summary = LoadGenerator.run(new LoadGenerator.Settings()
          .mode(LoadGenerator.Mode.HTTP).url(server.url()).apiKey("k").topic("bench").events(30).batchSize(10)
          .inFlight(1));

      assertEquals(30, summary.events(), "every event was taken in the end");
      assertEquals(5, server.requests.size(), "the two refused publishes were sent again");
    }
  }

  @Test
  void theCommandPrintsTheSummaryAsOneJsonLine() throws Exception {
    try (FakeFrameServer server = FakeFrameServer.acking()) {
      PublishCommandTest.Run run = PublishCommandTest.runCommand(new LoadGenCommand(),
          "--mode", "tcp", "--tcp", "127.0.0.1:" + server.port(), "--key", "k", "--topic", "bench",
          "--events", "300", "--batch-size", "50");

      assertEquals(0, run.exitCode(), run.err());
      JsonNode summary = Cli.JSON.readTree(run.out());
      assertEquals("tcp", summary.get("mode").asText());
      assertEquals(300, summary.get("events").asLong());
      for (String field : new String[] {"seconds", "events_per_second", "mb_per_second"}) {
        assertTrue(summary.get(field).isNumber(), field);
      }
      for (String field : new String[] {"p50", "p99", "p99_9", "max"}) {
        assertTrue(summary.get("latency_ms").get(field).isNumber(), field);
      }
    }
  }

  @Test
  void e2eNeedsASubscription() {
    PublishCommandTest.Run run = PublishCommandTest.runCommand(new LoadGenCommand(), "--mode", "e2e", "--key", "k", "--topic", "t");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--subscription"), run.err());
  }

  @Test
  void drainNeedsASubscriptionAndAckToInvoiceAnAccountToo() {
    PublishCommandTest.Run drain = PublishCommandTest.runCommand(new LoadGenCommand(), "--mode", "drain", "--key", "k", "--topic", "t");
    assertEquals(2, drain.exitCode());
    assertTrue(drain.err().contains("--subscription is needed, or --setup"), drain.err());

    PublishCommandTest.Run ackToInvoice = PublishCommandTest.runCommand(new LoadGenCommand(),
        "--mode", "ack-to-invoice", "--key", "k", "--topic", "t", "--subscription", "sub_1");
    assertEquals(2, ackToInvoice.exitCode());
    assertTrue(ackToInvoice.err().contains("--account is needed, or --setup"), ackToInvoice.err());

    PublishCommandTest.Run nothing = PublishCommandTest.runCommand(new LoadGenCommand(), "--mode", "ack-to-invoice", "--key", "k");
    assertEquals(2, nothing.exitCode());
    assertTrue(nothing.err().contains("--topic and --subscription and --account are needed"), nothing.err());
  }

  @Test
  void modesAreNamedAsOnTheCommandLine() {
    assertEquals(Optional.of(LoadGenerator.Mode.ACK_TO_INVOICE), LoadGenerator.Mode.byId("ack-to-invoice"));
    assertEquals(Optional.of(LoadGenerator.Mode.DRAIN), LoadGenerator.Mode.byId("drain"));
    assertEquals(Optional.of(LoadGenerator.Mode.WEBHOOK), LoadGenerator.Mode.byId("webhook"));
    assertEquals(Optional.empty(), LoadGenerator.Mode.byId("ack_to_invoice"));

    PublishCommandTest.Run run = PublishCommandTest.runCommand(new LoadGenCommand(), "--mode", "fast", "--key", "k", "--topic", "t");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--mode must be tcp, http, e2e, fanout, webhook, idle, subscriptions, drain or ack-to-invoice, was fast"),
        run.err());
    PublishCommandTest.Run via = PublishCommandTest.runCommand(new LoadGenCommand(),
        "--mode", "drain", "--publish-via", "e2e", "--key", "k", "--topic", "t", "--subscription", "s");
    assertEquals(2, via.exitCode());
    assertTrue(via.err().contains("--publish-via must be tcp or http"), via.err());
    PublishCommandTest.Run consume = PublishCommandTest.runCommand(new LoadGenCommand(),
        "--mode", "drain", "--consume-via", "pigeon", "--key", "k", "--topic", "t", "--subscription", "s");
    assertEquals(2, consume.exitCode());
    assertTrue(consume.err().contains("--consume-via must be websocket or sse, was pigeon"), consume.err());
    assertEquals(Optional.of(LoadGenerator.Consumption.SSE), LoadGenerator.Consumption.byId("sse"));
  }

  @Test
  void aSummarySaysHowItsEventsWereReceived() throws Exception {
    LoadGenerator.Summary summary = new LoadGenerator.Summary(LoadGenerator.Mode.DRAIN, 1000, 1.0, 1000, 0.256, null,
        new LoadGenerator.DeliveryCheck(1000, 0, 0, 0), null).consumedVia(LoadGenerator.Consumption.SSE);
    assertEquals("sse", Cli.JSON.readTree(summary.toJson()).get("consume_via").asText());
    assertFalse(Cli.JSON.readTree(new LoadGenerator.Summary(LoadGenerator.Mode.TCP, 1, 1.0, 1, 0, null, null, null)
        .toJson()).has("consume_via"), "a mode that does not receive");
  }

  @Test
  void ackToInvoiceNeedsAnAccountInTheSettingsToo() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> LoadGenerator.run(new LoadGenerator.Settings()
        .mode(LoadGenerator.Mode.ACK_TO_INVOICE).apiKey("k").topic("t").subscription("s")));
    assertTrue(e.getMessage().contains("account"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LoadGenerator.run(new LoadGenerator.Settings()
        .mode(LoadGenerator.Mode.ACK_TO_INVOICE).apiKey("k").topic("t").subscription("s").account("a").samples(0)));
  }

  @Test
  void theUsageOfAnUpcomingInvoiceIsItsUsageAndFreeAllowanceQuantities() throws Exception {
    JsonNode invoice = Cli.JSON.readTree("""
        {"account": "acc_1", "status": "upcoming", "lines": [
          {"subscription": "sub_1", "plan": "plan_1", "kind": "free_allowance", "quantity": 1000, "unit_amount": "0", "amount": "0.00"},
          {"subscription": "sub_1", "plan": "plan_1", "kind": "usage", "tier": 1, "quantity": 500, "unit_amount": "0", "amount": "0.00"},
          {"subscription": "sub_1", "plan": "plan_1", "kind": "usage", "tier": 2, "quantity": 25, "unit_amount": "0.01", "amount": "0.25"},
          {"subscription": "sub_1", "plan": "plan_1", "kind": "recurring_fee", "quantity": 1, "amount": "5.00"},
          {"subscription": "sub_2", "plan": "plan_2", "kind": "usage", "tier": 1, "quantity": 7, "unit_amount": "0", "amount": "0.00"}
        ], "totals": [{"currency": "USD", "amount": "5.25"}]}""");

    assertEquals(1525, LoadGenerator.usageQuantity(invoice, "sub_1"));
    assertEquals(7, LoadGenerator.usageQuantity(invoice, "sub_2"));
    assertEquals(0, LoadGenerator.usageQuantity(invoice, "sub_3"));
    // A subscription without usage yet has no usage line at all (a per-unit plan rates 0 units to no line).
    assertEquals(0, LoadGenerator.usageQuantity(Cli.JSON.readTree("{\"lines\": []}"), "sub_1"));
  }

  @Test
  void aDrainSummaryHasTheDeliveryCheckAndNoLatency() throws Exception {
    LoadGenerator.Summary summary = new LoadGenerator.Summary(LoadGenerator.Mode.DRAIN, 200_000, 8.0, 25_000, 6.4, null,
        new LoadGenerator.DeliveryCheck(200_000, 0, 0, 0), null);

    JsonNode json = Cli.JSON.readTree(summary.toJson());
    assertEquals("drain", json.get("mode").asText());
    assertEquals(200_000, json.get("events").asLong());
    assertEquals(8.0, json.get("seconds").asDouble());
    assertEquals(25_000, json.get("events_per_second").asDouble());
    assertEquals(0, json.get("lost").asLong());
    assertFalse(json.has("latency_ms"));
    assertFalse(json.has("invoice_polls"));
  }

  @Test
  void anAckToInvoiceSummaryHasTheLatencyAndHowOftenTheInvoiceWasRead() throws Exception {
    LoadGenerator.Summary summary = new LoadGenerator.Summary(LoadGenerator.Mode.ACK_TO_INVOICE, 50, 2.5, 20, 0.005,
        new LoadGenerator.Latency(50, 12.3456, 40.0, 41.0, 41.5), null, new LoadGenerator.InvoicePolls(50, 80, 30));

    JsonNode json = Cli.JSON.readTree(summary.toJson());
    assertEquals("ack-to-invoice", json.get("mode").asText());
    assertEquals(50, json.get("latency_ms").get("count").asLong());
    assertEquals(12.346, json.get("latency_ms").get("p50").asDouble());
    assertEquals(40.0, json.get("latency_ms").get("p99").asDouble());
    assertEquals(41.5, json.get("latency_ms").get("max").asDouble());
    assertEquals(80, json.get("invoice_polls").get("polls").asLong());
    assertEquals(30, json.get("invoice_polls").get("seen_on_first_poll").asLong());
    assertFalse(json.has("lost"));
  }

  @Test
  void setUpCreatesEverythingARunNeeds() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> {
      String id = switch (request.path()) {
        case "/v1/accounts" -> "{\"id\":\"acc_1\"}";
        case "/v1/accounts/acc_1/keys" -> "{\"id\":\"key_1\",\"secret\":\"s3cret\"}";
        case "/v1/products" -> "{\"id\":\"prod_1\"}";
        case "/v1/products/prod_1/plans" -> "{\"id\":\"plan_1\"}";
        case "/v1/subscriptions" -> "{\"id\":\"sub_1\"}";
        default -> "{}";
      };
      reply.status(201, id);
    })) {
      LoadGenerator.Fixture fixture = LoadGenerator.setUp(new TollgateAdmin(server.url(), "admin"), 3);

      assertEquals("acc_1", fixture.accountId());
      assertEquals("s3cret", fixture.apiKey());
      assertEquals("sub_1", fixture.subscriptionId());
      assertEquals(List.of("/v1/accounts", "/v1/accounts/acc_1/keys", "/v1/domains", "/v1/topics", "/v1/products",
          "/v1/products/prod_1/plans", "/v1/subscriptions"), server.requests.stream().map(FakeHttpServer.Request::path).toList());
      JsonNode topic = Cli.JSON.readTree(server.requests.get(3).body());
      assertEquals(fixture.topic(), topic.get("name").asText());
      assertEquals(3, topic.get("partitions").asInt());
      assertEquals(fixture.topic(), topic.get("domain").asText() + ".events");
      JsonNode subscription = Cli.JSON.readTree(server.requests.get(6).body());
      assertEquals("beginning", subscription.get("start").asText());
      assertEquals("plan_1", subscription.get("plan").asText());
    }
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    Cli.DurationConverter converter = new Cli.DurationConverter();
    assertEquals(Duration.ofSeconds(30), converter.convert("30s"));
    assertEquals(Duration.ofSeconds(45), converter.convert("45"));
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
    assertEquals(Duration.ofHours(1), converter.convert("1h"));
    assertEquals(Duration.ofSeconds(90), converter.convert("PT1M30S"));
    assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("soon"));
  }

  @Test
  void hostAndPortParse() {
    assertEquals(new HostAndPort("broker", 7070), HostAndPort.parse("broker:7070"));
    assertEquals(new HostAndPort("::1", 7070), HostAndPort.parse("[::1]:7070"));
    assertThrows(IllegalArgumentException.class, () -> HostAndPort.parse("broker"));
    assertThrows(IllegalArgumentException.class, () -> HostAndPort.parse("broker:99999"));
  }
}
