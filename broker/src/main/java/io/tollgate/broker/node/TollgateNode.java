package io.tollgate.broker.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.tollgate.broker.JournalDeletes;
import io.tollgate.broker.audit.AuditIndex;
import io.tollgate.broker.audit.AuditReadPositions;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.BillingReadPositions;
import io.tollgate.broker.invoicing.verification.VerificationCopy;
import io.tollgate.broker.invoicing.verification.VerificationReadPositions;
import io.tollgate.broker.trim.JournalTrimmer;
import io.tollgate.broker.trim.LatestSnapshots;
import io.tollgate.broker.trim.ReadPositions;
import io.tollgate.broker.trim.RetentionReaders;
import java.util.ArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.auth.AuthThrottle;
import io.tollgate.broker.auth.Authenticator;
import io.tollgate.broker.auth.JwtSettings;
import io.tollgate.broker.auth.JwtVerifier;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.invoicing.BillingWakeups;
import io.tollgate.broker.invoicing.PublishFeed;
import io.tollgate.broker.invoicing.InvoiceNumbering;
import io.tollgate.broker.invoicing.BillingArchive;
import io.tollgate.broker.invoicing.PeriodCloser;
import io.tollgate.broker.invoicing.verification.JournalReader;
import io.tollgate.broker.analytics.Analytics;
import io.tollgate.broker.analytics.AnalyticsReadSide;
import io.tollgate.broker.analytics.AnalyticsSettings;
import io.tollgate.broker.analytics.MinuteRecorder;
import io.tollgate.broker.analytics.ReadSideMetrics;
import io.tollgate.broker.analytics.WrittenJournals;
import io.tollgate.broker.http.websocket.Frame;
import io.tollgate.broker.http.websocket.KeepAlives;
import io.tollgate.broker.http.websocket.WebSocketConnection;
import org.apache.pekko.http.javadsl.settings.WebSocketSettings;
import io.tollgate.broker.http.AlertsApi;
import io.tollgate.broker.http.AnalyticsApi;
import io.tollgate.broker.http.AuditApi;
import io.tollgate.broker.subscription.DeliveryObserver;
import io.tollgate.broker.http.StreamsApi;
import io.tollgate.broker.http.BillingApi;
import io.tollgate.broker.audit.AuditReadSide;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.CatalogWriter;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.http.AdminApi;
import io.tollgate.broker.http.CatalogApi;
import io.tollgate.broker.http.ClusterApi;
import io.tollgate.broker.http.ConnectionWatch;
import io.tollgate.broker.http.HttpApi;
import io.tollgate.broker.http.IdleConnections;
import io.tollgate.broker.http.PublishApi;
import io.tollgate.broker.http.RequestRules;
import io.tollgate.broker.http.SessionsApi;
import io.tollgate.broker.http.VerificationApi;
import io.tollgate.broker.http.WebhooksApi;
import io.tollgate.broker.ops.Metrics;
import io.tollgate.persistence.schema.CassandraSchema;
import io.tollgate.broker.session.Ending;
import io.tollgate.broker.session.OpenSessions;
import io.tollgate.broker.session.SessionDirectory;
import io.tollgate.broker.subscription.Seeks;
import io.tollgate.broker.subscription.SharedTails;
import io.tollgate.broker.subscription.StalledOutputs;
import io.tollgate.broker.subscription.StreamSession;
import io.tollgate.broker.webhook.DeliveryFeed;
import io.tollgate.broker.webhook.WebhookClient;
import io.tollgate.broker.webhook.WebhookSettings;
import io.tollgate.broker.webhook.WebhookTargets;
import io.tollgate.broker.webhook.WebhookLedger;
import io.tollgate.broker.webhook.WebhookWorker;
import io.tollgate.broker.webhook.Webhooks;
import io.tollgate.broker.subscription.SubscriptionPreview;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.subscription.Subscriptions;
import io.tollgate.broker.tcp.TcpPublishServer;
import io.tollgate.broker.tls.ServerTls;
import io.tollgate.broker.topic.DedupWindows;
import io.tollgate.broker.topic.JournalReads;
import io.tollgate.broker.topic.PublishRates;
import io.tollgate.broker.topic.Publisher;
import io.tollgate.broker.topic.TopicSchemas;
import io.tollgate.broker.topic.Retention;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
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
  /** The catalog's shard may be handed off while a node starts (a rolling restart): ask again. */
  private static final Duration CATALOG_VERSION_ATTEMPT = Duration.ofSeconds(2);
  /** node.conf: where events are validated against schemas, off the dispatchers that serve clients. */
  private static final String SCHEMA_VALIDATION_DISPATCHER = "tollgate-schema-validation-dispatcher";
  /** How often publish rate buckets that have refilled are dropped (PublishRates.forgetFull). */
  private static final Duration FORGET_FULL_RATES = Duration.ofMinutes(1);

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  private final ServerBinding http;
  private final Tcp.ServerBinding tcp;
  private final AdminKey adminKey;
  private final Uri management;
  private final List<HttpApi.Endpoint> httpEndpoints;
  private final CatalogView catalogView;
  private final CompletionStage<Done> stopped;

  private TollgateNode(ActorSystem<Void> system, NodeSettings settings, ServerBinding http, Tcp.ServerBinding tcp,
                       AdminKey adminKey, Uri management, List<HttpApi.Endpoint> httpEndpoints,
                       CatalogView catalogView, CompletionStage<Done> stopped) {
    this.catalogView = catalogView;
    this.stopped = stopped;
    this.system = system;
    this.settings = settings;
    this.http = http;
    this.tcp = tcp;
    this.adminKey = adminKey;
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
    boolean kubernetes = NodeSettings.kubernetes(base);
    boolean clustered = NodeSettings.clustered(base);
    boolean cassandra = NodeSettings.onCassandra(base);
    String dataDir = NodeSettings.dataDir(base).toString();
    Config profile = ConfigFactory.parseResources(
        kubernetes ? "tollgate/kubernetes.conf" : clustered ? "tollgate/cluster.conf" : "tollgate/single-node.conf");
    Optional<NodeSettings.ClusterTls> clusterTls =
        NodeSettings.clusterTls(overrides.withFallback(profile).withFallback(ConfigFactory.defaultReference()).resolve());
    return overrides
        .withFallback(ConfigFactory.parseMap(java.util.Map.of("tollgate.persistence.rocksdb.dir", dataDir + "/store")))
        .withFallback(clusterTls.map(TollgateNode::arteryTls).orElse(ConfigFactory.empty()))
        .withFallback(profile)
        .withFallback(ConfigFactory.parseResources(
            cassandra ? "tollgate-storage-cassandra.conf" : "tollgate-storage-embedded.conf"))
        .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /**
   * Artery over TLS with Pekko's provider that reads PEM files (and reads them again when they
   * change): both sides present a certificate signed by the CA, and a peer's certificate must
   * share a subject name with this node's.
   */
  private static Config arteryTls(NodeSettings.ClusterTls tls) {
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    return ConfigFactory.parseMap(java.util.Map.of(
        "pekko.remote.artery.transport", "tls-tcp",
        "pekko.remote.artery.ssl.ssl-engine-provider",
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
        engine + "cert-file", tls.certFile().toString(),
        engine + "key-file", tls.keyFile().toString(),
        engine + "ca-cert-file", tls.caFile().toString()));
  }

  public static TollgateNode start(Config config, Clock clock) throws Exception {
    NodeSettings settings = NodeSettings.from(config);
    Optional<ServerTls> tls = settings.tls().map(ServerTls::load);
    DataDirectory.create(settings.dataDir());
    AdminKey adminKey = AdminKey.loadOrCreate(settings.dataDir(), System.getenv(AdminKey.ENV));
    Config withStore = settings.storage().onCassandra() ? cassandraSchema(config) : config;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tollgate", withStore);
    try {
      return start(system, withStore, settings, clock, adminKey, tls);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * Creates the keyspaces and tables when missing, and takes the journal's partition size from
   * its table, before any journal is read: a size other than the one the data was written with
   * would hide entries.
   */
  private static Config cassandraSchema(Config config) {
    CassandraSchema.Prepared schema = CassandraSchema.prepare(config);
    if (!schema.recorded()) {
      LOG.atWarn().addKeyValue("target_partition_size", schema.partitionSize())
          .log("the journal table records no partition size: an earlier release created it, with the plugin's "
              + "default, which this node keeps (docs/operations.md, \"Table settings\")");
    }
    return schema.config();
  }

  private static TollgateNode start(ActorSystem<Void> system, Config config, NodeSettings settings, Clock clock,
                                    AdminKey adminKey, Optional<ServerTls> tls) throws Exception {
    Uri management = PekkoManagement.get(Adapter.toClassic(system)).start()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    joinCluster(system, config);
    Duration askTimeout = settings.askTimeout();
    NodeSettings.Subscriptions subscriptions = settings.subscriptions();
    ClusterSharding sharding = ClusterSharding.get(system);
    CurrentEventsByPersistenceIdQuery currentJournal = PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, settings.storage().queryPlugin());
    JournalReads journalReads = new JournalReads(system, currentJournal, subscriptions.maxEntriesPerRead(),
        subscriptions.maxBytesPerRead());
    SharedTails tails = new SharedTails(system, journalReads, new SharedTails.Settings(subscriptions.tailBytes(),
        subscriptions.tailsMaxHeapBytes(), subscriptions.maxEntriesPerRead(), subscriptions.fallbackPoll()));
    CatalogView view = new CatalogView();
    Retention topicDefault = settings.topics().retention().topicDefault();
    DedupWindows dedupWindows = new DedupWindows(clock);

    Metrics metrics = new Metrics(settings.analytics().maxMetricKeys());
    metrics.watchDedup(dedupWindows);
    metrics.watchTails(tails::bytesHeld, tails::partitionsHeld, tails::tailReads, tails::streamReads);
    metrics.watchTailBudget(tails.budget()::usedBytes, tails.budget()::maxBytes, tails.budget()::evictedEntries);
    metrics.gauge("tollgate_catalog_changes_read", "Catalog changes this node's view read from the journal since it "
        + "started, after the snapshot it started from", () -> (int) Math.min(Integer.MAX_VALUE, view.changesRead()));
    java.util.concurrent.atomic.AtomicLong auditEntriesRead = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<AuditIndex.Held> auditHeld =
        new java.util.concurrent.atomic.AtomicReference<>(AuditIndex.Held.NOTHING);
    metrics.gauge("tollgate_audit_entries_read", "Journal entries the audit read side read on this node since it "
        + "started, from the positions it had indexed", () -> (int) Math.min(Integer.MAX_VALUE, auditEntriesRead.get()));
    metrics.gauge("tollgate_audit_entries", "Entries the audit log keeps, on the node running its read side (0 on "
        + "the others)", () -> auditHeld.get().entries());
    metrics.gauge("tollgate_audit_bytes", "What the audit log's entries count against tollgate.audit.max-bytes, on "
        + "the node running its read side (0 on the others)", () -> (int) auditHeld.get().bytes());
    metrics.gauge("tollgate_audit_window_shortfall_seconds", "How much less than tollgate.audit.retention the audit "
        + "log reaches back, because its byte cap made the oldest entries leave early (0: it reaches the retention)",
        () -> (int) Math.min(Integer.MAX_VALUE,
            auditHeld.get().shortfallMillis(clock.millis(), settings.audit()) / 1000));
    metrics.gauge("tollgate_cluster_members", "Members of the Pekko cluster as this node sees them, up or not",
        () -> Cluster.get(system).state().members().size());
    StoreAvailability store = new StoreAvailability(settings.storage().probeFailures());
    if (settings.storage().onCassandra()) {
      StoreProbe.start(system, StoreProbe.cassandra(system), store, settings.storage().probeInterval());
    }
    metrics.gauge("tollgate_storage_available", "1 while the journal store answers the node's probe, 0 after "
        + "tollgate.storage.unavailable-after-failures failed probes in a row", () -> store.available() ? 1 : 0);
    WrittenJournals analyticsNotices = new WrittenJournals();
    Consumer<String> analyticsWritten = settings.analytics().enabled() ? analyticsNotices::written : written -> { };
    AnalyticsSettings analyticsSettings = settings.analytics();
    Optional<ActorRef<AnalyticsReadSide.Command>> readSide = analyticsSettings.enabled()
        ? Optional.of(AnalyticsReadSide.start(system, view, currentJournal, clock, analyticsSettings.readSide(),
            new ReadSideMetrics(metrics), journalReads.announcements()))
        : Optional.empty();
    // Told to the singleton once an interval: a lost notice only delays the read side, which
    // reads every journal on its full sweep anyway.
    readSide.ifPresent(ref -> system.scheduler().scheduleAtFixedRate(analyticsSettings.noticeInterval(),
        analyticsSettings.noticeInterval(), () -> analyticsNotices.send(written -> ref.tell(
            new AnalyticsReadSide.Written(written))), system.executionContext()));
    Optional<Analytics> analytics = readSide.map(ref -> new Analytics(system, ref, new MinuteRecorder(clock), view,
        clock, askTimeout));
    analytics.ifPresent(a -> system.scheduler().scheduleAtFixedRate(analyticsSettings.recordInterval(),
        analyticsSettings.recordInterval(), a::flushMinute, system.executionContext()));
    BillingReadPositions billingReader = new BillingReadPositions(sharding, view, askTimeout);
    List<ReadPositions> partitionReaders = new ArrayList<>(List.of(billingReader));
    analytics.ifPresent(partitionReaders::add);
    Counter deletedUnread = metrics.counter("tollgate_retention_unread_entries_deleted_total",
        "Partition journal entries topic retention deleted before a reader (billing, analytics) read them, "
            + "having waited tollgate.retention.max-reader-wait");
    RetentionReaders retentionReaders = new RetentionReaders(partitionReaders, () -> partitionJournals(view.catalog()),
        settings.topics().retention().checkInterval(), (unreadJournal, entries) -> deletedUnread.inc(entries));
    Consumer<PartitionAdvanced> meterPublishes = meteringPublishes(system, sharding, view, settings.billing());
    TopicPartition.initSharding(sharding, settings.topics(), clock, advanced -> {
      journalReads.announcements().tell(Topic.publish(advanced));
      meterPublishes.accept(advanced);
    }, topic ->
        view.catalog().topic(topic)
            .map(known -> Retention.of(known.retentionMillis(), known.retentionBytes(), topicDefault))
            .orElse(Retention.FOREVER), retentionReaders, currentJournal, dedupWindows);
    CatalogEntity.initSharding(sharding, settings.limits().catalog(), settings.catalogSnapshotEvery());
    PeriodScheme periods = settings.billing().periods();
    EventsByPersistenceIdQuery journal = PersistenceQuery.get(system)
        .getReadJournalFor(EventsByPersistenceIdQuery.class, settings.storage().queryPlugin());
    AccountBilling.Settings billingSettings = new AccountBilling.Settings(periods, settings.billing().grace(), askTimeout,
        settings.limits().maxAlertsPerAccount(), settings.trimming().snapshotEvery());
    AccountBilling.initSharding(sharding, view, currentJournal, clock, billingSettings, analyticsWritten,
        subscriptions.mustArrive());
    InvoiceNumbering.initSharding(sharding);
    BillingArchive.initSharding(sharding);
    PeriodCloser.start(system, sharding, view, clock, billingSettings, settings.billing().closeInterval());
    ActorRef<BillingWakeups.Message> billingWakeups = BillingWakeups.start(system, sharding, askTimeout);
    SubscriptionEntity.UsageListener wakeBilling = subscription -> view.catalog().subscription(subscription)
        .ifPresent(s -> billingWakeups.tell(new BillingWakeups.Woken(s.account(), subscription)));
    SubscriptionEntity.UsageListener billingUsage = settings.billing().eagerFeed() ? wakeBilling : subscription -> { };
    SubscriptionEntity.initSharding(sharding, clock, periods, subscription -> {
      billingUsage.usageRecorded(subscription);
      analyticsWritten.accept(SubscriptionEntity.persistenceId(subscription));
    }, settings.trimming().snapshotEvery());
    CompletionStage<Long> catalogVersion = ShardedAsk.ask(CatalogEntity.ref(sharding), CatalogEntity.GetVersion::new,
        CATALOG_VERSION_ATTEMPT, Duration.ofSeconds(60));
    view.start(system, journal, catalogVersion);

    Optional<JwtSettings> jwt = settings.jwt();
    Authenticator authenticator = new Authenticator(view, adminKey.secret(), clock,
        jwt.isEmpty() ? Optional.empty() : Optional.of(JwtVerifier.of(jwt.get())), view::hasCaughtUp);
    AuthThrottle throttle = new AuthThrottle(settings.authFailures(), clock,
        () -> analytics.ifPresent(a -> a.recorder().authFailed()));
    StrictJson eventData = new StrictJson(settings.publish().maxJsonDepth());
    RequestRules requests = new RequestRules(new StrictJson(settings.maxRequestJsonDepth()), settings.limits().fields(),
        settings.limits().maxRequestBytes());
    TopicSchemas schemas = new TopicSchemas(eventData, settings.schemas());
    PublishRates publishRates = new PublishRates(settings.publishRate(), clock);
    system.scheduler().scheduleAtFixedRate(FORGET_FULL_RATES, FORGET_FULL_RATES, publishRates::forgetFull,
        system.executionContext());
    Publisher publisher = new Publisher(sharding, view, schemas, settings.publish(), settings.limits().events(),
        settings.limits().fields(), publishRates,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(SCHEMA_VALIDATION_DISPATCHER)));
    OpenSessions sessions = new OpenSessions(view, clock, Cluster.get(system).selfMember().address().toString(),
        settings.sessionLimits());
    system.systemActorOf(SessionDirectory.create(sessions), "sessions", org.apache.pekko.actor.typed.Props.empty());
    Duration sessionCheck = settings.sessionCheckInterval();
    system.scheduler().scheduleAtFixedRate(sessionCheck, sessionCheck, sessions::endWhereDue, system.executionContext());
    StalledOutputs stalledStreams = new StalledOutputs(subscriptions.stallTimeout());
    system.scheduler().scheduleAtFixedRate(sessionCheck, sessionCheck, () -> {
      int aborted = stalledStreams.sweep(System.nanoTime());
      if (aborted > 0) {
        LOG.atInfo().addKeyValue("streams", aborted).addKeyValue("stall_timeout", subscriptions.stallTimeout())
            .log("streams aborted: their connections took no frame for the stall timeout");
      }
    }, system.executionContext());
    StreamSession streams = new StreamSession(system, sharding, tails, view, sessions, stalledStreams,
        new StreamSession.Settings(
        subscriptions.window(), subscriptions.maxBatch(), subscriptions.maxMessageBytes(),
        askTimeout, subscriptions.attachAttemptTimeout(), subscriptions.failoverWait(),
        subscriptions.eventStreamKeepAlive(), clock, periods,
        subscriptions.ackCommitMaxAcks(), subscriptions.ackCommitInterval()),
        metrics.deliveredEvents, metrics.counting(analytics.<DeliveryObserver>map(Analytics::recorder)
            .orElse(DeliveryObserver.NONE)));
    CatalogWriter catalogWriter = new CatalogWriter(sharding, view, clock, askTimeout);
    WebhookSettings webhookSettings = settings.webhooks();
    WebhookTargets webhookTargets = new WebhookTargets(webhookSettings.allowPrivateTargets(), WebhookTargets.Resolver.SYSTEM);
    Executor resolving = system.dispatchers().lookup(DispatcherSelector.blocking());
    Webhooks webhooks = new Webhooks(view, catalogWriter, sharding, webhookSettings, webhookTargets, resolving, clock,
        askTimeout, subscriptions.mustArrive());
    WebhookLedger.initSharding(sharding, webhookSettings, askTimeout);
    WebhookWorker.initSharding(sharding, new WebhookWorker.Parts(view, DeliveryFeed.of(streams),
        new WebhookClient(system, webhookSettings, webhookTargets, resolving), webhooks, webhooks, webhookSettings,
        clock));
    AdminApi admin = new AdminApi(view, catalogWriter, new Subscriptions(sharding, view, catalogWriter, askTimeout, clock, periods),
        sharding, schemas, requests, askTimeout, clock, webhooks);
    AtomicBoolean stopping = new AtomicBoolean();
    CompletableFuture<Void> caughtUp = view.caughtUp().toCompletableFuture();
    Supplier<Optional<String>> whyNotReady = () -> {
      if (stopping.get()) {
        return Optional.of("the node is stopping");
      }
      if (!caughtUp.isDone() || caughtUp.isCompletedExceptionally()) {
        return Optional.of("the node is starting: its catalog view has not caught up");
      }
      if (!store.available()) {
        return Optional.of("the node cannot reach its storage; publishes are answered storage_unavailable or "
            + "partition_overloaded until it answers again");
      }
      return Optional.empty();
    };
    ReadinessCheck.Readiness.ID.get(Adapter.toClassic(system)).set(() -> whyNotReady.get().isEmpty());
    BillingApi billing = new BillingApi(view, sharding, periods, clock, askTimeout, requests,
        settings.billing().issuer());
    CatalogApi catalogApi = new CatalogApi(view, settings.advertisedHost(), settings.http().hostPort(),
        jwt.map(JwtSettings::issuer), tls.isPresent());
    VerificationApi verification = new VerificationApi(new JournalReader(currentJournal, system), periods, view);
    ActorRef<AuditReadSide.Command> audit = AuditReadSide.start(system, view, currentJournal, clock, settings.audit(),
        new AuditReadSide.Listener() {
          @Override
          public void read(long entries) {
            auditEntriesRead.addAndGet(entries);
          }

          @Override
          public void held(AuditIndex.Held held) {
            auditHeld.set(held);
          }
        });
    List<ReadPositions> trimReaders = new ArrayList<>(List.of(billingReader));
    analytics.ifPresent(trimReaders::add);
    trimReaders.add(new AuditReadPositions(audit, system, askTimeout));
    Supplier<CompletionStage<Void>> catalogCaughtUp = () -> ShardedAsk.ask(CatalogEntity.ref(sharding),
        CatalogEntity.GetVersion::new, askTimeout, askTimeout.multipliedBy(3)).thenCompose(view::awaitVersion);
    trimReaders.add(new VerificationReadPositions(VerificationCopy.start(system, view, catalogCaughtUp, currentJournal),
        system, askTimeout));
    Counter trimmed = metrics.counter("tollgate_journal_entries_trimmed_total",
        "Journal entries deleted behind every reader, by journal kind (Subscription: usage, AccountBilling: billing)",
        "journal");
    JournalTrimmer.start(system, settings.trimming().interval(), () -> trimmedJournals(view.catalog()), trimReaders,
        LatestSnapshots.of(system), JournalDeletes.of(system),
        (trimmedJournal, entries) -> trimmed.labelValues(trimmedJournal.substring(0, trimmedJournal.indexOf('|')))
            .inc(entries));
    HttpApi api = new HttpApi(authenticator, throttle, view, admin, catalogApi, billing, verification,
        new AuditApi(audit, system, askTimeout),
        new SessionsApi(view, system, askTimeout), new PublishApi(publisher, metrics, eventData),
        new StreamsApi(view, streams, requests, new Seeks(sharding, currentJournal, system, askTimeout),
            new SubscriptionPreview(sharding, journalReads, askTimeout), clock, webSockets(system, subscriptions)),
        new AnalyticsApi(view, analytics, analyticsSettings), new WebhooksApi(view, webhooks, requests, clock),
        new AlertsApi(view, sharding, requests, clock, askTimeout), new ClusterApi(Cluster.get(system)), metrics, whyNotReady,
        settings.limits().fields(), settings.limits().requestBody());

    // Quiet HTTP connections are ended by one sweep for the node, not by a check a second on each
    // connection (IdleConnections); pekko.http.server.idle-timeout is its timeout.
    ConnectionWatch connectionWatch = new ConnectionWatch(quietConnections(system, sessionCheck));
    ServerBuilder httpServer = Http.get(system).newServerAt(settings.http().host(), settings.http().port())
        .adaptSettings(server -> connectionWatch.settings(
            server.withEnableHttp2(settings.http().speaksHttp2(tls.isPresent()))));
    ServerBinding http = tls.map(t -> httpServer.enableHttps(ConnectionContext.httpsServer(t::newEngine))).orElse(httpServer)
        .bind(connectionWatch.route(api.route()))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    TcpPublishServer tcpServer = new TcpPublishServer(system, authenticator, throttle, publisher, metrics,
        settings.tcp(), sessions, tls, clock);
    Tcp.ServerBinding tcp = tcpServer.bind().toCompletableFuture().get(30, TimeUnit.SECONDS);

    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    CompletableFuture<Done> stopped = new CompletableFuture<>();
    system.getWhenTerminated().thenAccept(stopped::complete);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "tollgate-not-ready", () -> {
      stopping.set(true);
      LOG.atInfo().addKeyValue("open_streams", sessions.size())
          .addKeyValue("reason", shutdown.getShutdownReason().map(Object::toString).orElse("unknown"))
          .log("node stopping");
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "tollgate-unbind", () ->
        http.unbind().thenCombine(tcp.unbind(), (a, b) -> Done.getInstance()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "tollgate-drain", () -> {
      sessions.endStreams(Ending.goingAway());
      tcpServer.drainConnections();
      return http.terminate(Duration.ofSeconds(10)).thenApply(terminated -> Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "tollgate-catalog-view", () -> {
      view.stop();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    long terminateTimeoutMillis = shutdown.timeout(CoordinatedShutdown.PhaseActorSystemTerminate()).toMillis();
    shutdown.addTask(CoordinatedShutdown.PhaseActorSystemTerminate(), "tollgate-stopped", () -> {
      CompletableFuture.delayedExecutor(terminateTimeoutMillis, TimeUnit.MILLISECONDS).execute(() -> {
        if (stopped.complete(Done.getInstance())) {
          LOG.atWarn().addKeyValue("timeout_ms", terminateTimeoutMillis)
              .log("the actor system did not terminate within its shutdown phase's timeout; the node stops anyway");
        }
      });
      return CompletableFuture.completedFuture(Done.getInstance());
    });

    caughtUp.get(60, TimeUnit.SECONDS);
    Platform.ensure(catalogWriter, view).toCompletableFuture().get(60, TimeUnit.SECONDS);
    webhooks.startWaking(system);
    InetSocketAddress httpAddress = http.localAddress();
    LOG.atInfo()
        .addKeyValue("http", (tls.isPresent() ? "https://" : "http://") + httpAddress.getHostString() + ":" + httpAddress.getPort())
        .addKeyValue("tcp", tcp.localAddress().getHostString() + ":" + tcp.localAddress().getPort())
        .addKeyValue("tls", tls.isEmpty() ? "off" : tls.get().requiresClientCertificates() ? "mutual" : "on")
        .addKeyValue("http2", settings.http().speaksHttp2(tls.isPresent()) ? (tls.isPresent() ? "h2" : "h2c") : "off")
        .addKeyValue("storage", settings.storage().journalPlugin())
        .addKeyValue("data_dir", settings.dataDir().toString())
        .addKeyValue("cluster", Cluster.get(system).selfMember().address().toString())
        .addKeyValue("management", management.toString())
        .log("tollgate node started");
    return new TollgateNode(system, settings, http, tcp, adminKey, management, api.endpoints(), view, stopped);
  }

  /**
   * The HTTP port's connections, swept for those quiet for {@code pekko.http.server.idle-timeout}
   * (with that infinite, none is ended for being quiet) every eighth of it, or every
   * {@code sessionCheck} if that is longer: a connection is ended between the timeout and an
   * eighth more, and the sweep, which looks at every connection, runs every 15 s by default.
   */
  private static IdleConnections quietConnections(ActorSystem<?> system, Duration sessionCheck) {
    scala.concurrent.duration.Duration idleTimeout =
        org.apache.pekko.http.javadsl.settings.ServerSettings.create(system.settings().config()).getTimeouts().idleTimeout();
    Duration timeout = idleTimeout.isFinite() ? Duration.ofNanos(idleTimeout.toNanos()) : Duration.ofNanos(Long.MAX_VALUE);
    IdleConnections connections = new IdleConnections(timeout);
    Duration eighth = timeout.dividedBy(8);
    Duration sweepInterval = eighth.compareTo(sessionCheck) > 0 ? eighth : sessionCheck;
    system.scheduler().scheduleAtFixedRate(sweepInterval, sweepInterval, () -> {
      int ended = connections.sweep(System.nanoTime());
      if (ended > 0) {
        LOG.atDebug().addKeyValue("connections", ended).addKeyValue("idle_timeout", idleTimeout)
            .log("HTTP connections ended: quiet for the idle timeout");
      }
    }, system.executionContext());
    return connections;
  }

  /**
   * How the stream endpoint's WebSocket connections run: their message limit, close timeout, and
   * keep-alives from Pekko HTTP's settings ({@code pekko.http.server.websocket.periodic-keep-alive-*}),
   * sent by one sweep of the node every half of the keep-alive interval.
   */
  private static WebSocketConnection.Settings webSockets(ActorSystem<?> system, NodeSettings.Subscriptions subscriptions) {
    WebSocketSettings server = org.apache.pekko.http.javadsl.settings.ServerSettings.create(system.settings().config())
        .getWebsocketSettings();
    KeepAlives keepAlives = new KeepAlives(server.periodicKeepAliveMaxIdle().isFinite()
        ? server.getPeriodicKeepAliveMaxIdle() : null);
    Duration sweep = keepAlives.sweepInterval();
    if (sweep != null) {
      system.scheduler().scheduleAtFixedRate(sweep, sweep, () -> keepAlives.sweep(System.nanoTime()),
          system.executionContext());
    }
    int keepAliveOpcode = server.periodicKeepAliveMode().equals("ping") ? Frame.PING : Frame.PONG;
    return new WebSocketConnection.Settings(subscriptions.maxMessageBytes(), keepAliveOpcode,
        subscriptions.webSocketCloseTimeout(), keepAlives);
  }

  /** What the journal trimmer trims: every account's billing journal and every subscription's usage journal. */
  private static List<String> trimmedJournals(Catalog catalog) {
    List<String> journals = new ArrayList<>();
    catalog.accounts().forEach(account -> journals.add(AccountBilling.persistenceId(account.id())));
    catalog.subscriptions().forEach(subscription -> journals.add(SubscriptionEntity.persistenceId(subscription.id())));
    return journals;
  }

  /**
   * Where this node's partitions hand each write's summary for publish metering: to the node's
   * {@link PublishFeed} with the eager feed on; with it off, nowhere (billing reads the journals
   * when a bill is read or a period closes).
   */
  private static Consumer<PartitionAdvanced> meteringPublishes(ActorSystem<?> system, ClusterSharding sharding,
                                                              CatalogView view, NodeSettings.Billing billing) {
    if (!billing.eagerFeed()) {
      return advanced -> { };
    }
    ActorRef<PublishFeed.Message> feed = PublishFeed.start(system, sharding, view, billing.publishFeedInterval());
    return advanced -> feed.tell(new PublishFeed.Wrote(advanced));
  }

  private static List<String> partitionJournals(Catalog catalog) {
    List<String> journals = new ArrayList<>();
    catalog.topics().forEach(topic -> topic.partitionRefs().forEach(partition -> journals.add(partition.persistenceId())));
    return journals;
  }

  private static void joinCluster(ActorSystem<?> system, Config config) {
    Cluster cluster = Cluster.get(system);
    List<String> seedNodes = NodeSettings.seedNodes(config);
    if (NodeSettings.kubernetes(config)) {
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

  /** This node's view of the catalog: what it restored from a snapshot and read from the journal since. */
  public CatalogView catalogView() {
    return catalogView;
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
    return settings.dataDir();
  }

  /** The settings the node started with. */
  public NodeSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Runs the same graceful shutdown as SIGTERM and waits for it. */
  public void stop() throws Exception {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * Completes when the node has stopped: its actor system terminated, or its coordinated shutdown
   * reached the last phase and the actor system's termination outlasted that phase's timeout (as
   * on a node downed while cut off from the others: remoting's flushes towards them can hold the
   * termination back indefinitely). A process then exits anyway, as Pekko's own {@code exit-jvm}
   * does, but with the status the caller gives it.
   */
  public CompletionStage<Done> whenStopped() {
    return stopped;
  }

  /**
   * Whether the node stopped because the cluster downed it (the Split Brain Resolver, on the
   * minority side of a partition), rather than by a signal or {@link #stop()}. Such a node must
   * be started again to rejoin, which is why {@code tollgate run} then exits with a status of its own.
   */
  public boolean downed() {
    return CoordinatedShutdown.get(system).getShutdownReason()
        .filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
  }
}
