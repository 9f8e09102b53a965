package io.tollgate.broker.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.auth.AuthThrottle;
import io.tollgate.broker.auth.Authenticator;
import io.tollgate.broker.auth.JwtSettings;
import io.tollgate.broker.auth.JwtVerifier;
import io.tollgate.broker.billing.AccountBilling;
import io.tollgate.broker.billing.InvoiceNumbering;
import io.tollgate.broker.billing.PeriodCloser;
import io.tollgate.broker.http.AuditApi;
import io.tollgate.broker.http.BillingApi;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.CatalogWriter;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.http.AdminApi;
import io.tollgate.broker.http.CatalogApi;
import io.tollgate.broker.http.HttpApi;
import io.tollgate.broker.http.PublishApi;
import io.tollgate.broker.ops.Metrics;
import io.tollgate.broker.subscription.SessionRegistry;
import io.tollgate.broker.subscription.StreamSession;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.tcp.TcpPublishServer;
import io.tollgate.broker.topic.LiveTail;
import io.tollgate.broker.topic.Publisher;
import io.tollgate.broker.topic.TopicSchemas;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.StrictJson;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tollgate node: the actor system (a cluster of one unless given seed nodes), the sharded
 * entities, this node's catalog view, and the HTTP and TCP edges, with a graceful shutdown
 * that stops taking work, lets work in flight finish, and tells consumers to reconnect.
 */
public final class TollgateNode {
  private static final Logger LOG = LoggerFactory.getLogger(TollgateNode.class);

  private final ActorSystem<Void> system;
  private final ServerBinding http;
  private final Tcp.ServerBinding tcp;
  private final AdminKey adminKey;
  private final Path dataDir;
  private final Uri management;
  private final List<HttpApi.Endpoint> httpEndpoints;

  private TollgateNode(ActorSystem<Void> system, ServerBinding http, Tcp.ServerBinding tcp, AdminKey adminKey,
                       Path dataDir, Uri management, List<HttpApi.Endpoint> httpEndpoints) {
    this.system = system;
    this.http = http;
    this.tcp = tcp;
    this.adminKey = adminKey;
    this.dataDir = dataDir;
    this.management = management;
    this.httpEndpoints = httpEndpoints;
  }

