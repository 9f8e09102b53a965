package io.tollgate.broker.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.analytics.AnalyticsSettings;
import io.tollgate.broker.audit.AuditIndex;
import io.tollgate.broker.auth.AuthThrottle;
import io.tollgate.broker.auth.JwtSettings;
import io.tollgate.broker.catalog.CatalogLimits;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.http.RequestBody;
import io.tollgate.broker.invoicing.InvoiceIssuer;
import io.tollgate.broker.session.OpenSessions;
import io.tollgate.broker.tcp.TcpPublishServer;
import io.tollgate.broker.tls.ServerTls;
import io.tollgate.broker.topic.DedupWindow;
import io.tollgate.broker.topic.EventLimits;
import io.tollgate.broker.topic.PublishRates;
import io.tollgate.broker.topic.Retention;
import io.tollgate.broker.topic.RetentionSegments;
import io.tollgate.broker.topic.Publisher;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.broker.topic.TopicSchemas;
import io.tollgate.broker.webhook.DeadLetterPolicy;
import io.tollgate.broker.webhook.RetryPolicy;
import io.tollgate.broker.webhook.SecretBox;
import io.tollgate.broker.webhook.WebhookSettings;
import java.security.SecureRandom;
import java.util.Base64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code tollgate} section of a node's configuration (reference.conf documents each key),
 * read once at start into the settings of the parts that use them. Nothing else in the broker
 * reads the configuration, so a missing, mistyped or out-of-range value stops the node at start
 * with the key's name, and each part is handed exactly what it uses.
 */
