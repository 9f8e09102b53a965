package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node restarted on a data directory whose catalog has snapshots reaches the same catalog,
 * reading at most a snapshot interval of changes from the journal.
 */
class CatalogSnapshotRestartTest {
  private static final int SNAPSHOT_EVERY = 10;
  private static final Map<String, Object> SETTINGS = Map.of("tollgate.catalog.snapshot-every", SNAPSHOT_EVERY);

  @Test
  void aRestartedNodeRestoresTheSnapshotAndReadsOnlyTheChangesAfterIt() throws Exception {
    Path dataDir = Files.createTempDirectory("tollgate-catalog-snapshots");
    CatalogSnapshot before;
    long version;
    try (TestBroker broker = TestBroker.startIn(dataDir, SETTINGS, Clock.systemUTC())) {
      TestBroker.Tenancy t = broker.tenancy("snapshots", 2);
      for (int i = 0; i < 23; i++) {
        broker.admin().createKey(t.consumer(), List.of("read"));
      }
      broker.admin().createSubscription(t.consumer(), t.product(), t.plan(), "end");
      before = broker.node().catalogView().catalog().toSnapshot();
      version = before.getVersion();
      assertTrue(version > 3 * SNAPSHOT_EVERY, "several snapshots were taken, at version " + version);
    }

    try (TestBroker restarted = TestBroker.startIn(dataDir, SETTINGS, Clock.systemUTC())) {
      assertEquals(before, restarted.node().catalogView().catalog().toSnapshot());
      long read = restarted.node().catalogView().changesRead();
      assertTrue(read < SNAPSHOT_EVERY, "read " + read + " changes after the snapshot, not the " + version + " of the journal");
      assertEquals(200, restarted.get("/v1/subscriptions", restarted.adminKey()).status());
    }
  }
}
