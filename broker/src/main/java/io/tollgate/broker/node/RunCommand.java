package io.tollgate.broker.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate run}: starts a node and serves until SIGTERM or SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start a Tollgate node (embedded storage unless --cassandra is given).")
public final class RunCommand implements Callable<Integer> {
  /**
   * The exit status of a node the cluster downed: not 0, so that a supervisor that restarts only
   * failed services (systemd's {@code Restart=on-failure}) starts it again, and it rejoins.
   */
  public static final int DOWNED = 3;

  @Option(names = "--http-port", description = "HTTP port (default 8080)")
  Integer httpPort;

  @Option(names = "--tcp-port", description = "TCP publish port (default 7070)")
  Integer tcpPort;

  @Option(names = "--host", description = "Address the HTTP and TCP servers listen on (default 127.0.0.1)")
  String host;

  @Option(names = "--data-dir", description = "Data directory (default ./data)")
  File dataDir;

  @Option(names = "--config", description = "A HOCON file with any settings; flags override it")
  File configFile;

  @Option(names = "--cluster-port", description = "Port for cluster traffic between nodes (default 25520 in a cluster)")
  Integer clusterPort;

  @Option(names = "--management-port", description = "Pekko Management port: /alive, /ready, /cluster/members (default 8558)")
  Integer managementPort;

  @Option(names = "--seed-nodes", split = ",", paramLabel = "host:port",
      description = "Cluster nodes to join; without them the node forms a cluster of its own")
  List<String> seedNodes;

  @Option(names = "--cassandra", split = ",", paramLabel = "host:port",
      description = "Use the Cassandra backend at these contact points instead of embedded storage")
  List<String> cassandra;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Certificate chain (PEM) for HTTPS, WSS and TLS on the TCP port; needs --tls-key")
  File tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PEM, unencrypted) of --tls-cert")
  File tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "PEM",
      description = "CA certificates (PEM): require client certificates signed by one of them (mTLS)")
  File tlsClientCa;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> flags = new HashMap<>();
    if (httpPort != null) flags.put("tollgate.http.port", httpPort);
    if (tcpPort != null) flags.put("tollgate.tcp.port", tcpPort);
    if (host != null) {
      flags.put("tollgate.http.host", host);
      flags.put("tollgate.tcp.host", host);
    }
    if (dataDir != null) flags.put("tollgate.data-dir", dataDir.getPath());
    if (clusterPort != null) flags.put("pekko.remote.artery.canonical.port", clusterPort);
    if (managementPort != null) flags.put("tollgate.management.port", managementPort);
    if (seedNodes != null) flags.put("tollgate.seed-nodes", seedNodes);
    if (tlsCert != null) flags.put("tollgate.tls.cert-file", tlsCert.getPath());
    if (tlsKey != null) flags.put("tollgate.tls.key-file", tlsKey.getPath());
    if (tlsClientCa != null) flags.put("tollgate.tls.client-ca-file", tlsClientCa.getPath());
    if (cassandra != null) flags.put("tollgate.cassandra.contact-points", cassandra);
    Config overrides = ConfigFactory.parseMap(flags);
    if (configFile != null) {
      overrides = overrides.withFallback(ConfigFactory.parseFile(configFile));
    }
    TollgateNode node;
    try {
      node = TollgateNode.start(TollgateNode.configure(overrides), Clock.systemUTC());
    } catch (AdminKey.WeakAdminKey weak) {
      System.err.println("tollgate: " + weak.getMessage());
      return 2;
    }
    String base = (node.settings().tls().isPresent() ? "https://" : "http://") + node.settings().http().host() + ":" + node.httpPort();
    System.out.println();
    System.out.println("Tollgate is running.");
    System.out.println("  HTTP API   " + base + "/v1");
    System.out.println("  TCP        " + node.settings().tcp().host() + ":" + node.tcpPort()
        + (node.settings().tls().isPresent() ? "   (TLS)" : ""));
    System.out.println("  health     " + base + "/healthz   metrics " + base + "/metrics");
    System.out.println("  management " + node.management() + "   (/ready, /cluster/members)");
    System.out.println("  data       " + node.dataDir());
    if (node.adminKey().generated()) {
      System.out.println();
      System.out.println("  Admin key (shown once; kept in " + node.dataDir().resolve(AdminKey.FILE) + "):");
      System.out.println("    " + node.adminKey().secret());
    }
    System.out.println();
    System.out.flush();
    node.whenStopped().toCompletableFuture().join();
    if (node.downed()) {
      System.err.println("tollgate: the cluster downed this node (it was cut off from the majority, or unreachable "
          + "too long); start it again to rejoin");
      return DOWNED;
    }
    return 0;
  }

}
