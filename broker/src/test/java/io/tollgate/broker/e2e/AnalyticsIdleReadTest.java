package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.Subscriber;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The analytics read side's cost follows writes, not the number of journals it follows: on an
 * idle node it queries no journal per tick, and a subscription that is written to is still read
 * and shows in analytics. The full sweep is set far off so that only notices of writes count.
 */
class AnalyticsIdleReadTest {
  private static final String READS = "tollgate_analytics_journal_reads_total";
  private static final Map<String, Object> SETTINGS = Map.of("tollgate.analytics.read-interval", "200ms",
      "tollgate.analytics.record-interval", "500ms", "tollgate.analytics.notice-interval", "200ms",
      "tollgate.analytics.full-sweep-every", "1h");
  private static final Duration IDLE = Duration.ofSeconds(5);
  private static final int IDLE_TENANCIES = 8;
  private static final int PARTITIONS = 4;

  @Test
  void anIdleNodeQueriesNoJournalWhileAWrittenSubscriptionStillShows() throws Exception {
    try (TestBroker broker = TestBroker.start(SETTINGS)) {
      for (int i = 0; i < IDLE_TENANCIES; i++) {
        broker.tenancy("idle" + i, PARTITIONS);
      }
      TestBroker.Tenancy busy = broker.tenancy("busy", 1);
      // Idle: no journal read for 5 s (25 read intervals). The node first reads what the start and
      // the tenancies wrote, which on a loaded machine may pause for seconds between two reads, so
      // the 5 s count from the last read seen rather than failing at it.
      AtomicLong settled = new AtomicLong(-1);
      AtomicLong lastChange = new AtomicLong();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        long reads = metric(broker, READS);
        if (settled.getAndSet(reads) != reads) {
          lastChange.set(System.nanoTime());
        }
        return System.nanoTime() - lastChange.get() >= IDLE.toNanos();
      });

      for (int i = 0; i < 3; i++) {
        TestBroker.Reply published = broker.post("/v1/topics/" + busy.topic() + "/events", busy.producerKey(),
            "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"b" + i
                + "\",\"source\":\"/idle\",\"type\":\"order.placed\",\"data\":{\"n\":" + i + "}}");
        assertEquals(202, published.status(), String.valueOf(published.body()));
      }
      try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), busy.consumerKey(), busy.subscription())
          .onDelivery(delivery -> { }).maxEvents(3).connect()) {
        consumer.closed().get(20, TimeUnit.SECONDS);
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
      String query = "/v1/analytics/subscriptions?resolution=hour&key=" + busy.subscription() + "&from="
          + now.minus(Duration.ofHours(1)) + "&to=" + now.plus(Duration.ofHours(1));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode answer = broker.get(query, busy.consumerKey()).body();
        assertEquals(3, total(answer, "acknowledged_events"), answer.toString());
      });
      long followed = (long) IDLE_TENANCIES * (PARTITIONS + 1 + 2);
      long busyReads = metric(broker, READS) - settled.get();
      assertTrue(busyReads > 0 && busyReads < followed / 2,
          "only the written partition and subscription are read, a few times: " + busyReads + " of " + followed
              + " journals followed");
    }
  }

  private static long total(JsonNode answer, String field) {
    long total = 0;
    for (JsonNode entry : answer.get("data")) {
      for (JsonNode bucket : entry.get("series")) {
        total += bucket.get(field).asLong();
      }
    }
    return total;
  }

  private static long metric(TestBroker broker, String name) throws Exception {
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(broker.baseUrl() + "/metrics")).header("Authorization", "Bearer " + broker.adminKey()).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape.body());
    assertTrue(line.find(), name + " in " + scrape.body());
    return (long) Double.parseDouble(line.group(1));
  }
}
