package io.tollgate.persistence.contract;

import com.typesafe.config.Config;
import io.tollgate.persistence.rocksdb.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;

/** The storage contract on the embedded RocksDB backend. */
class EmbeddedStorageContractTest extends StorageContract {
  private final Path dir = TestStores.newDir("contract");

  @Override
  protected Config storageConfig() {
    return TestStores.config(dir);
  }

  @Override
  protected Duration liveDelay() {
    return Duration.ofSeconds(2);
  }

  @AfterAll
  void deleteStore() {
    TestStores.deleteRecursively(dir);
  }
}