public record NodeSettings(
    Path dataDir,
    HttpEdge http,
    String advertisedHost,
    TcpPublishServer.Settings tcp,
    Publisher.Settings publish,
    TopicPartition.Settings topics,
    Subscriptions subscriptions,
    Billing billing,
    AuthThrottle.Settings authFailures,
    Optional<JwtSettings> jwt,
    int maxRequestJsonDepth,
    TopicSchemas.Limits schemas,
    Duration askTimeout,
    Duration sessionCheckInterval,
    OpenSessions.Limits sessionLimits,
    PublishRates.Settings publishRate,
    Storage storage,
    Optional<ServerTls.Settings> tls,
    Limits limits,
    AnalyticsSettings analytics, WebhookSettings webhooks,
    int catalogSnapshotEvery,
    Trimming trimming,
    AuditIndex.Limits audit) {

  /**
   * {@code tollgate.retention}: how often usage and billing journals are trimmed behind their
   * readers, and how often subscriptions and billing accounts save the snapshot no trim passes.
   */
  public record Trimming(Duration interval, int snapshotEvery) {}

  /**
   * {@code tollgate.limits}: the longest strings a request may carry, the longest attributes of an
   * event, how much of the catalog one account may hold, and the longest management request.
   */
  public record Limits(FieldLengths fields, EventLimits events, CatalogLimits catalog, int maxRequestBytes,
                       int maxAlertsPerAccount, RequestBody requestBody) {}

  /**
   * {@code tollgate.http}: where the HTTP edge listens, and whether it also speaks HTTP/2 next to
   * HTTP/1.1: h2 chosen by ALPN under TLS ({@code http2}), and on plaintext only when {@code h2c}
   * is on as well.
   */
  public record HttpEdge(String host, int port, boolean http2, boolean h2c) {
    public String hostPort() {
      return host + ":" + port;
    }

    /** Whether the port takes HTTP/2, given whether it is under TLS. */
    public boolean speaksHttp2(boolean tls) {
      return http2 && (tls || h2c);
    }
  }

  /**
   * {@code tollgate.subscriptions}: how streams read, batch and acknowledge. {@code failoverWait}
   * is how long a stream's attach and its ack commits wait for the subscription's entity
   * ({@link #failoverWait(Config, Duration)}).
   */
  public record Subscriptions(int window, int maxBatch, Duration fallbackPoll, int maxEntriesPerRead,
                              int maxBytesPerRead, Duration attachAttemptTimeout, int maxMessageBytes,
                              Duration eventStreamKeepAlive, int tailBytes, long tailsMaxHeapBytes, int ackCommitMaxAcks,
                              Duration ackCommitInterval, Duration stallTimeout, Duration webSocketCloseTimeout,
                              Duration failoverWait) {
    /**
     * How a message that must reach a sharded entity is sent again: after the attach's attempt
     * timeout, then twice that, until the failover wait, as a stream's attach and ack commits are.
     */
    public ShardedAsk.Patience mustArrive() {
      return new ShardedAsk.Patience(attachAttemptTimeout, attachAttemptTimeout.multipliedBy(2), failoverWait);
    }
  }

  /** {@code tollgate.billing}: periods, and when and how often they close. */
  public record Billing(PeriodScheme periods, Duration grace, Duration closeInterval, boolean eagerFeed,
                        Duration publishFeedInterval, InvoiceIssuer issuer) {}

  /** {@code tollgate.cluster.tls}: the PEM files Artery's TLS transport reads. */
  public record ClusterTls(Path certFile, Path keyFile, Path caFile) {}

  /**
   * The persistence plugins of the storage profile the node was configured with, and how the
   * node probes that its store answers (on Cassandra; the embedded store is in the process).
   */
  public record Storage(String journalPlugin, String queryPlugin, Duration probeInterval, int probeFailures) {
    public boolean onCassandra() {
      return journalPlugin.startsWith("pekko.persistence.cassandra.");
    }
  }

  public static NodeSettings from(Config config) {
    Config t = config.getConfig("tollgate");
    Duration askTimeout = positive(t, "ask-timeout");
    NodeSettings settings = new NodeSettings(
        dataDir(config),
        httpEdge(t),
        t.getString("http.advertised-host"),
        new TcpPublishServer.Settings(t.getString("tcp.host"), port(t, "tcp.port"),
            bytes(t, "tcp.max-frame-bytes"), atLeastOne(t, "tcp.max-in-flight-per-connection"),
            atLeastOne(t, "tcp.max-connections"), positive(t, "tcp.auth-timeout"), positive(t, "tcp.idle-timeout"),
            positive(t, "tcp.frame-timeout")),
        new Publisher.Settings(bytes(t, "limits.max-event-bytes"), atLeastOne(t, "limits.max-events-per-publish"),
            atLeastOne(t, "limits.max-json-depth"), askTimeout, positive(t, "topics.append-attempt-timeout")),
        new TopicPartition.Settings(dedup(t, askTimeout), atLeastOne(t, "topics.snapshot-every"),
            atLeastOne(t, "topics.max-pending-events"), bytes(t, "topics.max-pending-bytes"),
            bytes(t, "topics.max-entry-bytes"), maxAppendWait(t), retention(t)),
        new Subscriptions(atLeastOne(t, "subscriptions.window"), atLeastOne(t, "subscriptions.max-batch"),
            positive(t, "subscriptions.fallback-poll"), atLeastOne(t, "subscriptions.max-entries-per-read"),
            bytes(t, "subscriptions.max-bytes-per-read"), positive(t, "subscriptions.attach-attempt-timeout"), bytes(t, "subscriptions.max-message-bytes"),
            positive(t, "subscriptions.event-stream-keep-alive"), bytes(t, "subscriptions.tail-bytes"),
            heapShare(t, "subscriptions.tails-max-heap", Runtime.getRuntime().maxMemory()),
            atLeastOne(t, "subscriptions.ack-commit.max-acks"), positive(t, "subscriptions.ack-commit.interval"),
            positive(t, "subscriptions.stall-timeout"),
            positive(t, "subscriptions.websocket-close-timeout"), failoverWait(config, askTimeout)),
        new Billing(periods(t), notNegative(t, "billing.grace"), positive(t, "billing.close-interval"),
            t.getBoolean("billing.eager-feed"), positive(t, "billing.publish-feed-interval"), new InvoiceIssuer(t.getString("billing.issuer.name"),
                t.getString("billing.issuer.address"), t.getString("billing.issuer.tax-id"),
                notNegative(t, "billing.payment-terms"))),
        new AuthThrottle.Settings(atLeastOne(t, "auth.failures.allowed"), positive(t, "auth.failures.window"),
            positive(t, "auth.failures.first-delay"), positive(t, "auth.failures.max-delay"),
            atLeastOne(t, "auth.failures.max-sources")),
        jwt(t),
        atLeastOne(t, "limits.max-request-json-depth"),
        new TopicSchemas.Limits(bytes(t, "limits.max-schema-bytes"), atLeastOne(t, "limits.validation-steps.min"),
            atLeastOne(t, "limits.validation-steps.per-byte")),
        askTimeout,
        positive(t, "sessions.check-interval"),
        new OpenSessions.Limits(atLeastOne(t, "sessions.max-per-account"), atLeastOne(t, "sessions.max-per-address")),
        new PublishRates.Settings(atLeastOne(t, "publish-rate.events-per-second"),
            bytes(t, "publish-rate.bytes-per-second"), positive(t, "publish-rate.burst")),
        new Storage(config.getString("pekko.persistence.journal.plugin"), t.getString("storage.query-plugin"),
            positive(t, "storage.probe-interval"), between(t, "storage.unavailable-after-failures", 1, 1000)),
        tls(t),
        limits(config, t),
        new AnalyticsSettings(t.getBoolean("analytics.enabled"), positive(t, "analytics.read-interval"),
            atLeastOne(t, "analytics.max-entries-per-journal"), positive(t, "analytics.full-sweep-every"),
            positive(t, "analytics.notice-interval"), positive(t, "analytics.record-interval"),
            positive(t, "analytics.max-range"), between(t, "analytics.max-buckets", 1, 1_000_000),
            between(t, "analytics.max-metric-keys", 0, 100_000)),
        webhooks(t),
        between(t, "catalog.snapshot-every", 1, 10_000_000),
        new Trimming(positive(t, "retention.trim-interval"), between(t, "retention.snapshot-every", 1, 10_000_000)),
        audit(t));
    clusterTls(config).ifPresent(cluster -> {
      readable(t, "cluster.tls.cert-file", cluster.certFile());
      readable(t, "cluster.tls.key-file", cluster.keyFile());
      readable(t, "cluster.tls.ca-file", cluster.caFile());
    });
    return settings;
  }

  private static WebhookSettings webhooks(Config t) {
    int maxBatch = between(t, "webhooks.max-batch-size", 1, 10_000);
    int maxConcurrency = between(t, "webhooks.max-concurrency", 1, 256);
    Duration firstRetry = positive(t, "webhooks.retry.first");
    Duration maxRetry = positive(t, "webhooks.retry.max");
    if (maxRetry.compareTo(firstRetry) < 0) {
      throw bad(t, "webhooks.retry.max", "at least tollgate.webhooks.retry.first");
    }
    double jitter = t.getDouble("webhooks.retry.jitter");
    if (jitter < 0 || jitter > 1) {
      throw bad(t, "webhooks.retry.jitter", "a fraction from 0 to 1");
    }
    return new WebhookSettings(secretKey(t), t.getBoolean("webhooks.allow-private-targets"),
        between(t, "webhooks.batch-size", 1, maxBatch), maxBatch,
        between(t, "webhooks.concurrency", 1, maxConcurrency), maxConcurrency,
        positive(t, "webhooks.connect-timeout"), positive(t, "webhooks.request-timeout"),
        positive(t, "webhooks.body-timeout"), between(t, "webhooks.max-excerpt-bytes", 1, 65_536),
        new RetryPolicy(firstRetry, maxRetry, jitter, positive(t, "webhooks.disable-after")),
        atLeastOne(t, "webhooks.breaker.failures"), positive(t, "webhooks.breaker.reset"),
        notNegative(t, "webhooks.secret-overlap"), between(t, "webhooks.attempt-log-size", 1, 100_000),
        positive(t, "webhooks.attempt-log-interval"),
        positive(t, "webhooks.wake-every"), positive(t, "webhooks.linger"),
        new WebhookSettings.DeadLetters(new DeadLetterPolicy(t.getBoolean("webhooks.dead-letters.enabled"),
            deadLetterAfter(t), between(t, "webhooks.dead-letters.after-attempts", 0, DeadLetterPolicy.MAX_AFTER_ATTEMPTS)),
            between(t, "webhooks.dead-letters.max-count", 1, 1_000_000),
            deadLetterBytes(t)));
  }

  /** Positive, and at most {@link DeadLetterPolicy#MAX_AFTER}, the bound a subscription's own policy has too. */
  private static Duration deadLetterAfter(Config t) {
    Duration after = positive(t, "webhooks.dead-letters.after");
    if (after.compareTo(DeadLetterPolicy.MAX_AFTER) > 0) {
      throw bad(t, "webhooks.dead-letters.after", "a positive duration of at most " + DeadLetterPolicy.MAX_AFTER.toDays()
          + " days");
    }
    return after;
  }

  /**
   * At most 8 MiB: a ledger's snapshot holds all its dead letters (and its attempts) in one write,
   * which Cassandra refuses above half its commit log segment (16 MB by default).
   */
  private static long deadLetterBytes(Config t) {
    long value = t.getBytes("webhooks.dead-letters.max-bytes");
    if (value < 1 || value > 8L << 20) {
      throw bad(t, "webhooks.dead-letters.max-bytes", "a size from 1 byte to 8 MiB");
    }
    return value;
  }

  /**
   * {@code tollgate.audit}: a retention from an hour to a hundred years, and a byte cap from 1 MiB
   * to 8 MiB, since the audit read side's snapshot holds every entry kept in one write, which
   * Cassandra refuses above half its commit log segment (16 MB by default).
   */
  private static AuditIndex.Limits audit(Config t) {
    Duration retention = t.getDuration("audit.retention");
    if (retention.compareTo(Duration.ofHours(1)) < 0 || retention.compareTo(MAX_AUDIT_RETENTION) > 0) {
      throw bad(t, "audit.retention", "a duration from 1h to " + MAX_AUDIT_RETENTION.toDays() + "d");
    }
    long maxBytes = t.getBytes("audit.max-bytes");
    if (maxBytes < 1L << 20 || maxBytes > 8L << 20) {
      throw bad(t, "audit.max-bytes", "a size from 1 MiB to 8 MiB");
    }
    return new AuditIndex.Limits(retention, maxBytes);
  }

  private static final Duration MAX_AUDIT_RETENTION = Duration.ofDays(36_500);

  /** The key webhook secrets are encrypted under: the base64 of 32 bytes, or empty for none. */
  private static Optional<SecretBox> secretKey(Config t) {
    String given = t.getString("webhooks.secret-key").trim();
    if (given.isEmpty()) {
      return Optional.empty();
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(given);
    } catch (IllegalArgumentException e) {
      throw bad(t, "webhooks.secret-key", "the base64 of " + SecretBox.KEY_BYTES + " random bytes");
    }
    if (key.length != SecretBox.KEY_BYTES) {
      throw bad(t, "webhooks.secret-key", "the base64 of " + SecretBox.KEY_BYTES + " random bytes, not " + key.length);
    }
    return Optional.of(new SecretBox(key, new SecureRandom()));
  }

  private static TopicPartition.RetentionSettings retention(Config t) {
    Optional<Duration> time = isForever(t, "topics.retention.time") ? Optional.empty()
        : Optional.of(positive(t, "topics.retention.time"));
    OptionalLong bytes = isForever(t, "topics.retention.bytes") ? OptionalLong.empty()
        : OptionalLong.of(longBytes(t, "topics.retention.bytes"));
    return new TopicPartition.RetentionSettings(new Retention(time, bytes),
        new RetentionSegments.Shape(longBytes(t, "topics.retention.segment-bytes"),
            positive(t, "topics.retention.segment-span")),
        positive(t, "topics.retention.check-interval"), positive(t, "retention.max-reader-wait"));
  }

  /**
   * How long a stream's handshake (its attach) and its ack commits wait for the subscription's
   * entity: the time the cluster takes to down a dead node and start its shards elsewhere, plus
   * {@code subscriptions.failover-margin} for the shard to start and the entity to recover, and
   * never less than {@code ask-timeout}. While a node that died is not yet downed, its shards
   * have no home: the failure detector's pause, then the Split Brain Resolver's
   * {@code stable-after}, then the shard coordinator's removal margin (Pekko's
   * {@code down-removal-margin}, which is {@code stable-after} when off). A consumer whose stream
   * broke with that node reconnects at once; waiting this long makes its first reconnect succeed.
   */
  private static Duration failoverWait(Config config, Duration askTimeout) {
    Duration heartbeatPause = config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause");
    Duration stableAfter = config.getDuration("pekko.cluster.split-brain-resolver.stable-after");
    Duration removalMargin = config.getString("pekko.cluster.down-removal-margin").equalsIgnoreCase("off")
        ? stableAfter : config.getDuration("pekko.cluster.down-removal-margin");
    Duration downed = heartbeatPause.plus(stableAfter).plus(removalMargin)
        .plus(positive(config.getConfig("tollgate"), "subscriptions.failover-margin"));
    return downed.compareTo(askTimeout) > 0 ? downed : askTimeout;
  }

  /** The window must outlast the node's own retries of an append (Publisher), which end at ask-timeout. */
  private static DedupWindow.Settings dedup(Config t, Duration askTimeout) {
    Duration window = positive(t, "topics.dedup.window");
    if (window.compareTo(askTimeout) < 0) {
      throw bad(t, "topics.dedup.window", "at least tollgate.ask-timeout (" + askTimeout + ")");
    }
    long maxBytes = longBytes(t, "topics.dedup.max-bytes");
    if (maxBytes < MIN_DEDUP_BYTES) {
      throw bad(t, "topics.dedup.max-bytes", "a size of at least 1MiB");
    }
    return new DedupWindow.Settings(window, maxBytes);
  }

  private static final long MIN_DEDUP_BYTES = 1024 * 1024;

  private static boolean isForever(Config t, String path) {
    return t.getValue(path).valueType() == ConfigValueType.STRING
        && "forever".equals(t.getString(path));
  }

  private static long longBytes(Config t, String path) {
    long value = t.getBytes(path);
    if (value < 1) {
      throw bad(t, path, "a size of at least 1 byte, or \"forever\" where allowed");
    }
    return value;
  }

  private static Limits limits(Config config, Config t) {
    return new Limits(
        new FieldLengths(length(t, "limits.max-id-length"), length(t, "limits.max-name-length"),
            length(t, "limits.max-description-length"), length(t, "limits.max-text-length"),
            length(t, "limits.max-filter-length")),
        new EventLimits(length(t, "limits.max-event-id-length"), length(t, "limits.max-event-source-length"),
            length(t, "limits.max-event-type-length"), length(t, "limits.max-event-subject-length"),
            length(t, "limits.max-event-attribute-length"), count(t, "limits.max-extensions")),
        new CatalogLimits(count(t, "limits.catalog.max-domains-per-account"), count(t, "limits.catalog.max-topics-per-account"),
            count(t, "limits.catalog.max-products-per-account"), count(t, "limits.catalog.max-plans-per-account"),
            count(t, "limits.catalog.max-keys-per-account"), count(t, "limits.catalog.max-subscriptions-per-account"),
            count(t, "limits.catalog.max-topics-per-product"), count(t, "limits.catalog.max-plans-per-product"),
            count(t, "limits.catalog.max-partitions-per-product"), count(t, "limits.catalog.max-schema-versions-per-topic"),
            count(t, "limits.catalog.max-plan-changes-per-subscription"), count(t, "limits.catalog.max-resources-per-key"),
            bytes(t, "limits.catalog.max-bytes-per-account")),
        bytes(t, "limits.max-request-bytes"), between(t, "limits.max-alerts-per-account", 1, 10_000),
        new RequestBody(config.getBytes("pekko.http.server.parsing.max-content-length"),
            bytes(t, "limits.refused-body-drain-bytes")));
  }

  /** A string's longest length: at least 1, at most 1,048,576 (more would be a body, not a field). */
  private static int length(Config t, String path) {
    return between(t, path, 1, 1 << 20);
  }

  /** A count of objects: at least 1 (none would forbid the kind), at most 10,000,000. */
  private static int count(Config t, String path) {
    return between(t, path, 1, 10_000_000);
  }

  private static int between(Config t, String path, int min, int max) {
    int value = t.getInt(path);
    if (value < min || value > max) {
      throw bad(t, path, "from " + min + " to " + max);
    }
    return value;
  }

  /** TLS on the HTTP and TCP edges when a certificate and a key are given; plaintext when neither is. */
  private static Optional<ServerTls.Settings> tls(Config t) {
    Optional<Path> cert = file(t, "tls.cert-file");
    Optional<Path> key = file(t, "tls.key-file");
    Optional<Path> clientCa = file(t, "tls.client-ca-file");
    if (cert.isPresent() != key.isPresent()) {
      throw bad(t, cert.isPresent() ? "tls.key-file" : "tls.cert-file", "set together with tollgate.tls."
          + (cert.isPresent() ? "cert-file" : "key-file"));
    }
    if (clientCa.isPresent() && cert.isEmpty()) {
      throw bad(t, "tls.client-ca-file", "set only with tollgate.tls.cert-file and key-file (client certificates need TLS)");
    }
    return cert.map(c -> new ServerTls.Settings(c, key.get(), clientCa));
  }

  /**
   * TLS between cluster nodes when all three files are given; read before the profiles are
   * layered, from the configuration with the chosen profile, so a profile can turn it on. The
   * files are checked at start ({@link #from}), not here: a profile names them before they exist.
   */
  static Optional<ClusterTls> clusterTls(Config config) {
    Config t = config.getConfig("tollgate");
    List<Optional<Path>> files = List.of(path(t, "cluster.tls.cert-file"), path(t, "cluster.tls.key-file"),
        path(t, "cluster.tls.ca-file"));
    long given = files.stream().filter(Optional::isPresent).count();
    if (given == 0) {
      return Optional.empty();
    }
    if (given < files.size()) {
      throw bad(t, "cluster.tls", "all of cert-file, key-file and ca-file, or none of them");
    }
    return Optional.of(new ClusterTls(files.get(0).get(), files.get(1).get(), files.get(2).get()));
  }

  /** A readable file, or empty for the empty string. */
  private static Optional<Path> file(Config t, String path) {
    return path(t, path).map(file -> readable(t, path, file));
  }

  private static Optional<Path> path(Config t, String path) {
    String value = t.getString(path);
    return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value).toAbsolutePath());
  }

  private static Path readable(Config t, String path, Path file) {
    if (!Files.isReadable(file)) {
      throw bad(t, path, "a readable file; " + file + " is not");
    }
    return file;
  }

  /**
   * Whether the configuration asks for a cluster of more than this node (seed nodes or
   * discovery); read before the profiles are chosen, so from the unresolved configuration.
   */
  static boolean clustered(Config config) {
    return kubernetes(config) || !seedNodes(config).isEmpty();
  }

  static boolean onCassandra(Config config) {
    return config.hasPath("tollgate.cassandra.contact-points")
        && !config.getStringList("tollgate.cassandra.contact-points").isEmpty();
  }

  static Path dataDir(Config config) {
    return Path.of(config.getString("tollgate.data-dir")).toAbsolutePath();
  }

  static boolean kubernetes(Config config) {
    return config.getString("tollgate.cluster.discovery").equals("kubernetes");
  }

  static List<String> seedNodes(Config config) {
    return config.getStringList("tollgate.seed-nodes");
  }

  private static PeriodScheme periods(Config t) {
    try {
      return PeriodScheme.parse(t.getString("billing.period"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(t.origin(), "tollgate.billing.period", e.getMessage(), e);
    }
  }

  private static Optional<JwtSettings> jwt(Config t) {
    try {
      return JwtSettings.fromConfig(t.getConfig("auth.jwt"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(t.origin(), "tollgate.auth.jwt", e.getMessage(), e);
    }
  }

  private static HttpEdge httpEdge(Config t) {
    boolean http2 = t.getBoolean("http.http2");
    boolean h2c = t.getBoolean("http.h2c");
    if (h2c && !http2) {
      throw bad(t, "http.h2c", "off while tollgate.http.http2 is off (h2c is HTTP/2 without TLS)");
    }
    return new HttpEdge(t.getString("http.host"), port(t, "http.port"), http2, h2c);
  }

  private static int port(Config t, String path) {
    int port = t.getInt(path);
    if (port < 0 || port > 65_535) {
      throw bad(t, path, "a port from 0 (any free port) to 65535");
    }
    return port;
  }

  private static int atLeastOne(Config t, String path) {
    int value = t.getInt(path);
    if (value < 1) {
      throw bad(t, path, "at least 1");
    }
    return value;
  }

  private static int bytes(Config t, String path) {
    long value = t.getBytes(path);
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw bad(t, path, "a size from 1 byte to 2 GiB");
    }
    return (int) value;
  }

  private static final long MIN_HEAP_SHARE = 64 * 1024;

  /**
   * A part of the JVM's heap: a percentage of its maximum ({@code -Xmx}), from 1% to 90%, or a
   * size from 64 KiB to that maximum.
   */
  static long heapShare(Config t, String path, long maxHeap) {
    String value = t.getString(path).trim();
    String expected = "a percentage of the heap from 1% to 90%, or a size from 64KiB to the heap's maximum ("
        + maxHeap + " bytes)";
    if (value.endsWith("%")) {
      double percent;
      try {
        percent = Double.parseDouble(value.substring(0, value.length() - 1).trim());
      } catch (NumberFormatException e) {
        throw bad(t, path, expected);
      }
      if (!(percent >= 1 && percent <= 90)) {
        throw bad(t, path, expected);
      }
      return (long) (maxHeap * percent / 100);
    }
    long bytes;
    try {
      bytes = t.getBytes(path);
    } catch (ConfigException.BadValue e) {
      throw bad(t, path, expected);
    }
    if (bytes < MIN_HEAP_SHARE || bytes > maxHeap) {
      throw bad(t, path, expected);
    }
    return bytes;
  }

  private static Duration positive(Config t, String path) {
    Duration value = t.getDuration(path);
    if (value.isNegative() || value.isZero()) {
      throw bad(t, path, "a duration longer than zero");
    }
    return value;
  }

  /** Shorter than the publisher's attempt, so that an overloaded partition answers before an append is sent again. */
  private static Duration maxAppendWait(Config t) {
    Duration wait = positive(t, "topics.max-append-wait");
    if (wait.compareTo(t.getDuration("topics.append-attempt-timeout")) >= 0) {
      throw bad(t, "topics.max-append-wait", "shorter than tollgate.topics.append-attempt-timeout");
    }
    return wait;
  }

  private static Duration notNegative(Config t, String path) {
    Duration value = t.getDuration(path);
    if (value.isNegative()) {
      throw bad(t, path, "a duration of zero or more");
    }
    return value;
  }

  private static ConfigException bad(Config t, String path, String expected) {
    return new ConfigException.BadValue(t.origin(), "tollgate." + path, "must be " + expected);
  }
}
