package io.tollgate.persistence.rocksdb;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code tollgate.persistence.rocksdb} (this module's reference.conf documents each key), read
 * once when the store opens.
 */
record StoreSettings(Path dir, long blockCacheBytes, long maxTotalWalBytes, boolean compactAfterDelete,
                     int writeQueueSize, long maxBatchBytes, Duration writeEnqueueTimeout) {

  static StoreSettings from(Config config) {
    if (!config.hasPath("dir") || config.getString("dir").isBlank()) {
      throw new IllegalArgumentException(RocksDbStore.CONFIG_PATH + ".dir must be set to the database directory");
    }
    return new StoreSettings(Path.of(config.getString("dir")).toAbsolutePath(),
        config.getBytes("block-cache-size"), config.getBytes("max-total-wal-size"),
        config.getBoolean("compact-after-delete"), config.getInt("write-queue-size"),
        config.getBytes("max-batch-bytes"), config.getDuration("write-enqueue-timeout"));
  }
}
