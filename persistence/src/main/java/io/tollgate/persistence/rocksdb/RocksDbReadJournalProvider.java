package io.tollgate.persistence.rocksdb;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/** Entry point named by the {@code class} of the {@code tollgate.persistence.rocksdb.query} plugin. */
public final class RocksDbReadJournalProvider implements ReadJournalProvider {

  private final RocksDbReadJournal javadsl;
  private final RocksDbScaladslReadJournal scaladsl;

  public RocksDbReadJournalProvider(ExtendedActorSystem system, Config config) {
    this.javadsl = new RocksDbReadJournal(system, config);
    this.scaladsl = new RocksDbScaladslReadJournal(javadsl);
  }

  @Override
  public RocksDbScaladslReadJournal scaladslReadJournal() {
    return scaladsl;
  }

  @Override
  public RocksDbReadJournal javadslReadJournal() {
    return javadsl;
  }
}
