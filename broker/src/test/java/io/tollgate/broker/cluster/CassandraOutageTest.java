package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.cassandra.LocalCassandra;
import io.tollgate.client.TollgateAdmin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * One broker on a Cassandra node of this test's own (not the shared one: this test stops it),
 * with a producer publishing at a steady rate and retrying, and a consumer streaming and
 * acknowledging. The store goes away for {@link #OUTAGE} under that load, hung (SIGSTOP, then
 * SIGCONT) or dead (SIGKILL, then started again on its data directory), and comes back while the
 * broker keeps running. The broker must answer every publish meanwhile with a retriable error,
 * stay up and serve what needs no store, say it is not ready, and afterwards lose nothing it
 * acknowledged, bill each event once and resume the stream by itself.
 */
class CassandraOutageTest {
  private static final Duration OUTAGE = Duration.ofSeconds(15);
  /** What a publish may be answered while the store is away: each means "retry with the same ids". */
  private static final Set<String> RETRIABLE = Set.of("storage_unavailable", "partition_overloaded", "publish_timeout");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger DOMAINS = new AtomicInteger();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private static LocalCassandra cassandra;
  private static BrokerProcess broker;

  @BeforeAll
  static void start() throws IOException {
    // Started twice per run, on a machine other tests load too: more time than the shared node's 2 min.
    cassandra = LocalCassandra.start(new LocalCassandra.Settings(dir.resolve("cassandra"), BrokerProcess.freePort(),
        BrokerProcess.freePort(), "768m", Duration.ofMinutes(4)));
    broker = BrokerProcess.launch(Files.createDirectories(dir.resolve("broker")), BrokerProcess.freePort(),
        BrokerProcess.freePort(), dir.resolve("broker.log"), List.of("--cassandra", cassandra.contactPoint()));
    // A first start on Cassandra creates the keyspaces, which takes a loaded machine tens of seconds.
    await().atMost(Duration.ofMinutes(3)).until(() -> status("/readyz") == 200);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
    if (cassandra != null && cassandra.isRunning()) {
      cassandra.resume();
      cassandra.kill();
    }
  }

  @Test
  void aHungStoreGetsRetriableAnswersAndTheStreamResumesWithNothingLost() throws Exception {
    survives(new Outage("hung (SIGSTOP)", () -> cassandra.pause(), () -> cassandra.resume()));
  }

  @Test
  void aKilledStoreStartedAgainOnItsDataLosesNothingAndTheStreamResumes() throws Exception {
    survives(new Outage("killed (SIGKILL)", () -> cassandra.kill(), () -> cassandra = cassandra.startAgain()));
  }

  private interface Step {
    void run() throws Exception;
  }

  private record Outage(String name, Step begin, Step end) {}

  private void survives(Outage outage) throws Exception {
    TollgateAdmin admin = new TollgateAdmin(broker.baseUrl(), BrokerProcess.ADMIN_KEY);
    TestBroker.Tenancy t = TestBroker.tenancy(admin, "outage" + DOMAINS.incrementAndGet(), 4);
    String source = "/outage" + DOMAINS.get();
    try (RetryingProducer producer = new RetryingProducer(source, t.topic(), t.producerKey(), () -> broker.tcpPort);
         ResumingConsumer consumer = new ResumingConsumer(() -> List.of(broker.baseUrl()), broker.baseUrl(),
             t.consumerKey(), t.subscription())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> consumer.ids().size() >= 300);
      int failuresBefore = producer.failures().size();

      outage.begin().run();
      await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 503);
      JsonNode refused = publishOverHttp(t, "during-" + outage.name().hashCode());
      // The node stays up and serves what needs no store for the whole outage.
      await().during(OUTAGE).atMost(OUTAGE.plusSeconds(30)).until(() ->
          status("/healthz") == 200 && status("/v1/topics/" + t.topic()) == 200 && status("/readyz") == 503);
      int ackedAtReturn = producer.acked().size();
      int receivedAtReturn = consumer.ids().size();
      outage.end().run();
      long returned = System.nanoTime();

