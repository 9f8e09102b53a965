package io.tollgate.persistence.cassandra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.tollgate.cassandra.LocalCassandra;
import java.util.List;

/** The Cassandra storage profile pointed at this JVM's test Cassandra, in a keyspace of the caller's. */
public final class CassandraStores {

  private CassandraStores() {}

  public static Config config(String keyspace) {
    return ConfigFactory.parseString(
            """
            pekko.actor.allow-java-serialization = off
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            # the first write to a new keyspace waits for Cassandra to create it and its tables
            pekko.test.single-expect-default = 20s
            """)
        .withValue("tollgate.cassandra.contact-points",
            ConfigValueFactory.fromIterable(List.of(LocalCassandra.shared().contactPoint())))
        .withValue("tollgate.cassandra.keyspace", ConfigValueFactory.fromAnyRef(keyspace))
        .withFallback(ConfigFactory.parseResourcesAnySyntax("tollgate-storage-cassandra"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
