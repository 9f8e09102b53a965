package io.tollgate.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tollgate.cassandra.LocalCassandra;
import io.tollgate.persistence.contract.EventWriter;
import io.tollgate.persistence.schema.CassandraSchema;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The keyspaces a node creates on a real Cassandra carry the table settings of
 * docs/operations.md, the journal's partition size is recorded in its table and bounds the rows
 * of each Cassandra partition whatever the entries' size, and a table of an earlier release keeps
 * the size it was written with.
 */
class CassandraTableSettingsTest {
  private static CqlSession session;

  @BeforeAll
  static void connect() {
    LocalCassandra cassandra = LocalCassandra.shared();
    session = CqlSession.builder().addContactPoint(new InetSocketAddress(LocalCassandra.HOST, cassandra.nativePort()))
        .withLocalDatacenter("datacenter1").build();
  }

  @AfterAll
  static void disconnect() {
    session.close();
  }

  private static Config profile(String keyspace) {
    // Creating keyspaces and writing large entries on a loaded machine takes longer than the driver's 2 s default.
    return ConfigFactory.parseString("datastax-java-driver.basic.request.timeout = 20s")
        .withFallback(CassandraStores.config(keyspace));
  }

  @Test
  void theCreatedTablesHaveTheSettingsThatFitTollgatesJournals() {
    CassandraSchema.Prepared prepared = CassandraSchema.prepare(profile("table_settings"));

    assertTrue(prepared.recorded());
    assertEquals(64, prepared.partitionSize());
    for (String table : List.of("table_settings.messages", "table_settings_snapshot.snapshots")) {
      Row row = tableOptions(table);
      Map<String, String> compaction = row.getMap("compaction", String.class, String.class);
      assertEquals("org.apache.cassandra.db.compaction.LeveledCompactionStrategy", compaction.get("class"), table);
      assertEquals("160", compaction.get("sstable_size_in_mb"), table);
      assertEquals("true", compaction.get("unchecked_tombstone_compaction"), table);
      assertEquals("0.2", compaction.get("tombstone_threshold"), table);
      assertEquals(86400, row.getInt("gc_grace_seconds"), table);
      Map<String, String> compression = row.getMap("compression", String.class, String.class);
      assertEquals("org.apache.cassandra.io.compress.LZ4Compressor", compression.get("class"), table);
      assertEquals("64", compression.get("chunk_length_in_kb"), table);
    }
    assertEquals("tollgate target-partition-size=64", tableOptions("table_settings.messages").getString("comment"));
  }

  @Test
  void thePartitionSizeBoundsTheRowsOfEachCassandraPartitionForLargeEntries() {
    CassandraSchema.Prepared prepared = CassandraSchema.prepare(profile("table_sizes"));
    ActorSystem system = ActorSystem.create("table-sizes", prepared.config());
    try {
      TestKit probe = new TestKit(system);
      ActorRef writer = system.actorOf(EventWriter.props("large-entries"));
      String entry = "x".repeat(128 * 1024);
      int entries = 150;
      for (int i = 1; i <= entries; i++) {
        writer.tell(new EventWriter.Append(i + entry), probe.getRef());
        assertEquals((long) i, probe.expectMsgClass(Duration.ofSeconds(30), Long.class));
      }

      List<Integer> rowsPerPartition = new ArrayList<>();
      for (long partition = 0; partition <= 3; partition++) {
        List<Long> sequenceNumbers = session.execute(SimpleStatement.newInstance(
                "SELECT sequence_nr FROM table_sizes.messages WHERE persistence_id = ? AND partition_nr = ?",
                "large-entries", partition).setTimeout(Duration.ofSeconds(20)))
            .all().stream().map(row -> row.getLong("sequence_nr")).toList();
        for (long sequenceNr : sequenceNumbers) {
          assertEquals(partition, (sequenceNr - 1) / 64, "entry " + sequenceNr + " in partition " + partition);
        }
        rowsPerPartition.add(sequenceNumbers.size());
      }
      assertEquals(List.of(64, 64, 22, 0), rowsPerPartition, "rows per Cassandra partition of 128 KiB entries");

      ActorRef recovered = system.actorOf(EventWriter.props("large-entries"));
      recovered.tell(EventWriter.GetState.INSTANCE, probe.getRef());
      EventWriter.State state = probe.expectMsgClass(Duration.ofSeconds(60), EventWriter.State.class);
      assertEquals(entries, state.events().size(), "every entry read back across the partitions");
      assertTrue(state.events().get(entries - 1).startsWith(entries + "x"));
    } finally {
      TestKit.shutdownActorSystem(system, scala.concurrent.duration.Duration.create(30, "s"), true);
    }
  }

  @Test
  void aJournalTableOfAnEarlierReleaseKeepsThePartitionSizeItWasWrittenWith() {
    Config config = profile("table_legacy");
    CassandraSchema.prepare(config);
    // What a keyspace created by the plugin itself, as every release before the record did, looks like.
    session.execute(SimpleStatement.newInstance("ALTER TABLE table_legacy.messages WITH comment = ''")
        .setTimeout(Duration.ofSeconds(60)));

    CassandraSchema.Prepared prepared = CassandraSchema.prepare(config);

    assertFalse(prepared.recorded());
    assertEquals(CassandraSchema.UNRECORDED_PARTITION_SIZE, prepared.partitionSize());
    assertEquals(CassandraSchema.UNRECORDED_PARTITION_SIZE,
        prepared.config().getLong("pekko.persistence.cassandra.journal.target-partition-size"));
  }

  private static Row tableOptions(String table) {
    String[] name = table.split("\\.");
    return session.execute(SimpleStatement.newInstance(
        "SELECT compaction, compression, gc_grace_seconds, comment FROM system_schema.tables "
            + "WHERE keyspace_name = ? AND table_name = ?", name[0], name[1])).one();
  }
}
