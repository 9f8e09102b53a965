package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeSettingsTest {
  private static NodeSettings read(String overrides) {
    return NodeSettings.from(TollgateNode.configure(ConfigFactory.parseString(overrides)));
  }

  @Test
  void theDefaultsAreReferenceConfsValues() {
    NodeSettings settings = read("");
    assertEquals(8080, settings.http().port());
    assertEquals(7070, settings.tcp().port());
    assertEquals(4 * 1024 * 1024, settings.tcp().maxFrameBytes());
    assertEquals(4 * 1024 * 1024, settings.topics().maxEntryBytes());
    assertEquals(64 * 1024, settings.subscriptions().maxMessageBytes());
    assertEquals(Duration.ofSeconds(10), settings.askTimeout());
    assertEquals(Duration.ofHours(1), settings.billing().grace());
    assertTrue(settings.jwt().isEmpty(), "no JWKS, no tokens");
    assertEquals("tollgate.persistence.rocksdb.query", settings.storage().queryPlugin());
  }

  @Test
  void aFlagOverridesTheFileAndTheFileTheDefault() {
    NodeSettings settings = NodeSettings.from(TollgateNode.configure(ConfigFactory.parseString("tollgate.http.port = 9001")
        .withFallback(ConfigFactory.parseString("tollgate.http.port = 9000\ntollgate.tcp.port = 7001"))));
    assertEquals(9001, settings.http().port());
    assertEquals(7001, settings.tcp().port());
  }

  @Test
  void theCassandraProfileReadsThroughCassandrasQueryPlugin() {
    assertEquals("pekko.persistence.cassandra.query",
        read("tollgate.cassandra.contact-points = [\"127.0.0.1:9042\"]").storage().queryPlugin());
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "tollgate.billing.grace | -1s",
      "tollgate.ask-timeout | 0s",
      "tollgate.http.port | 70000",
      "tollgate.subscriptions.window | 0",
      "tollgate.topics.max-entry-bytes | 0",
      "tollgate.billing.period | fortnightly",
      "tollgate.tcp.auth-timeout | soon",
  })
  void aValueOutOfItsRangeStopsTheNodeAtStartNamingItsKey(String key, String value) {
    ConfigException refused = assertThrows(ConfigException.class, () -> read(key + " = \"" + value + "\""));
    assertTrue(refused.getMessage().contains(key.substring("tollgate.".length())), refused.getMessage());
  }
}
