package io.tollgate.persistence.rocksdb;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;

/** Pekko's journal TCK (ScalaTest), run under Surefire by the scalatest-junit-runner engine. */
public class RocksDbJournalTckTest extends JavaJournalSpec {

  private static final Path DIR = TestStores.newDir("journal-tck");

  public RocksDbJournalTckTest() {
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
