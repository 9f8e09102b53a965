package io.tollgate.persistence.cassandra;

import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;

/** Pekko's snapshot store TCK against a real Cassandra node. */
public class CassandraSnapshotStoreTckTest extends JavaSnapshotStoreSpec {

  public CassandraSnapshotStoreTckTest() {
    super(CassandraStores.config("snapshot_tck"));
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.off();
  }
}
