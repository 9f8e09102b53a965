package io.tollgate.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.node.TollgateNode;
import io.tollgate.broker.tls.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.actor.AddressFromURIString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster traffic over TLS (Artery's tls-tcp), configured the way a node is
 * ({@code tollgate.cluster.tls.*} through {@link TollgateNode#configure}): two actor systems with
 * certificates from one throwaway CA form a cluster; one whose certificate another CA signed,
 * and one speaking plaintext, do not get in. Bare actor systems, not whole nodes: what is
 * tested is the transport, and they start in well under a second.
 */
class ClusterTlsTest {
  @TempDir
  Path dir;
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    systems.forEach(ActorSystem::terminate);
    systems.forEach(system -> system.getWhenTerminated().toCompletableFuture().join());
  }

  @Test
  void nodesWithCertificatesFromTheClusterCaFormAClusterAndOthersDoNotGetIn() throws Exception {
    TestCertificates ca = TestCertificates.authority(dir, "cluster");
    TestCertificates.Issued node = ca.issue("node");
    int seedPort = freePort();
    String seed = "127.0.0.1:" + seedPort;
    ActorSystem<Void> first = node(seedPort, seed, tls(node, ca));
    ActorSystem<Void> second = node(freePort(), seed, tls(node, ca));
    await().atMost(Duration.ofSeconds(30)).until(() -> upMembers(first) == 2 && upMembers(second) == 2);
    assertEquals("tls-tcp", first.settings().config().getString("pekko.remote.artery.transport"));

    TestCertificates otherCa = TestCertificates.authority(dir, "other");
    ActorSystem<Void> stranger = node(freePort(), seed, tls(otherCa.issue("stranger"), otherCa));
    ActorSystem<Void> plaintext = node(freePort(), seed, Map.of());
    // Joining is retried every few seconds; a node that could get in would be Up well within this.
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(40)).until(() -> upMembers(first) == 2
        && upMembers(stranger) == 0 && upMembers(plaintext) == 0);
  }

  private static Map<String, Object> tls(TestCertificates.Issued node, TestCertificates ca) {
    return Map.of(
        "tollgate.cluster.tls.cert-file", node.certFile().toString(),
        "tollgate.cluster.tls.key-file", node.keyFile().toString(),
        "tollgate.cluster.tls.ca-file", ca.caFile().toString());
  }

  private ActorSystem<Void> node(int port, String seed, Map<String, Object> tls) throws IOException {
    Map<String, Object> settings = new HashMap<>(tls);
    settings.put("tollgate.seed-nodes", List.of(seed));
    settings.put("tollgate.data-dir", dir.resolve("data-" + port).toString());
    settings.put("pekko.remote.artery.canonical.port", port);
    Config config = TollgateNode.configure(ConfigFactory.parseMap(settings));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tollgate", config);
    systems.add(system);
    Cluster.get(system).manager().tell(new JoinSeedNodes(List.of(AddressFromURIString.parse("pekko://tollgate@" + seed))));
    return system;
  }

  private static long upMembers(ActorSystem<Void> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
