package io.tollgate.broker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard in cluster-config/grafana/ charts only series the node exposes, so a renamed metric fails here. */
class GrafanaDashboardTest {
  private static final Pattern SERIES = Pattern.compile("\\b((?:tollgate|jvm)_[a-z_]+)");

  @Test
  void everySeriesTheDashboardQueriesIsOneTheNodeServes() throws Exception {
    String dashboard = Files.readString(Path.of("..", "cluster-config", "grafana", "tollgate-dashboard.json"));
    Metrics metrics = new Metrics(10);
    metrics.gauge("tollgate_cluster_members", "members", () -> 1);
    metrics.publishedEvents.labelValues("http").inc();
    metrics.publishErrors.labelValues("http", "forbidden").inc();
    metrics.publishSeconds.labelValues("http").observe(0.01);
    metrics.publishedTo("t", 1);
    metrics.deliveredTo("s", 1, 1);
    metrics.lag(Map.of("s", new long[] {1, 1}));
    metrics.charged("USD", BigDecimal.ONE);
    metrics.credited("USD", BigDecimal.ONE);
    metrics.credited("USD", BigDecimal.ONE.negate());
    metrics.invoiceFinalized();
    String scrape = metrics.scrape();
    Set<String> missing = new TreeSet<>();
    Matcher queried = SERIES.matcher(dashboard);
    while (queried.find()) {
      if (!Pattern.compile("(?m)^" + queried.group(1) + "[{ ]").matcher(scrape).find()) {
        missing.add(queried.group(1));
      }
    }
    assertEquals(Set.of(), missing, "series the dashboard queries and /metrics does not serve");
    assertFalse(dashboard.isEmpty());
  }
}