  /**
   * The node's configuration: {@code overrides} (flags), then the profile (single node, or
   * cluster when seed nodes are given), then the storage profile (Cassandra when contact
   * points are given, else embedded), then defaults.
   */
  public static Config configure(Config overrides) {
    Config base = overrides.withFallback(ConfigFactory.defaultReference());
    boolean kubernetes = base.getString("tollgate.cluster.discovery").equals("kubernetes");
    boolean clustered = kubernetes || !base.getStringList("tollgate.seed-nodes").isEmpty();
    boolean cassandra = base.hasPath("tollgate.cassandra.contact-points")
        && !base.getStringList("tollgate.cassandra.contact-points").isEmpty();
    String dataDir = Path.of(base.getString("tollgate.data-dir")).toAbsolutePath().toString();
    return overrides
        .withFallback(ConfigFactory.parseMap(java.util.Map.of("tollgate.persistence.rocksdb.dir", dataDir + "/store")))
        .withFallback(ConfigFactory.parseResources(
            kubernetes ? "tollgate/kubernetes.conf" : clustered ? "tollgate/cluster.conf" : "tollgate/single-node.conf"))
        .withFallback(ConfigFactory.parseResources(
            cassandra ? "tollgate-storage-cassandra.conf" : "tollgate-storage-embedded.conf"))
        .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  public static TollgateNode start(Config config, Clock clock) throws Exception {
    Path dataDir = Path.of(config.getString("tollgate.data-dir")).toAbsolutePath();
    AdminKey adminKey = AdminKey.loadOrCreate(dataDir, System.getenv(AdminKey.ENV));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tollgate", config);
    try {
      return start(system, config, clock, adminKey, dataDir);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  private static TollgateNode start(ActorSystem<Void> system, Config config, Clock clock, AdminKey adminKey,
                                    Path dataDir) throws Exception {
    Uri management = PekkoManagement.get(Adapter.toClassic(system)).start()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    joinCluster(system, config);
    Duration askTimeout = config.getDuration("tollgate.ask-timeout");
    ClusterSharding sharding = ClusterSharding.get(system);
    CurrentEventsByPersistenceIdQuery currentJournal = PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, config.getString("tollgate.storage.query-plugin"));
    LiveTail liveTail = new LiveTail(system, currentJournal,
        config.getDuration("tollgate.subscriptions.fallback-poll"), config.getInt("tollgate.subscriptions.max-entries-per-read"));
    TopicPartition.initSharding(sharding, new TopicPartition.Settings(
        config.getInt("tollgate.topics.dedup-window"),
        config.getInt("tollgate.topics.snapshot-every"),
        config.getInt("tollgate.topics.max-pending-events"),
        (int) config.getBytes("tollgate.topics.max-entry-bytes").longValue()), clock, liveTail.announcements());
    CatalogEntity.initSharding(sharding);
    PeriodScheme periods = PeriodScheme.parse(config.getString("tollgate.billing.period"));
    EventsByPersistenceIdQuery journal = PersistenceQuery.get(system)
        .getReadJournalFor(EventsByPersistenceIdQuery.class, config.getString("tollgate.storage.query-plugin"));
    CatalogView view = new CatalogView();
    AccountBilling.initSharding(sharding, view, currentJournal, clock, new AccountBilling.Settings(
        periods, config.getDuration("tollgate.billing.grace"), askTimeout));
    InvoiceNumbering.initSharding(sharding);
    PeriodCloser.start(system, sharding, view, config.getDuration("tollgate.billing.close-interval"));
    SubscriptionEntity.UsageListener wakeBilling = subscription ->
        view.catalog().subscription(subscription).ifPresent(s -> sharding.entityRefFor(AccountBilling.ENTITY_KEY, s.account())
            .tell(new AccountBilling.CatchUp(subscription, system.ignoreRef())));
    SubscriptionEntity.initSharding(sharding, clock, periods,
        config.getBoolean("tollgate.billing.eager-feed") ? wakeBilling : subscription -> { });
    CompletionStage<Long> catalogVersion = CatalogEntity.ref(sharding)
        .ask(CatalogEntity.GetVersion::new, Duration.ofSeconds(60));
    view.start(system, journal, catalogVersion);

    Metrics metrics = new Metrics();
    Optional<JwtSettings> jwt = JwtSettings.fromConfig(config.getConfig("tollgate.auth.jwt"));
    Authenticator authenticator = new Authenticator(view, adminKey.secret(), clock,
        jwt.isEmpty() ? Optional.empty() : Optional.of(JwtVerifier.of(jwt.get())));
    AuthThrottle throttle = new AuthThrottle(new AuthThrottle.Settings(
        config.getInt("tollgate.auth.failures.allowed"), config.getDuration("tollgate.auth.failures.window"),
        config.getDuration("tollgate.auth.failures.first-delay"), config.getDuration("tollgate.auth.failures.max-delay"),
        config.getInt("tollgate.auth.failures.max-sources")), clock);
    int maxJsonDepth = config.getInt("tollgate.limits.max-json-depth");
    StrictJson eventData = new StrictJson(maxJsonDepth);
    StrictJson requests = new StrictJson(config.getInt("tollgate.limits.max-request-json-depth"));
    TopicSchemas schemas = new TopicSchemas(eventData, (int) config.getBytes("tollgate.limits.max-schema-bytes").longValue());
    Publisher publisher = new Publisher(sharding, view, schemas, new Publisher.Settings(
        config.getInt("tollgate.limits.max-event-bytes"),
        config.getInt("tollgate.limits.max-events-per-publish"), maxJsonDepth,
        askTimeout, config.getDuration("tollgate.topics.append-attempt-timeout")));
    SessionRegistry sessions = new SessionRegistry();
    StreamSession streams = new StreamSession(system, sharding, liveTail, sessions, new StreamSession.Settings(
        config.getInt("tollgate.subscriptions.window"),
        config.getInt("tollgate.subscriptions.max-batch"),
        (int) config.getBytes("tollgate.subscriptions.max-message-bytes").longValue(),
        askTimeout, config.getDuration("tollgate.subscriptions.attach-attempt-timeout"), clock, periods),
        metrics.deliveredEvents);
    CatalogWriter catalogWriter = new CatalogWriter(sharding, view, clock, askTimeout);
    AdminApi admin = new AdminApi(view, catalogWriter, sharding, schemas, requests, askTimeout, clock);
    AtomicBoolean stopping = new AtomicBoolean();
    CompletableFuture<Void> caughtUp = view.caughtUp().toCompletableFuture();
    BooleanSupplier ready = () -> caughtUp.isDone() && !caughtUp.isCompletedExceptionally() && !stopping.get();
    ReadinessCheck.Readiness.ID.get(Adapter.toClassic(system)).set(ready);
    BillingApi billing = new BillingApi(view, sharding, periods, clock, askTimeout, requests);
    CatalogApi catalogApi = new CatalogApi(view, config.getString("tollgate.http.advertised-host"),
        config.getString("tollgate.http.host") + ":" + config.getInt("tollgate.http.port"),
        jwt.map(JwtSettings::issuer));
    HttpApi api = new HttpApi(authenticator, throttle, view, admin, catalogApi, billing, new AuditApi(currentJournal, view, system),
        new PublishApi(publisher, metrics, eventData), streams, metrics, ready);

    ServerBinding http = Http.get(system)
        .newServerAt(config.getString("tollgate.http.host"), config.getInt("tollgate.http.port"))
        .bind(api.route())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    TcpPublishServer tcpServer = new TcpPublishServer(system, authenticator, throttle, publisher, metrics,
        new TcpPublishServer.Settings(config.getString("tollgate.tcp.host"), config.getInt("tollgate.tcp.port"),
            config.getInt("tollgate.tcp.max-frame-bytes"), config.getInt("tollgate.tcp.max-in-flight-per-connection"),
            config.getInt("tollgate.tcp.max-connections"), config.getDuration("tollgate.tcp.auth-timeout")), clock);
    Tcp.ServerBinding tcp = tcpServer.bind().toCompletableFuture().get(30, TimeUnit.SECONDS);

    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "tollgate-not-ready", () -> {
      stopping.set(true);
      LOG.atInfo().addKeyValue("open_streams", sessions.size()).log("node stopping");
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "tollgate-unbind", () ->
        http.unbind().thenCombine(tcp.unbind(), (a, b) -> Done.getInstance()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "tollgate-drain", () -> {
      sessions.goingAway();
      tcpServer.drainConnections();
      return http.terminate(Duration.ofSeconds(10)).thenApply(terminated -> Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "tollgate-catalog-view", () -> {
      view.stop();
      return CompletableFuture.completedFuture(Done.getInstance());
    });

    caughtUp.get(60, TimeUnit.SECONDS);
    Platform.ensure(catalogWriter, view).toCompletableFuture().get(60, TimeUnit.SECONDS);
    InetSocketAddress httpAddress = http.localAddress();
    LOG.atInfo()
        .addKeyValue("http", "http://" + httpAddress.getHostString() + ":" + httpAddress.getPort())
        .addKeyValue("tcp", tcp.localAddress().getHostString() + ":" + tcp.localAddress().getPort())
        .addKeyValue("storage", config.getString("pekko.persistence.journal.plugin"))
        .addKeyValue("data_dir", dataDir.toString())
        .addKeyValue("cluster", Cluster.get(system).selfMember().address().toString())
        .addKeyValue("management", management.toString())
        .log("tollgate node started");
    return new TollgateNode(system, http, tcp, adminKey, dataDir, management, api.endpoints());
  }

  private static void joinCluster(ActorSystem<?> system, Config config) {
    Cluster cluster = Cluster.get(system);
    List<String> seedNodes = config.getStringList("tollgate.seed-nodes");
    if (config.getString("tollgate.cluster.discovery").equals("kubernetes")) {
      ClusterBootstrap.get(Adapter.toClassic(system)).start();
    } else if (seedNodes.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      List<Address> seeds = seedNodes.stream()
          .map(hostPort -> AddressFromURIString.parse("pekko://" + system.name() + "@" + hostPort))
          .toList();
      cluster.manager().tell(new JoinSeedNodes(seeds));
    }
  }

  public int httpPort() {
    return http.localAddress().getPort();
  }

  public int tcpPort() {
    return tcp.localAddress().getPort();
  }

  /** Pekko Management's base address: /alive, /ready, /cluster/members. */
  public Uri management() {
    return management;
  }

  /** Every method and path the HTTP edge serves. */
  public List<HttpApi.Endpoint> httpEndpoints() {
    return httpEndpoints;
  }

  public AdminKey adminKey() {
    return adminKey;
  }

  public Path dataDir() {
    return dataDir;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Runs the same graceful shutdown as SIGTERM and waits for it. */
  public void stop() throws Exception {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }
}
