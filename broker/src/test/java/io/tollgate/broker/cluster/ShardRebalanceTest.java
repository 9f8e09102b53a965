package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.e2e.WebhookReceiver;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateAdmin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shards move under open streams: two nodes serve streams of six subscriptions while a third
 * joins and the shard coordinator moves some of the subscriptions' entities to it. The streams
 * stay on their nodes; each keeps delivering, its ack commits reach the entity at its new home,
 * and its usage equals what its consumer acknowledged. A stream whose entity moved is attached to
 * it again ({@code subscription.EntityWatch}): a second connection to that subscription replaces it,
 * as it would had nothing moved. A webhook subscription delivers the same events meanwhile; its
 * worker and ledger may move too, and what its runs tell the ledger is lost in a hand-off unless
 * sent again: its attempt log must hold each request the endpoint received, once.
 */
class ShardRebalanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Rebalance every 2 s, as far as the least-shard strategy likes: a joining node gets its share of
   * the shards in the first rounds instead of a few shards every 10 s.
   */
  private static final String REBALANCE_QUICKLY = """
      pekko.cluster.sharding.rebalance-interval = 2s
      pekko.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 20
      pekko.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit = 0.5
      tollgate.webhooks.secret-key = "%s"
      tollgate.webhooks.allow-private-targets = on
      tollgate.webhooks.wake-every = 1s
      """.formatted(Base64.getEncoder().encodeToString(new byte[32]));

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private LocalCluster cluster;
  private final List<Subscriber> connections = new ArrayList<>();
  private final List<WebhookReceiver> receivers = new ArrayList<>();

  /** One connection to a subscription and the notices it got; {@code received} is shared by the subscription's connections. */
  private record Stream(Subscriber subscriber, List<Subscriber.Notice> notices, Set<String> received) {}

  @AfterEach
  void stop() throws Exception {
    for (Subscriber connection : connections) {
      connection.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    for (WebhookReceiver receiver : receivers) {
      receiver.close();
    }
  }

  private Stream open(URI node, String key, String subscription, Set<String> received) {
    List<Subscriber.Notice> notices = new CopyOnWriteArrayList<>();
    Subscriber subscriber = Subscriber.builder(node, key, subscription)
        .onDelivery(delivery -> received.add(delivery.event().getSource() + "/" + delivery.event().getId()))
        .onNotice(notices::add)
        .connect();
    connections.add(subscriber);
    return new Stream(subscriber, notices, received);
  }

  @Test
  void streamsWhoseSubscriptionMovesToAJoiningNodeKeepDeliveringAndAreBilledOncePerAck() throws Exception {
    cluster = new LocalCluster(dir, "rebalance_" + ProcessHandle.current().pid(), 3, REBALANCE_QUICKLY);
    cluster.start(2);
    WebhookReceiver endpoint = new WebhookReceiver();
    receivers.add(endpoint);
    TollgateAdmin admin = new TollgateAdmin(cluster.node(0).baseUrl(), BrokerProcess.ADMIN_KEY);
    TestBroker.Tenancy t = TestBroker.tenancy(admin, "rebalance", 4);
    List<String> subscriptions = new ArrayList<>(List.of(t.subscription()));
    for (int i = 1; i < 6; i++) {
      subscriptions.add(admin.createSubscription(t.consumer(), t.product(), t.plan(), "beginning").get("id").asText());
    }
    ObjectNode hookRequest = JSON.createObjectNode().put("account", t.consumer()).put("product", t.product())
        .put("plan", t.plan()).put("start", "beginning");
    hookRequest.putObject("delivery").put("type", "webhook").put("url", endpoint.url()).put("batch_size", 20)
        .put("concurrency", 2);
    String hook = new TollgateAdmin(cluster.node(0).baseUrl(), t.consumerKey()).post("/v1/subscriptions", hookRequest)
        .get("id").asText();
    TollgateAdmin second = new TollgateAdmin(cluster.node(1).baseUrl(), BrokerProcess.ADMIN_KEY);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> second.get("/v1/subscriptions/" + subscriptions.get(5)).has("id")
            && second.get("/v1/subscriptions/" + hook).has("id"));

    // 200 events/s: each of the six streams delivers them all, on a machine that also starts a node.
    try (RetryingProducer producer = new RetryingProducer("/rebalance", t.topic(), t.producerKey(),
        () -> cluster.node(0).tcpPort(), Duration.ofMillis(50))) {
      Map<String, Stream> streams = new LinkedHashMap<>();
      for (int i = 0; i < subscriptions.size(); i++) {
        streams.put(subscriptions.get(i), open(cluster.node(i % 2).baseUrl(), t.consumerKey(), subscriptions.get(i),
            ConcurrentHashMap.newKeySet()));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> streams.values().stream().allMatch(s -> s.received().size() >= 200));
      Map<String, Integer> hostBefore = new LinkedHashMap<>();
      for (String subscription : subscriptions) {
        hostBefore.put(subscription, await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> cluster.nodeHosting("Subscription", subscription), OptionalInt::isPresent).getAsInt());
      }

      cluster.restart(2);
      List<String> moved = await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
        List<String> onThird = new ArrayList<>();
        for (String subscription : subscriptions) {
          if (cluster.nodeHosting("Subscription", subscription).equals(OptionalInt.of(2))) {
            onThird.add(subscription);
          }
        }
        return onThird;
      }, onThird -> !onThird.isEmpty());
      System.out.printf("node3 joined; the entities of %d of %d subscriptions moved to it (hosts before: %s); "
              + "the webhook's ledger is on node %s%n", moved.size(), subscriptions.size(), hostBefore,
          cluster.nodeHosting("WebhookLedger", hook));
      Map<String, Integer> atMove = new LinkedHashMap<>();
      streams.forEach((subscription, stream) -> atMove.put(subscription, stream.received().size()));
      await().atMost(Duration.ofSeconds(90)).until(() -> streams.entrySet().stream()
          .allMatch(entry -> entry.getValue().received().size() >= atMove.get(entry.getKey()) + 500));
      streams.forEach((subscription, stream) -> {
        assertFalse(stream.subscriber().closed().isDone(), subscription + "'s stream stayed open: " + stream.notices());
        assertEquals(List.of(), stream.notices(), subscription + "'s stream was told nothing");
      });

      // The replacing consumer reconnects when its stream ends: its first commit may find the
      // subscription out of step with the acks the replaced stream committed as it ended (resync).
      String movedSubscription = moved.get(0);
      Stream held = streams.remove(movedSubscription);
      URI otherNode = cluster.node(hostBefore.get(movedSubscription) == 0 ? 1 : 0).baseUrl();
      try (ResumingConsumer replacing = new ResumingConsumer(() -> List.of(otherNode), otherNode, t.consumerKey(),
          movedSubscription)) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
            held.notices().stream().anyMatch(notice -> "session_replaced".equals(notice.code())));

        producer.close();
        Set<String> acked = producer.acked();
        assertTrue(acked.size() >= 1000, acked.size() + " events acknowledged");
        // The replacing connection resumes after the replaced one's last committed ack: the two together get everything.
        Map<String, Supplier<Set<String>>> received = new LinkedHashMap<>();
        streams.forEach((subscription, stream) -> received.put(subscription, stream::received));
        received.put(movedSubscription, () -> {
          Set<String> both = new HashSet<>(held.received());
          both.addAll(replacing.ids());
          return both;
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          Map<String, Long> missing = new LinkedHashMap<>();
          received.forEach((subscription, ids) -> {
            Set<String> got = ids.get();
            missing.put(subscription + (moved.contains(subscription) ? " (moved)" : " (stayed)"),
                acked.stream().filter(id -> !got.contains(id)).count());
          });
          return missing;
        }, missing -> missing.values().stream().allMatch(count -> count == 0));

        // Usage counts acks committed in step. A connection whose acks were refused (the replaced
        // one, or a replacing one that had to resync) has its events delivered again on the next,
        // so the consumers stay open until every event they received is billed; more is a unit
        // billed twice.
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> usage(admin, subscriptions),
            billed -> billed.entrySet().stream()
                .allMatch(entry -> entry.getValue() >= received.get(entry.getKey()).get().size()));
        Map<String, Long> distinct = new LinkedHashMap<>();
        received.forEach((subscription, ids) -> distinct.put(subscription, (long) ids.get().size()));
        assertEquals(distinct, usage(admin, subscriptions),
            "usage per subscription equals its distinct events received; moved: " + moved);

        Set<String> ackedIds = new HashSet<>();
        acked.forEach(sourceAndId -> ackedIds.add(sourceAndId.substring("/rebalance/".length())));
        await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(endpoint.eventIds()).containsAll(ackedIds));
        // Each request the endpoint received is one attempt, numbered from 1 (the endpoint counts a
        // request before it answers, the run logs it after): the newest number below the requests
        // is a write to the ledger lost in a hand-off, above them one written twice.
        await("[newest attempt, requests received] equal").atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> List.of(newestAttempt(admin, hook), (long) endpoint.requests().size()),
                counts -> counts.get(0).equals(counts.get(1)));
        long hookEvents = new HashSet<>(endpoint.eventIds()).size();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> usage(admin, List.of(hook)).get(hook), billed -> billed >= hookEvents);
        assertEquals(hookEvents, usage(admin, List.of(hook)).get(hook).longValue(),
            "the webhook is billed once per distinct event it delivered");
      }
    }
  }

  /** The number of the newest attempt in a webhook subscription's log: how many it holds in all. */
  private static long newestAttempt(TollgateAdmin admin, String subscription) {
    JsonNode newest = admin.get("/v1/subscriptions/" + subscription + "/webhook/attempts?limit=1").get("data");
    return newest.isEmpty() ? 0 : newest.get(0).get("number").asLong();
  }

  /** Each subscription's usage in the current period, as billing counts it. */
  private static Map<String, Long> usage(TollgateAdmin admin, List<String> subscriptions) throws Exception {
    Map<String, Long> billed = new LinkedHashMap<>();
    for (String subscription : subscriptions) {
      billed.put(subscription, admin.get("/v1/subscriptions/" + subscription).get("usage").get("events").asLong());
    }
    return billed;
  }
}
