package io.tollgate.persistence.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CassandraSchemaTest {

  private static Config profile(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("tollgate-storage-cassandra.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  @Test
  void aJournalTableRecordsItsPartitionSizeInItsComment() {
    assertEquals(Optional.of(64L), CassandraSchema.recordedPartitionSize("tollgate target-partition-size=64"));
    assertEquals(Optional.of(500L), CassandraSchema.recordedPartitionSize("notes; tollgate target-partition-size=500"));
  }

  @Test
  void aTableWithoutTheRecordRecordsNothing() {
    assertEquals(Optional.empty(), CassandraSchema.recordedPartitionSize(null));
    assertEquals(Optional.empty(), CassandraSchema.recordedPartitionSize(""));
    assertEquals(Optional.empty(), CassandraSchema.recordedPartitionSize("target-partition-size=64"));
  }

  @Test
  void theStatementsNameTheConfiguredKeyspacesReplicationAndPartitionSize() {
    List<String> statements = CassandraSchema.statements(profile("""
        tollgate.cassandra.keyspace = "shop"
        tollgate.cassandra.replication-factor = 3
        tollgate.cassandra.target-partition-size = 100
        """));

    assertEquals(5, statements.size(), String.join("\n", statements));
    assertEquals("CREATE KEYSPACE IF NOT EXISTS shop\n  WITH replication = "
        + "{'class': 'SimpleStrategy', 'replication_factor': 3}", statements.get(0));
    assertTrue(statements.get(1).startsWith("CREATE TABLE IF NOT EXISTS shop.messages ("), statements.get(1));
    assertTrue(statements.get(1).contains("comment = 'tollgate target-partition-size=100'"), statements.get(1));
    assertTrue(statements.get(2).startsWith("CREATE TABLE IF NOT EXISTS shop.metadata ("), statements.get(2));
    assertTrue(statements.get(3).startsWith("CREATE KEYSPACE IF NOT EXISTS shop_snapshot"), statements.get(3));
    assertTrue(statements.get(4).startsWith("CREATE TABLE IF NOT EXISTS shop_snapshot.snapshots ("), statements.get(4));
    assertTrue(statements.stream().noneMatch(statement -> statement.contains("${")));
  }

  @Test
  void networkTopologyReplicationNamesEachDataCentre() {
    List<String> statements = CassandraSchema.statements(profile("""
        tollgate.cassandra.replication-strategy = NetworkTopologyStrategy
        tollgate.cassandra.data-center-replication-factors = ["dc1:3", "dc2:2"]
        """));

    assertTrue(statements.get(0).endsWith("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}"), statements.get(0));
  }

  @Test
  void aReplicationFactorThatIsNotDataCentreColonNumberIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> CassandraSchema.statements(profile("""
        tollgate.cassandra.replication-strategy = NetworkTopologyStrategy
        tollgate.cassandra.data-center-replication-factors = ["dc1=3"]
        """)));
  }

  /** cluster-config/cassandra/schema.cql, for operators who create the schema, is what a node would run. */
  @Test
  void theOperatorsSchemaIsWhatANodeCreates() throws IOException {
    List<String> expected = CassandraSchema.statements(profile("""
        tollgate.cassandra.replication-strategy = NetworkTopologyStrategy
        tollgate.cassandra.data-center-replication-factors = ["datacenter1:3"]
        """));
    String file = Files.readString(Path.of("..", "cluster-config", "cassandra", "schema.cql"), StandardCharsets.UTF_8);
    List<String> operators = Arrays.stream(file.split(";"))
        .map(statement -> Arrays.stream(statement.split("\n")).filter(line -> !line.startsWith("--"))
            .collect(Collectors.joining("\n")).strip())
        .filter(statement -> !statement.isEmpty())
        .toList();

    assertEquals(expected, operators);
  }
}
