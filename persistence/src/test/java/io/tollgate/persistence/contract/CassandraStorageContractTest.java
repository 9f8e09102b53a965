package io.tollgate.persistence.contract;

import com.typesafe.config.Config;
import io.tollgate.persistence.cassandra.CassandraStores;
import java.time.Duration;

/** The storage contract on a real Cassandra node that this test JVM starts. */
class CassandraStorageContractTest extends StorageContract {

  @Override
  protected Config storageConfig() {
    return CassandraStores.config("contract");
  }

  @Override
  protected Duration liveDelay() {
    // the read journal polls every tollgate.cassandra.poll-interval (100 ms)
    return Duration.ofSeconds(5);
  }
}
