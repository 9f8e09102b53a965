package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.analytics.AnalyticsSettings;
import io.tollgate.broker.audit.AuditIndex;
import io.tollgate.broker.tls.ServerTls;
import io.tollgate.broker.topic.Retention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeSettingsTest {
  private static NodeSettings read(String overrides) {
    return NodeSettings.from(TollgateNode.configure(ConfigFactory.parseString(overrides)));
  }

  @Test
  void theDefaultsAreReferenceConfsValues() {
    NodeSettings settings = read("");
    assertEquals(8080, settings.http().port());
    assertEquals(7070, settings.tcp().port());
    assertEquals(4 * 1024 * 1024, settings.tcp().maxFrameBytes());
    assertEquals(4 * 1024 * 1024, settings.topics().maxEntryBytes());
    assertEquals(64 * 1024, settings.subscriptions().maxMessageBytes());
    assertEquals(Duration.ofSeconds(15), settings.subscriptions().eventStreamKeepAlive());
    assertEquals(Duration.ofSeconds(120), settings.subscriptions().stallTimeout());
    assertEquals(Duration.ofSeconds(10), settings.askTimeout());
    assertEquals(Duration.ofHours(1), settings.billing().grace());
    assertTrue(settings.jwt().isEmpty(), "no JWKS, no tokens");
    assertEquals("tollgate.persistence.rocksdb.query", settings.storage().queryPlugin());
  }

  @Test
  void pekkoHttpClosesQuietConnectionsAndSendsAQuietWebSocketAPongEveryFifteenSeconds() {
    Config config = TollgateNode.configure(ConfigFactory.empty());
    assertEquals(Duration.ofSeconds(120), config.getDuration("pekko.http.server.idle-timeout"),
        "a hostile client must not hold quiet HTTP connections open for ever");
    assertEquals(Duration.ofSeconds(15), config.getDuration("pekko.http.server.websocket.periodic-keep-alive-max-idle"));
    assertEquals("pong", config.getString("pekko.http.server.websocket.periodic-keep-alive-mode"),
        "a heartbeat no client answers: reading the answers to pings was most of what keep-alives cost");
    assertTrue(config.getBoolean("pekko.http.server.socket-options.tcp-keep-alive"), "TCP notices a quiet peer that is gone");
  }

  @Test
  void theConnectionRateTimeoutAndBufferLimitsDefaultAboveTheDataPathTargets() {
    NodeSettings settings = read("");
    assertEquals(new io.tollgate.broker.session.OpenSessions.Limits(20_000, 20_000), settings.sessionLimits(),
        "10,000 idle streams of one account from one address, and its TCP connections, fit");
    assertEquals(new io.tollgate.broker.topic.PublishRates.Settings(500_000, 256L * 1024 * 1024, Duration.ofSeconds(1)),
        settings.publishRate(), "above the 220,000 events of 256 bytes a second one node is to take");
    assertEquals(Duration.ofMinutes(5), settings.tcp().idleTimeout());
    assertEquals(Duration.ofSeconds(30), settings.tcp().frameTimeout());
    assertEquals(1024 * 1024, settings.subscriptions().maxBytesPerRead());
    assertEquals(4 * 1024 * 1024, settings.subscriptions().tailBytes());
    assertEquals(64L * 1024 * 1024, settings.topics().maxPendingBytes());
    assertEquals(Duration.ofSeconds(1), settings.topics().maxAppendWait(),
        "an overloaded partition answers before the publisher's 2 s attempt runs out");
  }

  @Test
  void theTailsShareATenthOfTheHeapByDefaultOrAPercentageOrASizeGiven() {
    assertEquals(Runtime.getRuntime().maxMemory() / 10.0, read("").subscriptions().tailsMaxHeapBytes(), 1.0);
    Config t = ConfigFactory.parseString("a = \"25%\", b = 256MiB, c = 2GiB");
    long gib = 1024L * 1024 * 1024;
    assertEquals(gib / 4, NodeSettings.heapShare(t, "a", gib));
    assertEquals(256L * 1024 * 1024, NodeSettings.heapShare(t, "b", gib));
    ConfigException refused = assertThrows(ConfigException.class, () -> NodeSettings.heapShare(t, "c", gib));
    assertTrue(refused.getMessage().contains("to the heap's maximum (1073741824 bytes)"), refused.getMessage());
  }

  @Test
  void deduplicationIsStatedByTimeTenMinutesByDefaultAndCappedInBytes() {
    assertEquals(new io.tollgate.broker.topic.DedupWindow.Settings(Duration.ofMinutes(10), 16L * 1024 * 1024),
        read("").topics().dedup());
    assertEquals(new io.tollgate.broker.topic.DedupWindow.Settings(Duration.ofHours(1), 1024L * 1024 * 1024),
        read("tollgate.topics.dedup { window = 1h, max-bytes = 1GiB }").topics().dedup());
  }

  @Test
  void withoutAWebhookKeyANodeHasNoSecretBoxAndPrivateTargetsAreRefusedByDefault() {
    NodeSettings settings = read("");
    assertTrue(settings.webhooks().secrets().isEmpty());
    assertTrue(!settings.webhooks().allowPrivateTargets());
    assertEquals(100, settings.webhooks().batchSize());
    assertFalse(settings.webhooks().deadLetters().policy().enabled(), "a failing batch holds its lane by default");
    assertTrue(read("tollgate.webhooks.secret-key = \"" + java.util.Base64.getEncoder().encodeToString(new byte[32])
        + "\"").webhooks().secrets().isPresent());
  }

  @Test
  void http2IsOnUnderTlsAndOnPlaintextOnlyWithH2c() {
    NodeSettings.HttpEdge defaults = read("").http();
    assertTrue(defaults.speaksHttp2(true), "h2 by ALPN under TLS");
    assertTrue(!defaults.speaksHttp2(false), "no h2c unless asked for");
    assertTrue(read("tollgate.http.h2c = on").http().speaksHttp2(false));
    NodeSettings.HttpEdge off = read("tollgate.http.http2 = off").http();
    assertTrue(!off.speaksHttp2(true) && !off.speaksHttp2(false));
    ConfigException refused = assertThrows(ConfigException.class,
        () -> read("tollgate.http.http2 = off\ntollgate.http.h2c = on"));
    assertTrue(refused.getMessage().contains("http.h2c"), refused.getMessage());
  }

  @Test
  void theAuditLogKeepsFourHundredDaysWithinEightMebibytesByDefault() {
    assertEquals(new AuditIndex.Limits(Duration.ofDays(400), 8L << 20), read("").audit());
    assertEquals(new AuditIndex.Limits(Duration.ofDays(90), 1L << 20),
        read("tollgate.audit { retention = 90d, max-bytes = 1MiB }").audit());
  }

  @Test
  void theCatalogIsSnapshottedEveryThousandChangesByDefault() {
    assertEquals(1000, read("").catalogSnapshotEvery());
    assertEquals(50, read("tollgate.catalog.snapshot-every = 50").catalogSnapshotEvery());
  }

  @Test
  void topicsKeepEverythingUnlessTheNodeSetsADefaultRetention() {
    assertEquals(Retention.FOREVER, read("").topics().retention().topicDefault());
    assertEquals(new Retention(Optional.of(Duration.ofDays(7)), OptionalLong.of(1L << 30)),
        read("tollgate.topics.retention { time = 7d, bytes = 1GiB }").topics().retention().topicDefault());
  }

  @Test
  void journalsAreTrimmedEveryTenMinutesAndRetentionWaitsAWeekForAStuckReader() {
    NodeSettings defaults = read("");
    assertEquals(new NodeSettings.Trimming(Duration.ofMinutes(10), 1000), defaults.trimming());
    assertEquals(Duration.ofDays(7), defaults.topics().retention().maxReaderWait());
  }

  @Test
  void aFlagOverridesTheFileAndTheFileTheDefault() {
    NodeSettings settings = NodeSettings.from(TollgateNode.configure(ConfigFactory.parseString("tollgate.http.port = 9001")
        .withFallback(ConfigFactory.parseString("tollgate.http.port = 9000\ntollgate.tcp.port = 7001"))));
    assertEquals(9001, settings.http().port());
    assertEquals(7001, settings.tcp().port());
  }

  @Test
  void theCassandraProfileReadsThroughCassandrasQueryPlugin() {
    assertEquals("pekko.persistence.cassandra.query",
        read("tollgate.cassandra.contact-points = [\"127.0.0.1:9042\"]").storage().queryPlugin());
  }

  @Test
  void onlyTheCassandraProfileIsProbedAndTwoFailedProbesInARowMakeItUnavailable() {
    NodeSettings.Storage cassandra = read("tollgate.cassandra.contact-points = [\"127.0.0.1:9042\"]").storage();
    assertTrue(cassandra.onCassandra());
    assertEquals(Duration.ofSeconds(1), cassandra.probeInterval());
    assertEquals(2, cassandra.probeFailures());
    assertFalse(read("").storage().onCassandra(), "the embedded store is in the process");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "tollgate.billing.grace | -1s",
      "tollgate.ask-timeout | 0s",
      "tollgate.http.port | 70000",
      "tollgate.subscriptions.window | 0",
      "tollgate.topics.max-entry-bytes | 0",
      "tollgate.billing.period | fortnightly",
      "tollgate.tcp.auth-timeout | soon",
      "tollgate.tcp.idle-timeout | 0s",
      "tollgate.tcp.frame-timeout | -1s",
      "tollgate.sessions.max-per-account | 0",
      "tollgate.catalog.snapshot-every | 0",
      "tollgate.sessions.max-per-address | -5",
      "tollgate.publish-rate.events-per-second | 0",
      "tollgate.publish-rate.bytes-per-second | 0",
      "tollgate.publish-rate.burst | 0s",
      "tollgate.subscriptions.max-bytes-per-read | 0",
      "tollgate.subscriptions.tail-bytes | 0",
      "tollgate.subscriptions.tails-max-heap | 0%",
      "tollgate.subscriptions.tails-max-heap | 95%",
      "tollgate.subscriptions.tails-max-heap | a tenth",
      "tollgate.subscriptions.tails-max-heap | 1KiB",
      "tollgate.subscriptions.tails-max-heap | 100000GiB",
      "tollgate.subscriptions.event-stream-keep-alive | 0s",
      "tollgate.subscriptions.stall-timeout | 0s",
      "tollgate.subscriptions.ack-commit.max-acks | 0",
      "tollgate.subscriptions.ack-commit.interval | 0ms",
      "tollgate.topics.max-pending-bytes | 3GiB",
      "tollgate.topics.max-append-wait | 0s",
      "tollgate.topics.max-append-wait | 2s",
      "tollgate.limits.max-id-length | 0",
      "tollgate.limits.max-description-length | 2000000",
      "tollgate.limits.max-extensions | 0",
      "tollgate.limits.catalog.max-subscriptions-per-account | 0",
      "tollgate.limits.catalog.max-topics-per-product | many",
      "tollgate.limits.max-request-bytes | 0",
      "tollgate.limits.refused-body-drain-bytes | 0",
      "tollgate.limits.max-alerts-per-account | 0",
      "tollgate.limits.max-alerts-per-account | 10001",
      "tollgate.webhooks.secret-key | not base64!",
      "tollgate.webhooks.secret-key | AAAA",
      "tollgate.webhooks.batch-size | 5000",
      "tollgate.webhooks.max-concurrency | 0",
      "tollgate.webhooks.retry.jitter | 1.5",
      "tollgate.webhooks.retry.max | 1ms",
      "tollgate.webhooks.disable-after | 0s",
      "tollgate.webhooks.max-excerpt-bytes | 0",
      "tollgate.webhooks.attempt-log-interval | 0s",
      "tollgate.webhooks.dead-letters.after | 0s",
      "tollgate.webhooks.dead-letters.after | 3651d",
      "tollgate.webhooks.dead-letters.after-attempts | 1000001",
      "tollgate.webhooks.dead-letters.after-attempts | -1",
      "tollgate.webhooks.dead-letters.max-count | 0",
      "tollgate.webhooks.dead-letters.max-bytes | 9MiB",
      "tollgate.topics.retention.time | 0s",
      "tollgate.topics.retention.time | never",
      "tollgate.topics.retention.bytes | 0",
      "tollgate.topics.retention.segment-bytes | 0",
      "tollgate.topics.retention.check-interval | 0s",
      "tollgate.retention.trim-interval | 0s",
      "tollgate.retention.snapshot-every | 0",
      "tollgate.retention.max-reader-wait | 0s",
      "tollgate.topics.dedup.window | 0s",
      "tollgate.topics.dedup.window | 5s",
      "tollgate.topics.dedup.max-bytes | 1000",
      "tollgate.topics.dedup.max-bytes | forever",
      "tollgate.storage.probe-interval | 0s",
      "tollgate.storage.unavailable-after-failures | 0",
      "tollgate.analytics.full-sweep-every | 0s",
      "tollgate.audit.retention | 59m",
      "tollgate.audit.retention | 36501d",
      "tollgate.audit.retention | forever",
      "tollgate.audit.max-bytes | 1000KiB",
      "tollgate.audit.max-bytes | 9MiB",
      "tollgate.analytics.notice-interval | 0ms",
  })
  void aValueOutOfItsRangeStopsTheNodeAtStartNamingItsKey(String key, String value) {
    ConfigException refused = assertThrows(ConfigException.class, () -> read(key + " = \"" + value + "\""));
    assertTrue(refused.getMessage().contains(key.substring("tollgate.".length())), refused.getMessage());
  }

  @Test
  void theDefaultLimitsAllowTheDataPathTargetsAndBoundEverythingElse() {
    NodeSettings.Limits limits = read("").limits();
    assertTrue(limits.catalog().subscriptionsPerAccount() >= 100_000, "a load test creates 100,000 subscriptions from one account");
    assertEquals(128, limits.fields().id());
    assertEquals(200, limits.fields().name());
    assertEquals(4096, limits.fields().description());
    assertEquals(1024, limits.events().source());
    assertEquals(1024, limits.events().subject());
    assertEquals(50, limits.catalog().topicsPerProduct());
    assertEquals(50, limits.catalog().plansPerProduct());
    assertEquals(256 * 1024, limits.maxRequestBytes());
    assertEquals(100, limits.maxAlertsPerAccount());
    assertEquals(new io.tollgate.broker.http.RequestBody(16 << 20, 64 << 20), limits.requestBody());
  }

  @Test
  void analyticsReadsWrittenJournalsEveryFiveSecondsAndEveryJournalEveryTenMinutes() {
    AnalyticsSettings analytics = read("").analytics();
    assertEquals(Duration.ofSeconds(5), analytics.readInterval());
    assertEquals(Duration.ofMinutes(10), analytics.fullSweepEvery());
    assertEquals(Duration.ofSeconds(1), analytics.noticeInterval());
  }

  @Test
  void acksAreCommittedEveryHundredOrEveryTwoHundredMillisecondsByDefault() {
    NodeSettings.Subscriptions subscriptions = read("").subscriptions();
    assertEquals(100, subscriptions.ackCommitMaxAcks());
    assertEquals(Duration.ofMillis(200), subscriptions.ackCommitInterval());
  }

  @Test
  void streamsWaitOutTheDowningOfADeadNodePlusTheFailoverMargin() {
    assertEquals(Duration.ofSeconds(3 + 20 + 20 + 10), read("").subscriptions().failoverWait(),
        "heartbeat pause, stable-after, the removal margin (stable-after when off), the margin");
    assertEquals(Duration.ofSeconds(2 + 3 + 5 + 4), read("""
        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        pekko.cluster.split-brain-resolver.stable-after = 3s
        pekko.cluster.down-removal-margin = 5s
        tollgate.subscriptions.failover-margin = 4s
        """).subscriptions().failoverWait());
    assertEquals(Duration.ofSeconds(30), read("""
        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        pekko.cluster.split-brain-resolver.stable-after = 1s
        tollgate.subscriptions.failover-margin = 1s
        tollgate.ask-timeout = 30s
        """).subscriptions().failoverWait(), "never less than the ask timeout");
    ConfigException bad = assertThrows(ConfigException.class,
        () -> read("tollgate.subscriptions.failover-margin = 0s"));
    assertTrue(bad.getMessage().contains("tollgate.subscriptions.failover-margin"), bad.getMessage());
  }

  @Test
  void withoutCertificateFilesTheEdgesArePlaintext() {
    assertTrue(read("").tls().isEmpty());
  }

  @Test
  void aCertificateAndAKeyTurnOnTlsAndAClientCaRequiresClientCertificates(@TempDir Path dir) throws IOException {
    Path cert = Files.writeString(dir.resolve("node.crt"), "");
    Path key = Files.writeString(dir.resolve("node.key"), "");
    Path ca = Files.writeString(dir.resolve("ca.crt"), "");
    ServerTls.Settings tls = read("tollgate.tls { cert-file = \"" + cert + "\", key-file = \"" + key + "\" }").tls().orElseThrow();
    assertEquals(cert, tls.certFile());
    assertEquals(key, tls.keyFile());
    assertTrue(tls.clientCaFile().isEmpty());
    assertEquals(Optional.of(ca), read("tollgate.tls { cert-file = \"" + cert + "\", key-file = \"" + key
        + "\", client-ca-file = \"" + ca + "\" }").tls().orElseThrow().clientCaFile());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tls.key-file | tollgate.tls.cert-file = CERT",
      "tls.cert-file | tollgate.tls.key-file = CERT",
      "tls.client-ca-file | tollgate.tls.client-ca-file = CERT",
      "tls.cert-file | tollgate.tls { cert-file = MISSING, key-file = CERT }",
      "cluster.tls | tollgate.cluster.tls.cert-file = CERT",
      "cluster.tls.ca-file | tollgate.cluster.tls { cert-file = CERT, key-file = CERT, ca-file = MISSING }",
  })
  void anIncompleteOrUnreadableTlsSettingStopsTheNodeNamingItsKey(String key, String setting, @TempDir Path dir)
      throws IOException {
    Path cert = Files.writeString(dir.resolve("node.crt"), "");
    String config = setting.replace("CERT", "\"" + cert + "\"").replace("MISSING", "\"" + dir.resolve("gone.crt") + "\"");
    ConfigException refused = assertThrows(ConfigException.class,
        () -> NodeSettings.from(TollgateNode.configure(ConfigFactory.parseString(config))));
    assertTrue(refused.getMessage().contains(key), refused.getMessage());
  }

  @Test
  void clusterTlsTurnsArteryToTlsTcpWithPemFiles(@TempDir Path dir) throws IOException {
    Path cert = Files.writeString(dir.resolve("node.crt"), "");
    Path key = Files.writeString(dir.resolve("node.key"), "");
    Path ca = Files.writeString(dir.resolve("ca.crt"), "");
    Config config = TollgateNode.configure(ConfigFactory.parseString("tollgate.cluster.tls { cert-file = \"" + cert
        + "\", key-file = \"" + key + "\", ca-file = \"" + ca + "\" }"));
    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    assertEquals(ca.toString(), config.getString("pekko.remote.artery.ssl.rotating-keys-engine.ca-cert-file"));
    assertEquals("tcp", TollgateNode.configure(ConfigFactory.empty()).getString("pekko.remote.artery.transport"));
  }
}
