package io.tollgate.broker.analytics;

import io.tollgate.broker.ops.Metrics;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The read side's findings as Prometheus metrics: how many journals it queried, the billing it read (charges of finalized
 * invoices, revenue credited) and each subscription's lag. They appear on the node the read side
 * runs on; a read that is journaled after a failure and retry may count a billing entry twice
 * there, which a counter's rate tolerates and the analytics API does not suffer.
 */
public final class ReadSideMetrics implements AnalyticsReadSide.Listener {
  private final Metrics metrics;

  public ReadSideMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void read(Map<String, List<ReadSideState.Entry>> entries, Map<String, long[]> lag) {
    metrics.analyticsJournalsRead(entries.size());
    entries.values().forEach(journal -> journal.forEach(entry -> {
      if (entry.event() instanceof InvoiceFinalized invoice) {
        metrics.invoiceFinalized();
        for (InvoiceLine line : invoice.getLinesList()) {
          metrics.charged(invoice.getCurrency(), new BigDecimal(line.getAmount()));
        }
      } else if (entry.event() instanceof RevenueCredited credited) {
        metrics.credited(credited.getCurrency(), new BigDecimal(credited.getProducerShare()));
      }
    }));
    metrics.lag(lag);
  }
}