      await().atMost(Duration.ofSeconds(90)).until(() -> status("/readyz") == 200);
      long ready = System.nanoTime();
      await().atMost(Duration.ofSeconds(90)).until(() -> producer.acked().size() >= ackedAtReturn + 100);
      long publishing = System.nanoTime();
      await().atMost(Duration.ofSeconds(90)).until(() -> consumer.ids().size() >= receivedAtReturn + 100);
      long streaming = System.nanoTime();
      System.out.printf("store %s for %d s: after it returned, /readyz 200 in %d ms, publishes acknowledged again "
              + "in %d ms, the stream delivering again in %d ms; %d publishes refused meanwhile%n", outage.name(),
          OUTAGE.toSeconds(), (ready - returned) / 1_000_000, (publishing - returned) / 1_000_000,
          (streaming - returned) / 1_000_000, producer.failures().size() - failuresBefore);

      producer.close();
      Set<String> acked = new HashSet<>(producer.acked());
      try {
        await().atMost(Duration.ofSeconds(120)).until(() -> consumer.ids().containsAll(acked));
      } catch (ConditionTimeoutException missing) {
        throw new AssertionError(whatIsMissing(admin, t, acked, consumer), missing);
      }

      assertEquals(503, refused.path("status").asInt(), refused.toString());
      assertTrue(RETRIABLE.contains(refused.path("code").asText()), refused.toString());
      assertEquals("1", refused.path("retry_after").asText(), "HTTP says when to retry: " + refused);
      List<String> failures = producer.failures().subList(failuresBefore, producer.failures().size());
      assertFalse(failures.isEmpty(), "the producer felt the outage");
      for (String failure : failures) {
        assertTrue(RETRIABLE.stream().anyMatch(failure::contains), "a retriable answer, not a hang or another error: "
            + failure);
      }
      assertEquals(List.of(), consumer.orderViolations(), "order per partition across the outage");
      // Open until its events are billed: a connection whose acks the outage refused has its
      // events delivered again on the next, and closing first would leave them unbilled.
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> usage(admin, t.subscription()) >= consumer.ids().size());
      consumer.close();
      assertEquals(consumer.ids().size(), usage(admin, t.subscription()), "each event the consumer received is billed once");
    }
  }

  /**
   * Which acknowledged events the consumer lacks, and whether a new subscription from the
   * beginning finds them: lost from the journal, or only not delivered to this stream.
   */
  private static String whatIsMissing(TollgateAdmin admin, TestBroker.Tenancy t, Set<String> acked,
                                      ResumingConsumer consumer) throws Exception {
    Set<String> missing = new java.util.TreeSet<>(acked);
    missing.removeAll(consumer.ids());
    String fresh = admin.createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();
    try (ResumingConsumer rereading = new ResumingConsumer(() -> List.of(broker.baseUrl()), broker.baseUrl(),
        t.consumerKey(), fresh)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> rereading.ids().containsAll(acked)
          || rereading.ids().size() >= acked.size());
      Set<String> lost = new java.util.TreeSet<>(missing);
      lost.removeAll(rereading.ids());
      return missing.size() + " acknowledged events never reached the consumer (" + consumer.connections()
          + " connections, notices " + consumer.notices() + ", refused " + consumer.refusedConnections().size()
          + "), e.g. " + missing.stream().limit(10).toList() + "; a new subscription from the beginning lacks "
          + lost.size() + " of them, e.g. " + lost.stream().limit(10).toList();
    }
  }

  /** One event over HTTP; what came back: {@code status}, the error's {@code code}, {@code retry_after}. */
  private static JsonNode publishOverHttp(TestBroker.Tenancy t, String id) throws Exception {
    String event = JSON.createObjectNode().put("specversion", "1.0").put("id", id).put("source", "/http-probe")
        .put("type", "probe").put("datacontenttype", "application/json").set("data",
            JSON.createObjectNode().put("n", 1)).toString();
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(
            broker.baseUrl().resolve("/v1/topics/" + t.topic() + "/events"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + t.producerKey())
        .header("Content-Type", "application/cloudevents+json")
        .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
    var result = JSON.createObjectNode().put("status", answer.statusCode())
        .put("retry_after", answer.headers().firstValue("Retry-After").orElse(""));
    if (answer.statusCode() >= 400) {
      result.put("code", JSON.readTree(answer.body()).path("error").path("code").asText());
    }
    return result;
  }

  private static int status(String path) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.baseUrl() + path))
          .timeout(Duration.ofSeconds(5));
      if (path.startsWith("/v1/")) {
        request.header("Authorization", "Bearer " + BrokerProcess.ADMIN_KEY);
      }
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException noAnswer) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static long usage(TollgateAdmin admin, String subscription) {
    return admin.get("/v1/subscriptions/" + subscription).get("usage").get("events").asLong();
  }
}
