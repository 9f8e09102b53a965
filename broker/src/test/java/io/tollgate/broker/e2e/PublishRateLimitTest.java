package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each account's publish rate on a node, over real sockets: past it a publish is refused whole
 * with publish_rate_limited (HTTP 429 with Retry-After; on TCP a non-fatal error for that
 * publish), other accounts publish on, and once the wait has passed the same account does too.
 */
class PublishRateLimitTest {
  /** Ten events a second, bursts of one second: a batch of ten empties the bucket. */
  private static final int EVENTS_PER_SECOND = 10;
  /** Ten small events fit; two events of 3 KiB of data do not. */
  private static final int BYTES_PER_SECOND = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.publish-rate.events-per-second", EVENTS_PER_SECOND,
        "tollgate.publish-rate.bytes-per-second", BYTES_PER_SECOND, "tollgate.publish-rate.burst", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static String batch(String prefix, int count) {
    StringBuilder events = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      events.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"").append(prefix).append(i)
          .append("\",\"source\":\"/rate\",\"type\":\"t\",\"data\":").append(i).append('}');
    }
    return events.append(']').toString();
  }

  private static HttpResponse<String> publish(TestBroker.Tenancy tenancy, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(broker.baseUrl() + "/v1/topics/" + tenancy.topic() + "/events"))
        .header("Authorization", "Bearer " + tenancy.producerKey())
        .header("Content-Type", "application/cloudevents-batch+json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overHttpAPublishPastTheRateIsRefusedWith429AndRetryAfterWhileOthersPublish() throws Exception {
    TestBroker.Tenancy flooding = broker.tenancy("rateflood", 1);
    TestBroker.Tenancy other = broker.tenancy("rateother", 1);
    assertEquals(202, publish(flooding, batch("a", EVENTS_PER_SECOND)).statusCode());
    HttpResponse<String> refused = publish(flooding, batch("b", 1));
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("publish_rate_limited", JSON.readTree(refused.body()).get("error").get("code").asText());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());

    assertEquals(202, publish(other, batch("c", EVENTS_PER_SECOND)).statusCode(), "another account has its own rate");
    await().atMost(Duration.ofSeconds(5)).until(() -> publish(flooding, batch("b", 1)).statusCode() == 202);
    assertEquals(200, broker.get("/v1/subscriptions/" + flooding.subscription(), flooding.consumerKey()).status(),
        "the node goes on serving the account");
  }

  @Test
  void bytesAreLimitedAsWellAsEvents() throws Exception {
    TestBroker.Tenancy large = broker.tenancy("ratebytes", 1);
    String data = "\"" + "x".repeat(3 * 1024) + "\"";
    String event = "[{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/rate\",\"type\":\"t\",\"data\":" + data + "}]";
    assertEquals(202, publish(large, event.formatted("big1")).statusCode());
    HttpResponse<String> refused = publish(large, event.formatted("big2"));
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("publish_rate_limited", JSON.readTree(refused.body()).get("error").get("code").asText());
    assertTrue(refused.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  void overTcpAPublishPastTheRateGetsANonFatalErrorWithItsCorrelationIdAndTheConnectionGoesOn() throws Exception {
    TestBroker.Tenancy flooding = broker.tenancy("tcpflood", 1);
    try (Socket socket = new Socket("127.0.0.1", broker.tcpPort())) {
      socket.setSoTimeout(10_000);
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
          .setAuthenticate(Authenticate.newBuilder().setApiKey(flooding.producerKey())).build());
      assertTrue(read(socket).hasAuthenticated());
      assertTrue(publish(socket, flooding, 1, EVENTS_PER_SECOND).hasAck());
      ServerFrame refused = publish(socket, flooding, 2, 1);
      assertEquals("publish_rate_limited", refused.getError().getCode(), refused.toString());
      assertEquals(2, refused.getError().getCorrelationId());
      assertFalse(refused.getError().getFatal());
      await().atMost(Duration.ofSeconds(5)).until(() -> publish(socket, flooding, 3, 1).hasAck());
    }
  }

  private static ServerFrame publish(Socket socket, TestBroker.Tenancy tenancy, long correlationId, int events)
      throws Exception {
    Publish.Builder publish = Publish.newBuilder().setCorrelationId(correlationId).setTopic(tenancy.topic());
    Events.numbered("/tcp-rate-" + System.nanoTime(), 0, events).forEach(publish::addEvents);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(publish).build());
    return read(socket);
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
  }
}
