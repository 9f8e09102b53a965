package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.topic.Partitioner;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-sent event streams over real sockets, read by an ordinary text/event-stream client
 * ({@link EventStreamClient}): events carry their cursor as id and the WebSocket frame's JSON as
 * data; posted acks and a reconnect's {@code Last-Event-ID} acknowledge, and each acknowledged
 * event is billed once; revocation ends the stream with an {@code error} event; another tenant
 * is refused; each bad request has its code.
 */
class EventStreamTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.subscriptions.event-stream-keep-alive", "200ms",
        "tollgate.sessions.max-per-account", 2));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /** A partition key of each of the topic's two partitions. */
  private static String keyOfPartition(int partition) {
    for (int i = 0; ; i++) {
      if (Partitioner.partitionOf(Events.event("/sse", "x", "key-" + i, "{}"), 2) == partition) {
        return "key-" + i;
      }
    }
  }

  private static void publish(TestBroker.Tenancy t, String id, String key, String data) throws Exception {
    TestBroker.Reply reply = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
        "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/sse\","
            + "\"type\":\"order.created\",\"partitionkey\":\"" + key + "\",\"datacontenttype\":\"application/json\","
            + "\"data\":" + data + "}");
    assertEquals(202, reply.status(), String.valueOf(reply.body()));
  }

  private static TestBroker.Reply ack(TestBroker.Tenancy t, String key, String cursor) throws Exception {
    return broker.post("/v1/subscriptions/" + t.subscription() + "/acks", key, "application/json",
        "{\"cursor\":\"" + cursor + "\"}");
  }

  private static long billed(TestBroker.Tenancy t) throws Exception {
    return broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong();
  }

  private static List<EventStreamClient.Event> ofPartition(List<EventStreamClient.Event> events, int partition) {
    return events.stream().filter(event -> event.json().get("partition").asInt() == partition).toList();
  }

  private static Set<String> ids(List<EventStreamClient.Event> events) {
    TreeSet<String> ids = new TreeSet<>();
    events.forEach(event -> ids.add(event.json().get("event").get("id").asText()));
    return ids;
  }

  @Test
  void postedAcksAndLastEventIdAcknowledgeEachEventOnceAndAReconnectGetsExactlyTheRest() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssepath", 2);
    String a = keyOfPartition(0);
    String b = keyOfPartition(1);
    for (int i = 1; i <= 5; i++) {
      publish(t, "a" + i, a, i == 3 ? "{\"n\": 3,\n  \"note\": \"data of\\nmany lines\"}" : "{\"n\":" + i + "}");
      publish(t, "b" + i, b, "{\"n\":" + i + "}");
    }
    List<EventStreamClient.Event> first;
    try (EventStreamClient stream = EventStreamClient.open(broker.baseUrl(), t.subscription(), t.consumerKey(),
        Optional.empty())) {
      assertTrue(stream.response().headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.deliveries().size() == 10);
      first = stream.deliveries();
      for (EventStreamClient.Event event : first) {
        JsonNode frame = event.json();
        assertEquals("event", frame.get("type").asText(), "the data is the WebSocket event frame");
        assertEquals(event.id(), frame.get("cursor").asText(), "the id is the cursor");
      }
      assertEquals("data of\nmany lines", ofPartition(first, 0).get(2).json().get("event").get("data").get("note").asText(),
          "data of many lines comes through whole");
      JsonNode session = broker.get("/v1/accounts/" + t.consumer() + "/sessions", broker.adminKey()).body().get("data").get(0);
      assertEquals("event_stream", session.get("kind").asText(), session.toString());
      await().atMost(Duration.ofSeconds(5)).until(() -> stream.comments() > 0);

      TestBroker.Reply acked = ack(t, t.consumerKey(), ofPartition(first, 0).get(1).id());
      assertEquals(200, acked.status(), String.valueOf(acked.body()));
      assertTrue(acked.body().get("committed").asBoolean());
      assertEquals(2, billed(t), "a1 and a2: an ack covers the earlier events of its partition, billed once committed");
      assertEquals(200, ack(t, t.consumerKey(), ofPartition(first, 0).get(0).id()).status(), "an earlier one: already");
      assertEquals(2, billed(t), "nothing twice");
    }

    String lastOfB = ofPartition(first, 1).get(3).id();
    try (EventStreamClient resumed = EventStreamClient.open(broker.baseUrl(), t.subscription(), t.consumerKey(),
        Optional.of(lastOfB))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> resumed.deliveries().size() == 4);
      assertEquals(Set.of("a3", "a4", "a5", "b5"), ids(resumed.deliveries()),
          "the unacknowledged a3..a5 again, and of b only what follows Last-Event-ID");
      await().atMost(Duration.ofSeconds(10)).until(() -> billed(t) == 6);
      publish(t, "b6", b, "{\"n\":6}");
      await().atMost(Duration.ofSeconds(10)).until(() -> resumed.deliveries().size() == 5);
      List<EventStreamClient.Event> now = resumed.deliveries();
      assertEquals(200, ack(t, t.consumerKey(), ofPartition(now, 0).get(2).id()).status());
      assertEquals(200, ack(t, t.consumerKey(), ofPartition(now, 1).get(1).id()).status());
      assertEquals(11, billed(t), "every event of the subscription, each once");
      TestBroker.Reply notDelivered = ack(t, t.consumerKey(), t.topic() + ":1:999:0");
      assertEquals(409, notDelivered.status());
      assertEquals("unknown_cursor", notDelivered.errorCode());
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        broker.get("/v1/accounts/" + t.consumer() + "/sessions", broker.adminKey()).body().get("data").isEmpty());
    TestBroker.Reply closed = ack(t, t.consumerKey(), t.topic() + ":1:999:0");
    assertEquals("no_open_stream", closed.errorCode(), "no stream, nothing delivered to acknowledge");
    assertEquals(11, billed(t));
  }

  @Test
  void anSseSubscriptionSaysSoAndIsReadAsServerSentEventsAndOverWebSocketOnOneCursorBilledOnce() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssetype", 1);
    String body = "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\""
        + t.plan() + "\",\"delivery\":%s}";
    TestBroker.Reply created = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        body.formatted("{\"type\":\"sse\"}"));
    assertEquals(201, created.status(), String.valueOf(created.body()));
    String subscription = created.body().get("id").asText();
    assertEquals("sse", created.body().at("/delivery/type").asText());
    assertEquals("sse", broker.get("/v1/subscriptions/" + subscription, t.consumerKey()).body()
        .at("/delivery/type").asText());
    assertEquals("invalid_field", broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        body.formatted("{\"type\":\"sse\",\"url\":\"https://example.com/\"}")).errorCode());
    TestBroker.Reply pigeon = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        body.formatted("{\"type\":\"carrier-pigeon\"}"));
    assertEquals("unsupported_delivery", pigeon.errorCode());
    assertTrue(pigeon.body().at("/error/message").asText().contains("\"sse\""), pigeon.body().toString());
    TestBroker.Tenancy sse = new TestBroker.Tenancy(t.producer(), t.producerKey(), t.consumer(), t.consumerKey(),
        t.topic(), t.product(), t.plan(), subscription);

    publish(sse, "s1", "k", "{\"n\":1}");
    try (EventStreamClient stream = EventStreamClient.open(broker.baseUrl(), subscription, t.consumerKey(),
        Optional.empty())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.deliveries().size() == 1);
      assertEquals(200, ack(sse, t.consumerKey(), stream.deliveries().get(0).id()).status());
    }
    assertEquals(1, billed(sse));
    publish(sse, "s2", "k", "{\"n\":2}");
    List<io.tollgate.client.Delivery> overWebSocket = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (io.tollgate.client.Subscriber ws = io.tollgate.client.Subscriber.builder(broker.baseUrl(), t.consumerKey(),
        subscription).onDelivery(overWebSocket::add).connect()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> overWebSocket.size() == 1);
      assertEquals("s2", overWebSocket.get(0).event().getId(), "after the cursor the event stream acknowledged");
      await().atMost(Duration.ofSeconds(10)).until(() -> billed(sse) == 2);
    }
  }

  @Test
  void aRevokedKeysEventStreamEndsWithAnErrorEventThatSaysWhy() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("sserevoke", 1);
    TestBroker.Reply key = broker.post("/v1/accounts/" + t.consumer() + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"subscribe\"]}");
    String keyId = key.body().get("id").asText();
    try (EventStreamClient stream = EventStreamClient.open(broker.baseUrl(), t.subscription(),
        key.body().get("secret").asText(), Optional.empty())) {
      publish(t, "live", "k", "{}");
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.deliveries().size() == 1);
      assertEquals(204, broker.send("DELETE", "/v1/accounts/" + t.consumer() + "/keys/" + keyId, broker.adminKey(),
          null, null).status());
      stream.ended().get(30, TimeUnit.SECONDS);
      EventStreamClient.Event last = stream.events().get(stream.events().size() - 1);
      assertEquals("error", last.name());
      assertEquals("key_revoked", last.json().get("code").asText(), last.data());
    }
  }

  @Test
  void anotherTenantsKeyIsRefusedOnTheStreamAndTheAcks() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssemine", 1);
    TestBroker.Tenancy other = broker.tenancy("ssetheirs", 1);
    EventStreamClient.Answer stream = EventStreamClient.refused(broker.baseUrl(), t.subscription(), other.consumerKey(),
        "text/event-stream", Optional.empty());
    assertEquals(404, stream.status());
    assertTrue(stream.body().contains("subscription_not_found"), stream.body());
    TestBroker.Reply acked = ack(t, other.consumerKey(), t.topic() + ":0:1:0");
    assertEquals(404, acked.status());
    assertEquals("subscription_not_found", acked.errorCode());
  }

  @Test
  void eachBadRequestHasItsCode() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssebad", 1);
    List<String> codes = new ArrayList<>();
    EventStreamClient.Answer json = EventStreamClient.refused(broker.baseUrl(), t.subscription(), t.consumerKey(),
        "application/json", Optional.empty());
    assertEquals(406, json.status());
    codes.add(json.body());
    EventStreamClient.Answer malformed = EventStreamClient.refused(broker.baseUrl(), t.subscription(), t.consumerKey(),
        "text/event-stream", Optional.of("not a cursor"));
    assertEquals(400, malformed.status());
    codes.add(malformed.body());
    EventStreamClient.Answer elsewhere = EventStreamClient.refused(broker.baseUrl(), t.subscription(), t.consumerKey(),
        "text/event-stream", Optional.of("ssemine.orders:0:1:0"));
    assertEquals(409, elsewhere.status());
    codes.add(elsewhere.body());
    EventStreamClient.Answer pastTheEnd = EventStreamClient.refused(broker.baseUrl(), t.subscription(), t.consumerKey(),
        "text/event-stream", Optional.of(t.topic() + ":0:999:0"));
    assertEquals(409, pastTheEnd.status(), "a Last-Event-ID past its partition's end names nothing delivered");
    codes.add(pastTheEnd.body());
    assertTrue(codes.get(0).contains("not_acceptable") && codes.get(1).contains("malformed_cursor")
        && codes.get(2).contains("unknown_cursor") && codes.get(3).contains("unknown_cursor"), codes.toString());
    TestBroker.Reply badAck = ack(t, t.consumerKey(), "nope");
    assertEquals(400, badAck.status());
    assertEquals("malformed_cursor", badAck.errorCode());
    TestBroker.Reply noCursor = broker.post("/v1/subscriptions/" + t.subscription() + "/acks", t.consumerKey(),
        "application/json", "{}");
    assertEquals(400, noCursor.status(), String.valueOf(noCursor.body()));
  }

  @Test
  void theSdksEventStreamSubscriberAcksWhatItHandledAndResumesAfterItsLastEventId() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssesdk", 1);
    for (int i = 1; i <= 4; i++) {
      publish(t, "e" + i, "k", "{\"n\":" + i + "}");
    }
    List<io.tollgate.client.Delivery> first = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.tollgate.client.EventStreamSubscriber subscriber = io.tollgate.client.EventStreamSubscriber
        .builder(broker.baseUrl(), t.consumerKey(), t.subscription()).onDelivery(first::add).maxEvents(3).connect();
    subscriber.closed().get(10, TimeUnit.SECONDS);
    assertEquals(List.of("e1", "e2", "e3"), first.stream().map(delivery -> delivery.event().getId()).toList());
    assertEquals(3, billed(t), "each handled event acknowledged, and committed before the next");

    List<io.tollgate.client.Delivery> rest = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.tollgate.client.EventStreamSubscriber resumed = io.tollgate.client.EventStreamSubscriber
        .builder(broker.baseUrl(), t.consumerKey(), t.subscription()).onDelivery(rest::add).maxEvents(1)
        .lastEventId(subscriber.lastEventId().orElseThrow()).connect();
    resumed.closed().get(10, TimeUnit.SECONDS);
    assertEquals(List.of("e4"), rest.stream().map(delivery -> delivery.event().getId()).toList());
    assertEquals(4, billed(t));
  }

  /**
   * With coalesced acks the handler does not wait for each commit (a synchronous ack waits for the
   * group commit, up to 200 ms here): 500 events of two partitions arrive well within the time 500
   * awaited commits would take, and when maxEvents closes the stream every one is billed, once.
   */
  @Test
  void theSdksCoalescedAcksBillEveryHandledEventOnceWithoutWaitingForEachCommit() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssecoalesce", 2);
    StringBuilder batch = new StringBuilder("[");
    for (int i = 1; i <= 500; i++) {
      batch.append(i == 1 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"c").append(i)
          .append("\",\"source\":\"/sse\",\"type\":\"order.created\",\"partitionkey\":\"")
          .append(keyOfPartition(i % 2)).append("\",\"data\":{\"n\":").append(i).append("}}");
    }
    assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
        "application/cloudevents-batch+json", batch.append("]").toString()).status());
    List<io.tollgate.client.Delivery> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    long started = System.nanoTime();
    io.tollgate.client.EventStreamSubscriber subscriber = io.tollgate.client.EventStreamSubscriber
        .builder(broker.baseUrl(), t.consumerKey(), t.subscription()).coalescedAcks().onDelivery(received::add)
        .maxEvents(500).connect();
    subscriber.closed().get(30, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertEquals(500, received.size());
    assertEquals(500, billed(t), "every handled event, once, committed before the stream closed");
    assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "500 awaited commits would take up to 100 s; took " + took);
  }

  @Test
  void theOperatorClosesAnEventStreamAndTheAccountsCapCountsThem() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssecap", 1);
    String second = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();
    String third = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();
    try (EventStreamClient one = EventStreamClient.open(broker.baseUrl(), t.subscription(), t.consumerKey(), Optional.empty());
         EventStreamClient two = EventStreamClient.open(broker.baseUrl(), second, t.consumerKey(), Optional.empty())) {
      EventStreamClient.Answer beyond = EventStreamClient.refused(broker.baseUrl(), third, t.consumerKey(),
          "text/event-stream", Optional.empty());
      assertEquals(429, beyond.status());
      assertTrue(beyond.body().contains("too_many_connections_for_account"), beyond.body());

      String session = null;
      for (JsonNode open : broker.get("/v1/accounts/" + t.consumer() + "/sessions", broker.adminKey()).body().get("data")) {
        if (open.get("subscription").asText().equals(t.subscription())) {
          session = open.get("id").asText();
        }
      }
      assertEquals(204, broker.send("DELETE", "/v1/accounts/" + t.consumer() + "/sessions/" + session,
          broker.adminKey(), null, null).status());
      one.ended().get(30, TimeUnit.SECONDS);
      EventStreamClient.Event last = one.events().get(one.events().size() - 1);
      assertEquals("error", last.name());
      assertEquals("session_closed", last.json().get("code").asText(), last.data());
      assertTrue(!two.ended().isDone(), "the other stream goes on");
      try (EventStreamClient three = EventStreamClient.open(broker.baseUrl(), third, t.consumerKey(), Optional.empty())) {
        assertTrue(!three.ended().isDone(), "the closed stream's place is free again");
      }
    }
  }

  @Test
  void aBrowsersEventSourceSendsItsKeyAsAccessToken() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("ssetoken", 1);
    publish(t, "t1", "k", "{}");
    HttpResponse<java.io.InputStream> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(broker.baseUrl().resolve("/v1/subscriptions/" + t.subscription()
            + "/events?access_token=" + java.net.URLEncoder.encode(t.consumerKey(), java.nio.charset.StandardCharsets.UTF_8)))
            .header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.BufferedReader lines = new java.io.BufferedReader(
        new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
      assertEquals(200, response.statusCode());
      assertEquals("event: event", lines.readLine());
      assertTrue(lines.readLine().startsWith("id: " + t.topic() + ":"));
    }
  }
}
