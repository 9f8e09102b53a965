package io.tollgate.broker.analytics;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.DeliveryObserver;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * This node's count of what no journal holds, per subscription, for the minute under way:
 * deliveries (events, bytes, publish-to-delivery latency), filtered, redacted and
 * quota-blocked events, and failed authentications. {@link #takeMinute} hands the counts over
 * as rollups, attributed by the catalog; the read side journals them, so they outlive the node.
 * Streams count without locks (adders, an HdrHistogram {@link Recorder}).
 */
public final class MinuteRecorder implements DeliveryObserver {
  private static final class Counts {
    final LongAdder deliveredEvents = new LongAdder();
    final LongAdder deliveredBytes = new LongAdder();
    final LongAdder filtered = new LongAdder();
    final LongAdder redacted = new LongAdder();
    final LongAdder quotaBlocked = new LongAdder();
    final Recorder latency = new Recorder(Latency.HIGHEST_MILLIS, 2);
  }

  private final Clock clock;
  private final Map<String, Counts> bySubscription = new ConcurrentHashMap<>();
  private final LongAdder authFailures = new LongAdder();

  public MinuteRecorder(Clock clock) {
    this.clock = clock;
  }

  private Counts of(String subscription) {
    return bySubscription.computeIfAbsent(subscription, s -> new Counts());
  }

  @Override
  public void filtered(String subscription) {
    of(subscription).filtered.increment();
  }

  @Override
  public void redacted(String subscription) {
    of(subscription).redacted.increment();
  }

  @Override
  public void quotaBlocked(String subscription) {
    of(subscription).quotaBlocked.increment();
  }

  /**
   * One call per frame. The frame's latencies go to the recorder one run of equal values at a
   * time: a frame's events mostly come from one journal entry, so they share their append time
   * and a frame of a hundred costs the recorder one call, not a hundred, for the same histogram.
   * The frame's bytes come summed by the stream, which sums them for every observer at once.
   */
  @Override
  public void delivered(String subscription, List<Delivery> deliveries, long bytes) {
    Counts counts = of(subscription);
    long now = clock.millis();
    long runLatency = -1;
    int runLength = 0;
    for (Delivery delivery : deliveries) {
      if (delivery.appendedAtMillis() > 0) {
        long latency = Latency.clamp(now - delivery.appendedAtMillis());
        if (latency != runLatency && runLength > 0) {
          counts.latency.recordValueWithCount(runLatency, runLength);
          runLength = 0;
        }
        runLatency = latency;
        runLength++;
      }
    }
    if (runLength > 0) {
      counts.latency.recordValueWithCount(runLatency, runLength);
    }
    counts.deliveredEvents.add(deliveries.size());
    counts.deliveredBytes.add(bytes);
  }

  public void authFailed() {
    authFailures.increment();
  }

  /**
   * Everything counted since the last call, as rollups of the minute that holds {@code minute},
   * under every key the catalog attributes each subscription's counts to.
   */
  public List<AnalyticsRollup> takeMinute(Catalog catalog, Instant minute) {
    long at = Resolution.MINUTE.bucketOf(minute.toEpochMilli());
    RollupTable taken = new RollupTable();
    long failures = authFailures.sumThenReset();
    if (failures > 0) {
      taken.add(Dimension.ACCOUNTS, Attribution.UNATTRIBUTED, at, Rollup.authFailures(failures));
    }
    for (Map.Entry<String, Counts> entry : new ArrayList<>(bySubscription.entrySet())) {
      Counts counts = entry.getValue();
      Rollup.Builder rollup = new Rollup.Builder(Rollup.EMPTY);
      rollup.deliveredEvents = counts.deliveredEvents.sumThenReset();
      rollup.deliveredBytes = counts.deliveredBytes.sumThenReset();
      rollup.filteredEvents = counts.filtered.sumThenReset();
      rollup.redactedEvents = counts.redacted.sumThenReset();
      rollup.quotaBlockedEvents = counts.quotaBlocked.sumThenReset();
      rollup.latency = Latency.of(counts.latency.getIntervalHistogram());
      Rollup counted = rollup.build();
      if (counted.isEmpty()) {
        bySubscription.remove(entry.getKey(), counts);
        continue;
      }
      Attribution.ofSubscription(catalog, entry.getKey(), minute)
          .forEach(t -> taken.add(t.dimension(), t.key(), at, counted));
    }
    return taken.all().stream().map(RollupProtos::toProto).toList();
  }
}
