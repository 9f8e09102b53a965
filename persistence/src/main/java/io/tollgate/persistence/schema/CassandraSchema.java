package io.tollgate.persistence.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.internal.core.config.typesafe.DefaultDriverConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Tollgate's Cassandra keyspaces and tables, created with table options that fit its journals
 * ({@code tollgate-cassandra-schema.cql}), and the storage partition size its journal uses.
 *
 * <p>pekko-persistence-cassandra puts entries {@code (n - 1) / target-partition-size} of a journal
 * in storage partition {@code n}, and reads them back by the same rule, so the size must never
 * change under data written with another: a reader would look for entries in partitions that do
 * not hold them. The size a node writes with is therefore recorded where the data is, in the
 * journal table's comment, when Tollgate creates the table; a node takes the recorded size, not
 * its configuration. A table without the record was created by an earlier release, which used
 * the plugin's default.
 */
public final class CassandraSchema {
  /** pekko-persistence-cassandra's default, which every release before the record used. */
  public static final long UNRECORDED_PARTITION_SIZE = 500_000;
  private static final String RECORD = "tollgate target-partition-size=";
  private static final Pattern RECORDED = Pattern.compile(Pattern.quote(RECORD) + "(\\d+)");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z-]+)}");
  /** Schema changes wait for every replica to agree, which takes seconds on a loaded machine. */
  private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);

  private CassandraSchema() {}

  /**
   * The node's configuration with the journal's partition size as its table records it, and
   * whether it was recorded ({@code false}: a table of an earlier release).
   */
  public record Prepared(Config config, long partitionSize, boolean recorded) {}

  /**
   * Creates the keyspaces and tables when the plugin's {@code tables-autocreate}
   * ({@code tollgate.cassandra.create-schema}) is on and they are missing, then reads the
   * partition size of the journal table. Waits for Cassandra to answer (the driver's
   * {@code reconnect-on-init}).
   */
  public static Prepared prepare(Config config) {
    Config plugin = config.getConfig("pekko.persistence.cassandra");
    String keyspace = plugin.getString("journal.keyspace");
    String table = plugin.getString("journal.table");
    try (CqlSession session = CqlSession.builder()
        .withConfigLoader(new DefaultDriverConfigLoader(() -> config.getConfig("datastax-java-driver"), false)).build()) {
      if (plugin.getBoolean("journal.tables-autocreate")) {
        for (String statement : statements(config)) {
          session.execute(SimpleStatement.newInstance(statement).setTimeout(SCHEMA_TIMEOUT));
        }
      }
      Row row = session.execute(SimpleStatement.newInstance(
              "SELECT comment FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?", keyspace, table)
          .setTimeout(SCHEMA_TIMEOUT)).one();
      if (row == null) {
        throw new IllegalStateException("the journal table " + keyspace + "." + table + " does not exist and "
            + "tables-autocreate (tollgate.cassandra.create-schema) is off: apply cluster-config/cassandra/schema.cql first");
      }
      Optional<Long> recorded = recordedPartitionSize(row.getString("comment"));
      long size = recorded.orElse(UNRECORDED_PARTITION_SIZE);
      return new Prepared(ConfigFactory.parseMap(Map.of("pekko.persistence.cassandra.journal.target-partition-size", size))
          .withFallback(config), size, recorded.isPresent());
    }
  }

  /** The partition size a journal table's comment records, if it does. */
  public static Optional<Long> recordedPartitionSize(String comment) {
    if (comment == null) {
      return Optional.empty();
    }
    Matcher matcher = RECORDED.matcher(comment);
    return matcher.find() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
  }

  /** The statements that create what the configuration names, filled in from it. */
  public static List<String> statements(Config config) {
    Config plugin = config.getConfig("pekko.persistence.cassandra");
    long partitionSize = plugin.getLong("journal.target-partition-size");
    if (partitionSize < 1) {
      throw new IllegalArgumentException("pekko.persistence.cassandra.journal.target-partition-size must be at least 1");
    }
    Map<String, String> values = Map.of(
        "journal-keyspace", plugin.getString("journal.keyspace"),
        "journal-table", plugin.getString("journal.table"),
        "metadata-table", plugin.getString("journal.metadata-table"),
        "snapshot-keyspace", plugin.getString("snapshot.keyspace"),
        "snapshot-table", plugin.getString("snapshot.table"),
        "replication", replication(plugin.getConfig("journal")),
        "target-partition-size", Long.toString(partitionSize));
    List<String> statements = new ArrayList<>();
    for (String statement : template().split(";")) {
      String cql = Arrays.stream(statement.split("\n"))
          .filter(line -> !line.startsWith("--"))
          .collect(Collectors.joining("\n")).strip();
      if (!cql.isEmpty()) {
        statements.add(fill(cql, values));
      }
    }
    return statements;
  }

  /** The keyspaces' replication from the journal plugin's strategy and factors. */
  static String replication(Config journal) {
    String strategy = journal.getString("replication-strategy");
    return switch (strategy) {
      case "SimpleStrategy" -> "{'class': 'SimpleStrategy', 'replication_factor': "
          + journal.getInt("replication-factor") + "}";
      case "NetworkTopologyStrategy" -> journal.getStringList("data-center-replication-factors").stream()
          .map(CassandraSchema::dataCenterFactor)
          .collect(Collectors.joining(", ", "{'class': 'NetworkTopologyStrategy', ", "}"));
      default -> throw new IllegalArgumentException("replication-strategy (tollgate.cassandra.replication-strategy): "
          + "SimpleStrategy or NetworkTopologyStrategy, not " + strategy);
    };
  }

  private static String dataCenterFactor(String dcFactor) {
    String[] parts = dcFactor.split(":");
    if (parts.length != 2 || !parts[1].matches("\\d+")) {
      throw new IllegalArgumentException("data-center-replication-factors: \"dc:factor\", not " + dcFactor);
    }
    return "'" + parts[0] + "': " + parts[1];
  }

  private static String fill(String cql, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(cql);
    StringBuilder filled = new StringBuilder();
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new IllegalStateException("tollgate-cassandra-schema.cql names an unknown " + matcher.group());
      }
      matcher.appendReplacement(filled, Matcher.quoteReplacement(value));
    }
    return matcher.appendTail(filled).toString();
  }

  private static String template() {
    try (InputStream in = CassandraSchema.class.getResourceAsStream("/tollgate-cassandra-schema.cql")) {
      if (in == null) {
        throw new IllegalStateException("tollgate-cassandra-schema.cql is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
