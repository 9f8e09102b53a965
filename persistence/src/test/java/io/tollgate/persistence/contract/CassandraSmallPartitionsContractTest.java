package io.tollgate.persistence.contract;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tollgate.persistence.cassandra.CassandraStores;
import java.time.Duration;

/**
 * The storage contract on Cassandra with journals cut into storage partitions of 60 entries
 * (the contract's largest group write is 51, and a group never spans two), so that reads and
 * deletes cross several of them, as a busy topic partition's do at the default size: retention
 * empties whole storage partitions, and readers must step over them.
 */
class CassandraSmallPartitionsContractTest extends StorageContract {

  @Override
  protected Config storageConfig() {
    // Creating a keyspace on a loaded machine takes longer than the driver's 2 s default.
    return ConfigFactory.parseString("""
            pekko.persistence.cassandra.journal.target-partition-size = 60
            datastax-java-driver.basic.request.timeout = 20s
            """)
        .withFallback(CassandraStores.config("contract_small"));
  }

  @Override
  protected Duration liveDelay() {
    return Duration.ofSeconds(5);
  }
}
