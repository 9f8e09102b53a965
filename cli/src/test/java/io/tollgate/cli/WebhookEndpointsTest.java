package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.webhook.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The webhook mode's receiver, posted to as the broker posts: signed batches are counted per
 * endpoint and partition, a request with a wrong signature is refused and counted, and what is
 * missing, repeated or out of order shows where it happened.
 */
class WebhookEndpointsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final byte[] secret = WebhookSignature.newSecret(new SecureRandom());

  @Test
  void signedEventsAreCountedPerEndpointAndPartitionAndWhatWentWrongShowsWhere() throws Exception {
    IntervalLatency latency = new IntervalLatency();
    try (WebhookEndpoints endpoints = new WebhookEndpoints(2, "run-", "prime-", 4, latency)) {
      endpoints.secret(0, WebhookSignature.shown(secret));
      endpoints.secret(1, WebhookSignature.shown(secret));
      long start = System.nanoTime();
      endpoints.timeFrom(index -> start);
      assertEquals(200, post(endpoints, 0, batch(item("prime-0", 0, 1)), secret));
      assertFalse(endpoints.allPrimed());
      assertEquals(200, post(endpoints, 1, batch(item("prime-0", 0, 1)), secret));
      assertTrue(endpoints.allPrimed());

      assertEquals(200, post(endpoints, 0, batch(item("run-0", 0, 2), item("run-1", 1, 2), item("run-2", 0, 3),
          item("run-3", 1, 3)), secret));
      assertEquals(200, post(endpoints, 1, batch(item("run-2", 0, 3), item("run-0", 0, 2)), secret));
      assertEquals(200, post(endpoints, 1, batch(item("run-2", 0, 3), item("run-3", 1, 3)), secret));
      assertEquals(401, post(endpoints, 1, batch(item("run-1", 1, 2)), WebhookSignature.newSecret(new SecureRandom())));

      assertEquals(7, endpoints.received());
      WebhookEndpoints.Check check = endpoints.check(4, index -> index % 2);
      assertEquals(new LoadGenerator.DeliveryCheck(7, 1, 1, 1), check.total());
      assertEquals(List.of(new WebhookEndpoints.Problem(1, 0, 0, 1, 1), new WebhookEndpoints.Problem(1, 1, 1, 0, 0)),
          check.problems(), "endpoint 1 had partition 0's events out of order and one twice, and lost one of partition 1");
      assertEquals(1, check.badSignatures());
      assertEquals(6, check.requests());
      assertEquals(3, check.fewestReceived());
      assertEquals(4, check.mostReceived());
      assertFalse(check.ok());
    }
    latency.closeInterval(1);
    assertEquals(7, latency.total().getTotalCount(), "a latency per event of the run received");
  }

  private static String item(String id, int partition, long offset) {
    return "{\"cursor\":\"t.e:" + partition + ":" + offset + ":0\",\"topic\":\"t.e\",\"partition\":" + partition
        + ",\"offset\":" + offset + ",\"event\":{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\""
        + LoadGenerator.SOURCE + "\",\"type\":\"tollgate.loadgen\",\"data\":\"xx\"}}";
  }

  private static String batch(String... items) {
    return "{\"type\":\"batch\",\"subscription\":\"sub_1\",\"events\":[" + String.join(",", items) + "]}";
  }

  private static int post(WebhookEndpoints endpoints, int endpoint, String body, byte[] signingSecret) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long timestamp = System.currentTimeMillis() / 1000;
    String id = "msg_" + Math.abs(body.hashCode());
    return HTTP.send(HttpRequest.newBuilder(URI.create(endpoints.url(endpoint)))
        .header("webhook-id", id).header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", WebhookSignature.header(id, timestamp, bytes, List.of(signingSecret)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
