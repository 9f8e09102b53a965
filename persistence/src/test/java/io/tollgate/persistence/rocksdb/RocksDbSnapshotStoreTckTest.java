package io.tollgate.persistence.rocksdb;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;

/** Pekko's snapshot store TCK (ScalaTest), run under Surefire by the scalatest-junit-runner engine. */
public class RocksDbSnapshotStoreTckTest extends JavaSnapshotStoreSpec {

  private static final Path DIR = TestStores.newDir("snapshot-tck");

  public RocksDbSnapshotStoreTckTest() {
    super(TestStores.config(DIR));
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on();
  }

  @Override
  public void afterAll() {
    super.afterAll();
    TestStores.deleteRecursively(DIR);
  }
}
