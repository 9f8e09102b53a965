package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSettingsTest {
  @Test
  void theDefaultsFitTheBrokersLimitPerPublish() {
    assertEquals(BatchSettings.BROKER_MAX_EVENTS, BatchSettings.DEFAULTS.maxEvents());
  }

  @Test
  void theRetrySettingsAreKafkasProducerDefaults() {
    assertEquals(Duration.ofMillis(100), BatchSettings.DEFAULTS.retryBackoff());
    assertEquals(Duration.ofSeconds(1), BatchSettings.DEFAULTS.retryBackoffMax());
    assertEquals(Duration.ofMinutes(2), BatchSettings.DEFAULTS.deliveryTimeout());
  }

  @Test
  void eachOutOfRangeSettingIsNamed() {
    BatchSettings d = BatchSettings.DEFAULTS;
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withMaxEvents(0)).getMessage().startsWith("maxEvents"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withMaxBytes(0)).getMessage().startsWith("maxBytes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withLinger(Duration.ofMillis(-1))).getMessage().startsWith("linger"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withMaxInFlight(0)).getMessage().startsWith("maxInFlight"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withBufferBytes(1L << 31)).getMessage().startsWith("bufferBytes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withMaxBlock(Duration.ofSeconds(-1))).getMessage().startsWith("maxBlock"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withRetryBackoff(Duration.ZERO, Duration.ofSeconds(1)))
        .getMessage().startsWith("retryBackoff"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .getMessage().startsWith("retryBackoffMax"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withDeliveryTimeout(Duration.ofSeconds(-1)))
        .getMessage().startsWith("deliveryTimeout"));
  }
}
