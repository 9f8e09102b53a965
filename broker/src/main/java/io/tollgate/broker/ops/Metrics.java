package io.tollgate.broker.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

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

  /**
   * The shared tails' cost: their bytes and partitions on this node, and the journal reads of
   * their readers and of the streams behind them.
   */
  public void watchTails(DoubleSupplier bytes, DoubleSupplier partitions, DoubleSupplier tailReads,
                         DoubleSupplier streamReads) {
    GaugeWithCallback.builder().name("tollgate_tail_bytes")
        .help("Bytes of journal entries (as stored) the shared tails of this node hold")
        .callback(callback -> callback.call(bytes.getAsDouble())).register(registry);
    GaugeWithCallback.builder().name("tollgate_tail_partitions")
        .help("Partitions this node holds a shared tail of (those its streams read)")
        .callback(callback -> callback.call(partitions.getAsDouble())).register(registry);
    CounterWithCallback.builder().name("tollgate_journal_reads_total")
        .help("Partition journal reads for streams: by the shared tails' readers, and by streams behind them")
        .labelNames("reader")
        .callback(callback -> {
          callback.call(tailReads.getAsDouble(), "tail");
          callback.call(streamReads.getAsDouble(), "stream");
        }).register(registry);
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
