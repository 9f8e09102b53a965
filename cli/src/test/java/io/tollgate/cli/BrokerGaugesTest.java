package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class BrokerGaugesTest {
  private static final String METRICS = """
      # HELP jvm_memory_used_bytes Used bytes of a given JVM memory area.
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap"} 1.2345678E8
      jvm_memory_used_bytes{area="nonheap"} 9.0E7
      # TYPE process_cpu_seconds_total counter
      process_cpu_seconds_total 42.5
      tollgate_open_streams 10000.0
      """;

  @Test
  void samplesAreReadByNameAndLabels() {
    assertEquals(OptionalDouble.of(1.2345678E8), BrokerGauges.sample(METRICS, "jvm_memory_used_bytes{area=\"heap\"}"));
    assertEquals(OptionalDouble.of(42.5), BrokerGauges.sample(METRICS, "process_cpu_seconds_total"));
    assertEquals(OptionalDouble.of(10000), BrokerGauges.sample(METRICS, "tollgate_open_streams"));
    assertEquals(OptionalDouble.empty(), BrokerGauges.sample(METRICS, "jvm_memory_used_bytes"));
  }

  @Test
  void theResidentSetIsVmRssInBytes() {
    assertEquals(512L * 1024, BrokerGauges.residentBytes("Name:\tjava\nVmHWM:\t  900 kB\nVmRSS:\t     512 kB\n"));
    assertEquals(-1, BrokerGauges.residentBytes("Name:\tjava\n"));
  }

  @Test
  void cpuIsPercentOfOneCoreBetweenTwoReadings() {
    BrokerGauges.Reading earlier = new BrokerGauges.Reading(0, 10.0, 0, 0, 0);
    BrokerGauges.Reading later = new BrokerGauges.Reading(0, 10.5, 0, 0, 10_000_000_000L);
    assertEquals(5.0, later.cpuPercentSince(earlier), 1e-9);
  }
}
