package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.cassandra.LocalCassandra;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A node of this release starts on a Cassandra keyspace written by the previous one and serves
 * it unchanged: the same reads and the same going on as {@link UpgradeTest}, on Cassandra.
 *
 * <p>The fixture (src/test/resources/upgrade-cassandra/RELEASE/) is what {@link #writeFixture}
 * exported from the keyspaces that release's node wrote: {@code schema.cql}, the keyspaces and
 * tables as the driver describes them (the node created them itself, with create-schema on);
 * {@code rows.tsv}, every row of every table as Cassandra's own {@code SELECT JSON} renders it
 * (blobs as their exact bytes in hex, timeuuids and timestamps as they were), one line each:
 * "journal" or "snapshot", the table, the row; {@code data.zip}, the node's data directory (its
 * operator key); and {@code fixture.json}, what that node answered. The test creates the schema
 * under a keyspace name of its own, inserts the rows with {@code INSERT ... JSON}, and starts
 * this release's node on it, which must create whatever tables it needs that the old one lacked.
 */
class CassandraUpgradeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIXTURES = "/upgrade-cassandra/";
  /** The fixtures this release must read, oldest first. */
  private static final List<String> RELEASES = List.of("2026-12-07-b0cc9b1");
  private static final String WRITTEN_KEYSPACE = "upgrade_fixture";
  private static final String SNAPSHOT = "_snapshot";

  @Test
  void aNodeStartsOnTheKeyspaceOfEachEarlierReleaseAndServesItUnchanged() throws Exception {
    for (String release : RELEASES) {
      String keyspace = "upgrade_" + release.replaceAll("[^0-9a-z]", "_");
      try (CqlSession cql = session()) {
        load(cql, release, keyspace);
      }
      Path dataDir = Files.createTempDirectory("tollgate-upgrade-cassandra-" + release);
      UpgradeTest.unzip(resource(release, "data.zip"), dataDir);
      UpgradeTest.Fixture fixture = UpgradeTest.read(resource(release, "fixture.json"));
      MutableClock clock = new MutableClock(fixture.clock());
      try (TestBroker broker = TestBroker.startIn(dataDir, settings(keyspace), clock)) {
        UpgradeTest.answersAsBefore(broker, fixture, release);
        UpgradeTest.goOnServing(broker, clock, fixture);
      }
    }
  }

  /**
   * Writes a fixture of this release into the directory the property names:
   * {@code ./mvnw -B -pl broker -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
   * -Dit.test='CassandraUpgradeTest#writeFixture' -Dfailsafe.failIfNoSpecifiedTests=false
   * -Dtollgate.upgrade.cassandra-fixture=$PWD/broker/src/test/resources/upgrade-cassandra/RELEASE}.
   */
  @Test
  @EnabledIfSystemProperty(named = "tollgate.upgrade.cassandra-fixture", matches = ".+")
  void writeFixture() throws Exception {
    Path target = Path.of(System.getProperty("tollgate.upgrade.cassandra-fixture"));
    Path dataDir = Files.createTempDirectory("tollgate-cassandra-fixture");
    MutableClock clock = new MutableClock(UpgradeTest.START);
    ObjectNode fixture;
    try (TestBroker broker = startOnFreshKeyspace(dataDir, clock)) {
      fixture = UpgradeTest.record(broker, clock);
    }
    Files.createDirectories(target);
    try (CqlSession cql = session();
         Writer schema = Files.newBufferedWriter(target.resolve("schema.cql"));
         Writer rows = Files.newBufferedWriter(target.resolve("rows.tsv"))) {
      cql.refreshSchema();
      for (String role : List.of("journal", "snapshot")) {
        KeyspaceMetadata keyspace = cql.getMetadata().getKeyspace(keyspaceOf(WRITTEN_KEYSPACE, role)).orElseThrow();
        schema.write(keyspace.describeWithChildren(true));
        schema.write("\n");
        for (TableMetadata table : keyspace.getTables().values()) {
          for (Row row : cql.execute("SELECT JSON * FROM " + keyspace.getName().asCql(true) + "." + table.getName().asCql(true))) {
            rows.write(role + "\t" + table.getName().asInternal() + "\t" + row.getString(0) + "\n");
          }
        }
      }
    }
    fixture.put("keyspace", WRITTEN_KEYSPACE);
    JSON.writerWithDefaultPrettyPrinter().writeValue(target.resolve("fixture.json").toFile(), fixture);
    UpgradeTest.zip(dataDir, target.resolve("data.zip"));
  }

  /**
   * The writer's node on a keyspace it creates: on a busy machine its first start may time out
   * while Cassandra creates the tables (a failed start stops its actor system), and the next
   * one finds them.
   */
  private static TestBroker startOnFreshKeyspace(Path dataDir, MutableClock clock) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return TestBroker.startIn(dataDir, settings(WRITTEN_KEYSPACE), clock);
      } catch (Exception e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** The old release's keyspaces under {@code keyspace}: its schema, then its rows, byte for byte. */
  private static void load(CqlSession cql, String release, String keyspace) throws IOException {
    String written = JSON.readTree(resource(release, "fixture.json")).get("keyspace").asText();
    String schema = new String(resource(release, "schema.cql").readAllBytes(), StandardCharsets.UTF_8);
    Matcher names = Pattern.compile("\\b" + Pattern.quote(written) + "(" + SNAPSHOT + ")?\\b").matcher(schema);
    String renamed = names.replaceAll(match -> keyspace + (match.group(1) == null ? "" : SNAPSHOT));
    for (String statement : renamed.split(";\\s*\\n")) {
      if (!statement.isBlank()) {
        cql.execute(statement);
      }
    }
    Map<String, PreparedStatement> inserts = new HashMap<>();
    List<String> lines = new ArrayList<>();
    try (BufferedReader rows = new BufferedReader(new InputStreamReader(resource(release, "rows.tsv"), StandardCharsets.UTF_8))) {
      rows.lines().forEach(lines::add);
    }
    assertFalse(lines.isEmpty(), release + " has no rows");
    for (String line : lines) {
      String[] fields = line.split("\t", 3);
      String table = keyspaceOf(keyspace, fields[0]) + "." + fields[1];
      PreparedStatement insert = inserts.computeIfAbsent(table,
          name -> cql.prepare("INSERT INTO " + name + " JSON ? DEFAULT UNSET"));
      cql.execute(insert.bind(fields[2]));
    }
  }

  private static String keyspaceOf(String keyspace, String role) {
    return role.equals("snapshot") ? keyspace + SNAPSHOT : keyspace;
  }

  private static Map<String, Object> settings(String keyspace) {
    Map<String, Object> settings = new HashMap<>(UpgradeTest.SETTINGS);
    settings.put("tollgate.cassandra.contact-points", List.of(LocalCassandra.shared().contactPoint()));
    settings.put("tollgate.cassandra.keyspace", keyspace);
    // Creating the keyspaces and tables takes longer than the driver's 2 s on a busy machine, and
    // the plugin does not try again; the first recoveries wait for it longer than the plugins'
    // circuit breakers allow, and a read side whose recovery fails stays stopped.
    settings.put("datastax-java-driver.basic.request.timeout", "30s");
    settings.put("pekko.persistence.cassandra.journal.circuit-breaker.call-timeout", "60s");
    settings.put("pekko.persistence.cassandra.snapshot.circuit-breaker.call-timeout", "60s");
    return settings;
  }

  private static CqlSession session() {
    LocalCassandra cassandra = LocalCassandra.shared();
    return CqlSession.builder().addContactPoint(new InetSocketAddress(LocalCassandra.HOST, cassandra.nativePort()))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30)).build())
        .build();
  }

  private static InputStream resource(String release, String name) {
    InputStream in = CassandraUpgradeTest.class.getResourceAsStream(FIXTURES + release + "/" + name);
    if (in == null) {
      throw new AssertionError("no " + name + " in the Cassandra fixture of " + release);
    }
    return in;
  }
}
