package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.BatchSettings;
import io.tollgate.client.BatchingPublisher;
import io.tollgate.client.Delivery;
import io.tollgate.client.HttpPublisher;
import io.tollgate.client.Position;
import io.tollgate.client.Publisher;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's batching publisher against a real node: single sends are acked one future each, an
 * event the broker refuses fails alone, and every other event is stored and delivered once.
 */
class SdkBatchingTest {
  private static final int EVENTS = 600;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void singleSendsOverTcpAreBatchedAndARefusedEventFailsAlone() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("batchtcp", 2);
    sendAndReceive(t, TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey()));
  }

  @Test
  void singleSendsOverHttpAreBatchedAndARefusedEventFailsAlone() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("batchhttp", 2);
    sendAndReceive(t, new HttpPublisher(broker.baseUrl(), t.producerKey()));
  }

  private static void sendAndReceive(TestBroker.Tenancy t, Publisher transport) throws Exception {
    int refused = EVENTS / 3;
    List<CompletableFuture<Position>> acks = new ArrayList<>();
    try (BatchingPublisher publisher = new BatchingPublisher(transport,
        BatchSettings.DEFAULTS.withMaxEvents(100).withLinger(Duration.ofMillis(20)))) {
      for (int i = 0; i < EVENTS; i++) {
        String data = i == refused ? "{\"n\":" : "{\"n\":" + i + "}";
        acks.add(publisher.send(t.topic(), Events.event("/sdk", "e" + i, "k" + (i % 7), data)));
      }
      publisher.flush();
    }

    Set<String> cursors = new HashSet<>();
    for (int i = 0; i < EVENTS; i++) {
      if (i == refused) {
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
            acks.get(i)::get);
        assertEquals("malformed_json", ((TollgateException) failure.getCause()).code());
      } else {
        assertTrue(cursors.add(acks.get(i).get(0, TimeUnit.SECONDS).cursor()), "each event has its own position");
      }
    }

    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber ignored = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(received::add).connect()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= EVENTS - 1);
    }
    Set<String> ids = new HashSet<>();
    received.forEach(delivery -> ids.add(delivery.event().getId()));
    assertEquals(EVENTS - 1, received.size(), "each acked event delivered once");
    assertEquals(EVENTS - 1, ids.size());
    assertTrue(!ids.contains("e" + refused), "the refused event was not stored");
  }
}
