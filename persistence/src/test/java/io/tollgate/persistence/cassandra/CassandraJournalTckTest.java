package io.tollgate.persistence.cassandra;

import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;

/** Pekko's journal TCK against a real Cassandra node, as RocksDbJournalTckTest runs it against RocksDB. */
public class CassandraJournalTckTest extends JavaJournalSpec {

  public CassandraJournalTckTest() {
    super(CassandraStores.config("journal_tck"));
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.off();
  }

  /**
   * Optional in the TCK: the Cassandra plugin fails the whole write instead of rejecting the
   * one event. Tollgate's events are all Protobuf, so neither happens outside a programming error.
   */
  @Override
  public CapabilityFlag supportsRejectingNonSerializableObjects() {
    return CapabilityFlag.off();
  }
}
