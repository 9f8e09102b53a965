package io.tollgate.broker.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MetricsTest {
  /** A void or a credit note reverses revenue; a Prometheus counter refuses to go down. */
  @Test
  void aReversedCreditCountsOnItsOwnCounterBecauseACounterOnlyGrows() {
    Metrics metrics = new Metrics(10);
    metrics.credited("USD", new BigDecimal("10.00"));
    metrics.credited("USD", new BigDecimal("-4.00"));
    String scrape = metrics.scrape();
    assertTrue(scrape.contains("tollgate_billing_revenue_total{currency=\"USD\"} 10.0"), scrape);
    assertTrue(scrape.contains("tollgate_billing_revenue_reversed_total{currency=\"USD\"} 4.0"), scrape);
  }
}
