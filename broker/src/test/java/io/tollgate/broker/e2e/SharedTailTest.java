package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.Delivery;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared tail over real sockets: streams read each partition through one bounded tail per node. */
class SharedTailTest {
  private static final int TAIL_BYTES = 16 * 1024;
  private static final int WINDOW = 500;
  private static final int EVENTS = 3000;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.subscriptions.tail-bytes", TAIL_BYTES,
        "tollgate.subscriptions.window", WINDOW));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aConsumerThatStopsNeitherSlowsAnotherNorGrowsTheTailAndCatchesUpFromTheJournal() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("sharedtail", 1);
    String fast = broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText();
    List<Delivery> fastReceived = new CopyOnWriteArrayList<>();
    try (RawWebSocket stopped = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey());
         Subscriber acking = Subscriber.builder(broker.baseUrl(), t.consumerKey(), fast)
             .onDelivery(fastReceived::add).connect();
         TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      for (int i = 0; i < EVENTS / 100; i++) {
        publisher.publish(t.topic(), Events.numbered("/tail", i * 100, 100)).get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> fastReceived.size() == EVENTS);
      assertEquals(ids(0, EVENTS), fastReceived.stream().map(delivery -> delivery.event().getId()).toList(),
          "the consumer that acks got everything in order while the other took nothing after its window");
      await().atMost(Duration.ofSeconds(10)).until(() -> stopped.events().size() == WINDOW);
      long tailBytes = metric("tollgate_tail_bytes");
      assertTrue(tailBytes > 0 && tailBytes <= TAIL_BYTES, "the tail holds at most its bound, not what the "
          + "stopped consumer has yet to read: " + tailBytes);
      long heapBytes = metric("tollgate_tail_heap_bytes");
      assertTrue(heapBytes > 2 * tailBytes && heapBytes <= metric("tollgate_tail_heap_max_bytes"), "in heap, decoded "
          + "and rendered, the same entries take several times their stored bytes, within the node's budget: "
          + heapBytes + " bytes for " + tailBytes + " stored");

      long streamReadsBefore = metric("tollgate_journal_reads_total{reader=\"stream\"}");
      while (stopped.events().size() < EVENTS) {
        int seen = stopped.events().size();
        stopped.ack(stopped.events().get(seen - 1).get("cursor").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> stopped.events().size() > seen);
      }
      assertEquals(ids(0, EVENTS), stopped.events().stream().map(event -> event.get("event").get("id").asText()).toList(),
          "then it gets the rest, in order");
      assertTrue(metric("tollgate_journal_reads_total{reader=\"stream\"}") > streamReadsBefore,
          "from the journal, since the tail had moved on");
    }
  }

  private static List<String> ids(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "e" + i).toList();
  }

  /** A metric's value from the node's {@code /metrics}, summed over the lines that name it exactly. */
  private static long metric(String name) throws Exception {
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(broker.baseUrl() + "/metrics")).header("Authorization", "Bearer " + broker.adminKey()).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape.body());
    assertTrue(line.find(), name + " in " + scrape.body());
    return (long) Double.parseDouble(line.group(1));
  }
}
