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
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> second.get("/v1/subscriptions/" + t.subscription()).has("id"));
    String sessionsPath = "/v1/accounts/" + t.consumer() + "/sessions";
    List<Subscriber.Notice> notices = new CopyOnWriteArrayList<>();
    try (Subscriber stream = Subscriber.builder(cluster.node(1).baseUrl(), t.consumerKey(), t.subscription())
             .onDelivery(delivery -> { }).onNotice(notices::add).connect();
         TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", cluster.node(1).tcpPort(), t.consumerKey())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> first.get(sessionsPath).get("data").size() == 2);
      JsonNode listed = first.get(sessionsPath);
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
          () -> stream.closed().get(5, TimeUnit.SECONDS));
      assertTrue(notices.stream().anyMatch(notice -> "session_closed".equals(notice.code())),
          notices + " / " + ended.getCause());

      String keyId = t.consumerKey().substring(0, t.consumerKey().indexOf('.'));
      first.delete("/v1/accounts/" + t.consumer() + "/keys/" + keyId);
      await().atMost(Duration.ofSeconds(5)).until(() -> !tcp.isOpen());
      await().atMost(Duration.ofSeconds(5)).until(() -> second.get(sessionsPath).get("data").isEmpty());
    }
  }
}
