package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic retention on a real node: old entries deleted, and a consumer behind them told so over its socket. */
class RetentionTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of(
        "tollgate.topics.retention.bytes", "3000",
        "tollgate.topics.retention.segment-bytes", "1000",
        "tollgate.topics.retention.check-interval", "100ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aConsumerBehindRetentionGetsCursorExpiredThenEveryEventKeptInOrder() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("expiry", 1);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int i = 0; i < 100; i += 2) {
        publisher.publish(t.topic(), Events.numbered("/retention", i, 2)).get(10, TimeUnit.SECONDS);
      }
    }
    String journal = new PartitionRef(t.topic(), 0).persistenceId();
    await().atMost(Duration.ofSeconds(20)).until(() -> firstStoredSequence(journal) > 1);
    long keptFrom = firstStoredOffset(journal);

    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertEquals(100 - keptFrom, stream.events().size(), "events from offset " + keptFrom);
        assertEquals(1, stream.notices().size(), stream.notices().toString());
      });
      JsonNode notice = stream.notices().get(0);
      assertEquals("cursor_expired", notice.get("code").asText());
      assertEquals("retention", notice.get("type").asText());
      assertTrue(notice.get("message").asText().contains("delivery goes on at offset " + keptFrom),
          notice.get("message").asText());
      List<JsonNode> events = stream.events();
      for (int i = 0; i < events.size(); i++) {
        assertEquals("e" + (keptFrom + i), events.get(i).get("event").get("id").asText());
      }
      stream.ack(events.get(events.size() - 1).get("cursor").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> usage(t) == events.size());
      assertEquals(1, stream.notices().size(), "one notice, and the stream stays open");
    }
  }

  @Test
  void aSeekToTheStartBeginsAtTheOldestEventKeptWithoutANotice() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("seekstart", 1);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int i = 0; i < 100; i += 2) {
        publisher.publish(t.topic(), Events.numbered("/retention", i, 2)).get(10, TimeUnit.SECONDS);
      }
    }
    String journal = new PartitionRef(t.topic(), 0).persistenceId();
    await().atMost(Duration.ofSeconds(20)).until(() -> firstStoredSequence(journal) > 1);
    long keptFrom = firstStoredOffset(journal);
    TestBroker.Reply seek = broker.post("/v1/subscriptions/" + t.subscription() + "/seek", t.consumerKey(),
        "application/json", "{\"to\":\"start\"}");
    assertEquals(200, seek.status(), String.valueOf(seek.body()));
    assertEquals(keptFrom - 1, seek.body().get("acked").get(0).get("offset").asLong(), seek.body().toString());

    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 100 - keptFrom);
      assertEquals("e" + keptFrom, stream.events().get(0).get("event").get("id").asText());
      assertTrue(stream.notices().isEmpty(), "the consumer asked for what is kept: " + stream.notices());
    }
  }

  @Test
  void aTopicKeepsWhatItsOwnRetentionSaysAndShowsIt() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("owned", 1);
    TestBroker.Reply created = broker.post("/v1/topics", t.producerKey(), "application/json", """
        {"name":"owned.week","domain":"owned","partitions":1,"retention":{"time":"P7D","bytes":"forever"}}""");
    assertEquals(201, created.status(), String.valueOf(created.body()));
    assertEquals("PT168H", created.body().get("retention").get("time").asText());
    assertEquals("forever", created.body().get("retention").get("bytes").asText());
    assertEquals(created.body().get("retention"),
        broker.get("/v1/topics/owned.week", t.producerKey()).body().get("retention"));
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int i = 0; i < 60; i += 2) {
        publisher.publish("owned.week", Events.numbered("/owned", i, 2)).get(10, TimeUnit.SECONDS);
      }
    }
    String journal = new PartitionRef("owned.week", 0).persistenceId();
    // The node's default (3000 bytes) would have deleted by now; the topic's own setting keeps all.
    String defaulted = new PartitionRef(t.topic(), 0).persistenceId();
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int i = 0; i < 60; i += 2) {
        publisher.publish(t.topic(), Events.numbered("/owned", i, 2)).get(10, TimeUnit.SECONDS);
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> firstStoredSequence(defaulted) > 1);
    assertEquals(1, firstStoredSequence(journal));

    TestBroker.Reply changed = broker.post("/v1/topics/owned.week/retention", t.producerKey(), "application/json",
        "{\"bytes\":\"2000\"}");
    assertEquals(200, changed.status(), String.valueOf(changed.body()));
    assertEquals(2000, changed.body().get("retention").get("bytes").asLong());
    assertTrue(changed.body().get("retention").get("time") == null, "a bound left out follows the node's default");
    await().atMost(Duration.ofSeconds(20)).until(() -> firstStoredSequence(journal) > 1);
  }

  @Test
  void aRetentionThatIsNotADurationOrASizeIsRefusedNamingTheField() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("badret", 1);
    for (String retention : List.of("{\"time\":\"a week\"}", "{\"time\":\"PT0S\"}", "{\"bytes\":0}",
        "{\"bytes\":\"lots\"}", "{\"size\":1}")) {
      TestBroker.Reply refused = broker.post("/v1/topics", t.producerKey(), "application/json",
          "{\"name\":\"badret.t\",\"domain\":\"badret\",\"retention\":" + retention + "}");
      assertEquals(400, refused.status(), retention + ": " + refused.body());
      assertTrue(refused.body().get("error").get("message").asText().contains("retention"), retention + ": " + refused.body());
    }
    TestBroker.Reply refused = broker.post("/v1/topics/badret.orders/retention", t.producerKey(), "application/json",
        "{\"bytes\":-5}");
    assertEquals(400, refused.status(), String.valueOf(refused.body()));
    assertEquals("invalid_field", refused.errorCode());
  }

  private static List<EventEnvelope> stored(String persistenceId) throws Exception {
    return PersistenceQuery.get(broker.node().system())
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, broker.node().settings().storage().queryPlugin())
        .currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
        .runWith(Sink.seq(), broker.node().system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long firstStoredSequence(String persistenceId) throws Exception {
    return stored(persistenceId).get(0).sequenceNr();
  }

  private static long firstStoredOffset(String persistenceId) throws Exception {
    return ((EventsAppended) stored(persistenceId).get(0).event()).getFirstOffset();
  }

  private static long usage(TestBroker.Tenancy t) throws Exception {
    return broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong();
  }
}
