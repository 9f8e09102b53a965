package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A node of this release starts on a data directory written by the previous one and serves it
 * unchanged: the catalog, the partitions' events, the subscriptions' cursors and usage, finalized
 * invoices, credit notes, statements and the wallet, and it goes on numbering where the old node
 * stopped. The fixture (src/test/resources/upgrade/) is a data directory that {@link #writeFixture}
 * wrote with the release it is named after, with the answers that release gave; a change that
 * cannot read old journals, or reads them differently, fails here. A field this release adds to an
 * answer is not a difference (an additive change, which clients ignore); every field the old
 * release answered must be answered the same. Write a new fixture at each
 * release (docs/operations.md, "Upgrades") and keep the old ones.
 */
class UpgradeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIXTURES = "/upgrade/";
  /** The fixtures this release must read, oldest first. */
  private static final List<String> RELEASES = List.of("2026-12-06", "2026-12-07", "2026-12-07-b0cc9b1");
  /** Releases whose usage journals carry no bytes; later fixtures' answers show theirs. */
  private static final Set<String> BEFORE_BYTES = Set.of("2026-12-06");
  static final Instant START = Instant.parse("2026-11-28T10:00:00Z");
  private static final Duration PAST_PERIOD_AND_GRACE = Duration.ofMinutes(70);
  static final Map<String, Object> SETTINGS = Map.of("tollgate.billing.period", "PT1H",
      "tollgate.billing.grace", "5m", "tollgate.billing.close-interval", "200ms");
  private static final int PUBLISHED = 10;
  private static final int ACKNOWLEDGED = 6;

  /** What the fixture's node was asked and what it answered, and the ids and keys to ask again. */
  record Fixture(Instant clock, TestBroker.Tenancy tenancy, Set<String> acknowledged, String firstInvoice,
                 Map<String, JsonNode> answers) {}

  @Test
  void aNodeStartsOnTheDataOfEachEarlierReleaseAndServesItUnchanged() throws Exception {
    for (String release : RELEASES) {
      Path dataDir = Files.createTempDirectory("tollgate-upgrade-" + release);
      unzip(release, dataDir);
      Fixture fixture = read(UpgradeTest.class.getResourceAsStream(FIXTURES + release + "/fixture.json"));
      MutableClock clock = new MutableClock(fixture.clock());
      try (TestBroker broker = TestBroker.startIn(dataDir, SETTINGS, clock)) {
        answersAsBefore(broker, fixture, release);
        if (BEFORE_BYTES.contains(release)) {
          JsonNode oldUsage = broker.get("/v1/accounts/" + fixture.tenancy().consumer() + "/usage",
              fixture.tenancy().consumerKey()).body().get("data").get(0);
          assertEquals(0, oldUsage.get("bytes").asLong(), release + ": usage journaled before bytes were metered has none");
        }
        goOnServing(broker, clock, fixture);
      }
    }
  }

  /** Every read the fixture's node answered is answered the same, but for fields added since. */
  static void answersAsBefore(TestBroker broker, Fixture fixture, String release) throws Exception {
    for (Map.Entry<String, JsonNode> answer : fixture.answers().entrySet()) {
      assertEquals(answer.getValue(), asOldFieldsOnly(answerTo(broker, fixture.tenancy(), answer.getKey()),
          answer.getValue()), release + ": GET " + answer.getKey());
    }
  }

  /**
   * {@code answer} without the object fields {@code old} does not have, at any depth: what a client
   * of the old release reads of it.
   */
  private static JsonNode asOldFieldsOnly(JsonNode answer, JsonNode old) {
    if (answer.isObject() && old.isObject()) {
      ObjectNode kept = JSON.createObjectNode();
      answer.fields().forEachRemaining(field -> {
        if (old.has(field.getKey())) {
          kept.set(field.getKey(), asOldFieldsOnly(field.getValue(), old.get(field.getKey())));
        }
      });
      return kept;
    }
    if (answer.isArray() && old.isArray() && answer.size() == old.size()) {
      var kept = JSON.createArrayNode();
      for (int i = 0; i < answer.size(); i++) {
        kept.add(asOldFieldsOnly(answer.get(i), old.get(i)));
      }
      return kept;
    }
    return answer;
  }

  /** The old node's unacknowledged events stream, and billing goes on from where it stood. */
  static void goOnServing(TestBroker broker, MutableClock clock, Fixture fixture) throws Exception {
    TestBroker.Tenancy t = fixture.tenancy();
    Set<String> unacknowledged = new TreeSet<>();
    Events.numbered("/legacy", 0, PUBLISHED).forEach(event -> unacknowledged.add(event.getId()));
    unacknowledged.removeAll(fixture.acknowledged());
    List<String> received = consume(broker, t, PUBLISHED - ACKNOWLEDGED);
    assertEquals(unacknowledged, new TreeSet<>(received), "the old node's unacknowledged events, each once");
    assertEquals(PUBLISHED - ACKNOWLEDGED, received.size());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong()
            == PUBLISHED - ACKNOWLEDGED);
    assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"after-upgrade\",\"source\":\"/upgrade\",\"type\":\"t\",\"data\":{\"n\":99}}")
        .status());

    clock.advance(PAST_PERIOD_AND_GRACE);
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").size() == 2);
    JsonNode invoices = broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data");
    JsonNode second = invoices.get(0).get("id").asText().equals(fixture.firstInvoice()) ? invoices.get(1) : invoices.get(0);
    assertEquals("TG-000002", second.get("number").asText(), second.toString());
    assertEquals("0.80", second.get("total").asText(), second.toString());
    TestBroker.Reply note = broker.post("/v1/invoices/" + second.get("id").asText() + "/credit-notes", broker.adminKey(),
        "application/json", "{\"amount\":\"0.10\",\"reason\":\"after the upgrade\",\"idempotency_key\":\"upgrade-cn-2\"}");
    assertEquals(201, note.status(), String.valueOf(note.body()));
    assertEquals("TGCN-000002", note.body().get("credit_notes").get(0).get("number").asText(), note.body().toString());
  }

  /**
   * Writes a fixture of this release into the directory the property names (the test resources'
   * upgrade/ directory): {@code ./mvnw -pl broker -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
   * -Dit.test=UpgradeTest#writeFixture -Dtollgate.upgrade.fixture=$PWD/broker/src/test/resources/upgrade/NAME}.
   */
  @Test
  @EnabledIfSystemProperty(named = "tollgate.upgrade.fixture", matches = ".+")
  void writeFixture() throws Exception {
    Path target = Path.of(System.getProperty("tollgate.upgrade.fixture"));
    Path dataDir = Files.createTempDirectory("tollgate-fixture");
    MutableClock clock = new MutableClock(START);
    ObjectNode fixture;
    try (TestBroker broker = TestBroker.startIn(dataDir, SETTINGS, clock)) {
      fixture = record(broker, clock);
    }
    Files.createDirectories(target);
    JSON.writerWithDefaultPrettyPrinter().writeValue(target.resolve("fixture.json").toFile(), fixture);
    zip(dataDir, target.resolve("data.zip"));
  }

  /**
   * Makes the fixture's tenancy, events, acknowledgements, invoice, credit note and plan change
   * on a fresh node whose clock starts at {@link #START}, and returns what it answered.
   */
  static ObjectNode record(TestBroker broker, MutableClock clock) throws Exception {
    ObjectNode fixture = JSON.createObjectNode();
    TestBroker.Tenancy t = broker.tenancy("legacy", 2, """
        {"name":"metered","currency":"USD","revenue_share":"0.70","price":{"model":"per_unit","unit_amount":"0.10"}}""");
    assertEquals(201, broker.post("/v1/topics/" + t.topic() + "/schemas", t.producerKey(), "application/json",
        "{\"schema\":{\"type\":\"object\",\"required\":[\"n\"]}}").status());
    assertEquals(201, broker.post("/v1/accounts/" + t.consumer() + "/wallet/top-ups", broker.adminKey(),
        "application/json", "{\"amount\":\"0.50\",\"currency\":\"USD\",\"idempotency_key\":\"fixture-top-up\"}").status());
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/legacy", 0, PUBLISHED)).get(10, TimeUnit.SECONDS);
    }
    List<String> acknowledged = consume(broker, t, ACKNOWLEDGED);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong()
            == ACKNOWLEDGED);

    clock.advance(PAST_PERIOD_AND_GRACE);
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body().get("data").size() == 1);
    String invoice = broker.get("/v1/accounts/" + t.consumer() + "/invoices", t.consumerKey()).body()
        .get("data").get(0).get("id").asText();
    assertEquals(201, broker.post("/v1/invoices/" + invoice + "/credit-notes", broker.adminKey(), "application/json",
        "{\"amount\":\"0.10\",\"reason\":\"fixture\",\"idempotency_key\":\"fixture-cn-1\"}").status());
    String premium = broker.admin().createPerUnitPlan(t.product(), "premium", "USD", "0.20").get("id").asText();
    assertEquals(200, broker.post("/v1/subscriptions/" + t.subscription() + "/plan", t.consumerKey(),
        "application/json", "{\"plan\":\"" + premium + "\"}").status());

    fixture.put("clock", clock.instant().toString());
    fixture.set("tenancy", JSON.valueToTree(t));
    acknowledged.forEach(fixture.putArray("acknowledged")::add);
    fixture.put("first_invoice", invoice);
    ObjectNode answers = fixture.putObject("answers");
    for (String path : paths(t, premium, invoice)) {
      answers.set(path, answerTo(broker, t, path));
    }
    return fixture;
  }

  /** The reads whose answers must not change across an upgrade. */
  private static List<String> paths(TestBroker.Tenancy t, String premium, String invoice) {
    return List.of("/v1/accounts/" + t.consumer() + "/invoices", "/v1/invoices/" + invoice,
        "/v1/accounts/" + t.producer() + "/statements", "/v1/accounts/" + t.consumer() + "/wallet",
        "/v1/accounts/" + t.consumer() + "/usage", "/v1/subscriptions/" + t.subscription(),
        "/v1/topics/" + t.topic(), "/v1/products/" + t.product(), "/v1/products/" + t.product() + "/plans",
        "/v1/plans/" + premium, "/v1/accounts/" + t.consumer() + "/keys", "/v1/audit");
  }

  /** What the node answers to a GET, with the key of the account the path is about (the operator's for the audit log). */
  private static JsonNode answerTo(TestBroker broker, TestBroker.Tenancy t, String path) throws Exception {
    String key = path.equals("/v1/audit") ? broker.adminKey()
        : path.contains(t.producer()) || path.startsWith("/v1/topics/") ? t.producerKey() : t.consumerKey();
    TestBroker.Reply reply = broker.get(path, key);
    assertEquals(200, reply.status(), path + ": " + reply.body());
    return reply.body();
  }

  private static List<String> consume(TestBroker broker, TestBroker.Tenancy t, int count) throws Exception {
    List<String> ids = new CopyOnWriteArrayList<>();
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> ids.add(delivery.event().getId())).maxEvents(count).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    return new ArrayList<>(ids);
  }

  static Fixture read(InputStream fixtureJson) throws IOException {
    try (InputStream in = fixtureJson) {
      JsonNode fixture = JSON.readTree(in);
      Map<String, JsonNode> answers = new java.util.LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = fixture.get("answers").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> answer = it.next();
        answers.put(answer.getKey(), answer.getValue());
      }
      return new Fixture(Instant.parse(fixture.get("clock").asText()),
          JSON.treeToValue(fixture.get("tenancy"), TestBroker.Tenancy.class),
          new TreeSet<>(List.of(JSON.convertValue(fixture.get("acknowledged"), String[].class))),
          fixture.get("first_invoice").asText(), answers);
    }
  }

  static void zip(Path dir, Path zipFile) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zipFile));
         Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = dir.relativize(file).toString();
        if (name.contains("LOG")) {
          continue;
        }
        out.putNextEntry(new ZipEntry(name));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
  }

  private static void unzip(String release, Path dir) throws IOException {
    unzip(UpgradeTest.class.getResourceAsStream(FIXTURES + release + "/data.zip"), dir);
  }

  static void unzip(InputStream zip, Path dir) throws IOException {
    try (ZipInputStream in = new ZipInputStream(zip)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        Path file = dir.resolve(entry.getName()).normalize();
        if (!file.startsWith(dir)) {
          throw new IOException("a fixture entry outside its directory: " + entry.getName());
        }
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
          in.transferTo(out);
        }
      }
    }
  }
}
