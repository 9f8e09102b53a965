package io.tollgate.broker.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The node's Prometheus metrics, served at {@code GET /metrics}. One registry per node. */
public final class Metrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  public final Counter publishedEvents;
  public final Counter publishErrors;
  public final Histogram publishSeconds;
  public final Counter deliveredEvents;
  public final Gauge openStreams;
  public final Gauge openTcpConnections;

  public Metrics() {
    JvmMetrics.builder().register(registry);
    publishedEvents = Counter.builder().name("tollgate_published_events_total")
        .help("Events acknowledged to producers (duplicates included)").labelNames("edge").register(registry);
    publishErrors = Counter.builder().name("tollgate_publish_errors_total")
        .help("Publishes refused or failed, by error code").labelNames("edge", "code").register(registry);
    publishSeconds = Histogram.builder().name("tollgate_publish_seconds")
        .help("Time from a publish's arrival to its acknowledgement").labelNames("edge").register(registry);
    deliveredEvents = Counter.builder().name("tollgate_delivered_events_total")
        .help("Events sent to stream consumers").register(registry);
    openStreams = Gauge.builder().name("tollgate_open_streams").help("Open subscription streams").register(registry);
    openTcpConnections = Gauge.builder().name("tollgate_open_tcp_connections")
        .help("Open TCP publish connections").register(registry);
  }

  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
