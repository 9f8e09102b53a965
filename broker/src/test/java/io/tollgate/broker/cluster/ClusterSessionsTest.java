package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.e2e.BrokerProcess;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ending sessions across a real two-node cluster: the sessions a consumer holds on one node are
 * listed and closed through the other, and a key deleted through one node ends the connections
 * it holds on the other. Each node ends its own sessions from its own copy of the catalog
 * ({@code session/OpenSessions}); the listing asks every node's {@code SessionDirectory}.
 */
class ClusterSessionsTest {
  /**
   * What crosses nodes here (a listing, an ending, a key deleted on one node and read by the
   * other's catalog view) takes milliseconds on a quiet machine; two brokers, Cassandra and the
   * test on two loaded cores have held it up for seconds. Deadlines only bound a failure.
   */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private LocalCluster cluster;

  @AfterEach
  void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anAccountsSessionsOnOneNodeAreListedAndEndedThroughTheOther() throws Exception {
    cluster = new LocalCluster(dir, "sessions_" + ProcessHandle.current().pid(), 2);
    cluster.start();
    TollgateAdmin first = new TollgateAdmin(cluster.node(0).baseUrl(), BrokerProcess.ADMIN_KEY);
    TollgateAdmin second = new TollgateAdmin(cluster.node(1).baseUrl(), BrokerProcess.ADMIN_KEY);
    TestBroker.Tenancy t = TestBroker.tenancy(first, "sessions", 1);
    await().atMost(PATIENCE).ignoreExceptions()
        .until(() -> second.get("/v1/subscriptions/" + t.subscription()).has("id"));
    String sessionsPath = "/v1/accounts/" + t.consumer() + "/sessions";
    List<Subscriber.Notice> notices = new CopyOnWriteArrayList<>();
    try (Subscriber stream = Subscriber.builder(cluster.node(1).baseUrl(), t.consumerKey(), t.subscription())
             .onDelivery(delivery -> { }).onNotice(notices::add).connect();
         TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", cluster.node(1).tcpPort(), t.consumerKey())) {
      JsonNode listed = await().atMost(PATIENCE).until(() -> first.get(sessionsPath),
          listing -> listing.get("data").size() == 2);
      assertEquals(0, listed.get("nodes_unanswered").asInt(), listed.toString());
      String secondNode = ":" + cluster.node(1).clusterPort();
      String streamSession = null;
      for (JsonNode session : listed.get("data")) {
        assertTrue(session.get("node").asText().endsWith(secondNode), "held on the second node: " + session);
        if (session.get("kind").asText().equals("stream")) {
          streamSession = session.get("id").asText();
        }
      }

      first.delete(sessionsPath + "/" + streamSession);
      ExecutionException ended = assertThrows(ExecutionException.class,
          () -> stream.closed().get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
      assertTrue(notices.stream().anyMatch(notice -> "session_closed".equals(notice.code())),
          notices + " / " + ended.getCause());

      String keyId = t.consumerKey().substring(0, t.consumerKey().indexOf('.'));
      first.delete("/v1/accounts/" + t.consumer() + "/keys/" + keyId);
      await().atMost(PATIENCE).until(() -> !tcp.isOpen());
      await().atMost(PATIENCE).until(() -> second.get(sessionsPath).get("data").isEmpty());
    }
  }
}
