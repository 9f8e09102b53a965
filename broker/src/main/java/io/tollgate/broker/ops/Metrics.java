package io.tollgate.broker.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.topic.DedupWindows;
import io.tollgate.broker.subscription.DeliveryObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The node's Prometheus metrics, served at {@code GET /metrics}. One registry per node. Series
 * per topic and per subscription are bounded by {@link LabelBudget} (tollgate.analytics.max-metric-keys).
 */
public final class Metrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LabelBudget topics;
  private final LabelBudget subscriptions;
  private final int maxKeys;
  public final Counter publishedEvents;
  public final Counter publishErrors;
  public final Histogram publishSeconds;
  public final Counter deliveredEvents;
  public final Gauge openStreams;
  public final Gauge openTcpConnections;
  private final Counter topicPublishedEvents;
  private final Counter subscriptionDeliveredEvents;
  private final Counter subscriptionDeliveredBytes;
  private final Counter charges;
  private final Counter revenue;
  private final Counter revenueReversed;
  private final Counter invoicesFinalized;
  private final Counter analyticsJournalReads;
  /** The lag of each subscription as the read side last measured it (on the node it runs on). */
  private volatile Map<String, long[]> lag = Map.of();

  /** {@code maxKeys}: how many topics and subscriptions get series of their own. */
  public Metrics(int maxKeys) {
    this.maxKeys = maxKeys;
    this.topics = new LabelBudget(maxKeys);
    this.subscriptions = new LabelBudget(maxKeys);
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
    topicPublishedEvents = Counter.builder().name("tollgate_topic_published_events_total")
        .help("Events acknowledged to producers, by topic (the first max-metric-keys topics; the rest: other)")
        .labelNames("topic").register(registry);
    subscriptionDeliveredEvents = Counter.builder().name("tollgate_subscription_delivered_events_total")
        .help("Events sent to consumers, by subscription (the first max-metric-keys; the rest: other)")
        .labelNames("subscription").register(registry);
    subscriptionDeliveredBytes = Counter.builder().name("tollgate_subscription_delivered_bytes_total")
        .help("Bytes of events (as Protobuf) sent to consumers, by subscription").labelNames("subscription")
        .register(registry);
    GaugeWithCallback.builder().name("tollgate_subscription_lag_events")
        .help("Events published and not yet acknowledged, for the max-metric-keys subscriptions furthest behind"
            + " (the rest summed as other); from the analytics read side, on the node it runs on")
        .labelNames("subscription").callback(callback -> LabelBudget.largest(lagOf(0), maxKeys)
            .forEach((subscription, events) -> callback.call(events, subscription))).register(registry);
    GaugeWithCallback.builder().name("tollgate_subscription_lag_seconds")
        .help("Age of the oldest unacknowledged event, for the max-metric-keys subscriptions furthest behind")
        .labelNames("subscription").callback(callback -> LabelBudget.largest(lagOf(1), maxKeys)
            .forEach((subscription, seconds) -> callback.call(seconds, subscription))).register(registry);
    charges = Counter.builder().name("tollgate_billing_charges_total")
        .help("Amounts of finalized invoice lines, by currency, as the analytics read side reads them")
        .labelNames("currency").register(registry);
    revenue = Counter.builder().name("tollgate_billing_revenue_total")
        .help("Producers' revenue shares credited, by currency").labelNames("currency").register(registry);
    revenueReversed = Counter.builder().name("tollgate_billing_revenue_reversed_total")
        .help("Producers' revenue shares taken back by voids and credit notes, by currency; net revenue is "
            + "tollgate_billing_revenue_total minus this").labelNames("currency").register(registry);
    analyticsJournalReads = Counter.builder().name("tollgate_analytics_journal_reads_total")
        .help("Journal queries of the analytics read side (on the node it runs on): one per journal it read, "
            + "only those written since it last read them, except at its start and every full-sweep-every")
        .register(registry);
    invoicesFinalized = Counter.builder().name("tollgate_billing_invoices_finalized_total")
        .help("Invoices finalized").register(registry);
  }

  private Map<String, Long> lagOf(int index) {
    Map<String, Long> values = new java.util.HashMap<>();
    lag.forEach((subscription, both) -> values.put(subscription, both[index]));
    return values;
  }

  /** A gauge whose value is asked for at each scrape (Pekko's cluster members, say). */
  public void gauge(String name, String help, IntSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(callback -> callback.call(value.getAsInt()))
        .register(registry);
  }

  /**
   * A counter without labels, or with one (its value given on each increment): for the journal
   * trimmer's and retention's counts.
   */
  public Counter counter(String name, String help, String... labels) {
    return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
  }

  public void publishedTo(String topic, long events) {
    topicPublishedEvents.labelValues(topics.label(topic)).inc(events);
  }

  public void deliveredTo(String subscription, long events, long bytes) {
    String label = subscriptions.label(subscription);
    subscriptionDeliveredEvents.labelValues(label).inc(events);
    subscriptionDeliveredBytes.labelValues(label).inc(bytes);
  }

  /** {@code next}, and each subscription's deliveries counted here too. */
  public DeliveryObserver counting(DeliveryObserver next) {
    return new DeliveryObserver() {
      @Override
      public void filtered(String subscription) {
        next.filtered(subscription);
      }

      @Override
      public void redacted(String subscription) {
        next.redacted(subscription);
      }

      @Override
      public void quotaBlocked(String subscription) {
        next.quotaBlocked(subscription);
      }

      @Override
      public void delivered(String subscription, List<Delivery> deliveries, long bytes) {
        deliveredTo(subscription, deliveries.size(), bytes);
        next.delivered(subscription, deliveries, bytes);
      }
    };
  }

  /** The lag of every subscription behind, as {events, seconds}. */
  public void lag(Map<String, long[]> bySubscription) {
    lag = Map.copyOf(bySubscription);
  }

  public void charged(String currency, BigDecimal amount) {
    charges.labelValues(currency).inc(amount.doubleValue());
  }

  /** A credit to producers, or (negative) a reversal of one: a counter only grows, so each has its own. */
  public void credited(String currency, BigDecimal amount) {
    if (amount.signum() < 0) {
      revenueReversed.labelValues(currency).inc(amount.negate().doubleValue());
    } else {
      revenue.labelValues(currency).inc(amount.doubleValue());
    }
  }

  public void analyticsJournalsRead(int journals) {
    analyticsJournalReads.inc(journals);
  }

  public void invoiceFinalized() {
    invoicesFinalized.inc();
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

  /**
   * The heap the node's shared tails hold together, as estimated, against their budget
   * (tollgate.subscriptions.tails-max-heap), and the entries the budget made them evict.
   */
  public void watchTailBudget(DoubleSupplier heapBytes, DoubleSupplier maxHeapBytes, DoubleSupplier evictedEntries) {
    GaugeWithCallback.builder().name("tollgate_tail_heap_bytes")
        .help("Heap the shared tails of this node hold together (decoded entries and rendered pieces), as estimated")
        .callback(callback -> callback.call(heapBytes.getAsDouble())).register(registry);
    GaugeWithCallback.builder().name("tollgate_tail_heap_max_bytes")
        .help("The heap budget of this node's shared tails: tollgate.subscriptions.tails-max-heap")
        .callback(callback -> callback.call(maxHeapBytes.getAsDouble())).register(registry);
    CounterWithCallback.builder().name("tollgate_tail_evicted_entries_total")
        .help("Journal entries the shared tails gave back because together they passed their heap budget;"
            + " the streams behind them read the journal")
        .callback(callback -> callback.call(evictedEntries.getAsDouble())).register(registry);
  }

  /**
   * How far back each partition's deduplication window reaches (tollgate.topics.dedup.window,
   * or less where its byte cap was reached first), for the max-metric-keys partitions of this
   * node that reach least, and what the windows count together.
   */
  public void watchDedup(DedupWindows windows) {
    GaugeWithCallback.builder().name("tollgate_dedup_window_seconds")
        .help("How far back a partition recognises a retried publish: tollgate.topics.dedup.window, or less when"
            + " its byte cap was reached first; the max-metric-keys partitions of this node that reach least")
        .labelNames("topic", "partition")
        .callback(callback -> windows.shortest(maxKeys).forEach(reach -> callback.call(reach.seconds(),
            reach.partition().topic(), Integer.toString(reach.partition().partition()))))
        .register(registry);
    GaugeWithCallback.builder().name("tollgate_dedup_window_bytes")
        .help("What the deduplication windows of this node's partitions count against their caps, together")
        .callback(callback -> callback.call(windows.countedBytes())).register(registry);
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
