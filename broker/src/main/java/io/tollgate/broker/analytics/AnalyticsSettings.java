package io.tollgate.broker.analytics;

import java.time.Duration;

/**
 * {@code tollgate.analytics}: whether the node keeps analytics at all (off: no read side, no
 * minute record, and the endpoint answers {@code analytics_disabled}); how often the read side
 * reads the journals written since and how much of one journal per read; how often it reads every
 * journal anyway (catching a lost notice of a write); how often a node tells it which journals
 * were written there; how often a node hands its minute
 * record over; the longest range and the most buckets one query may ask for; and how many
 * topics and subscriptions get series of their own on {@code /metrics}.
 */
public record AnalyticsSettings(boolean enabled, Duration readInterval, int maxEntriesPerJournal,
                                Duration fullSweepEvery, Duration noticeInterval, Duration recordInterval, Duration maxRange, int maxBuckets,
                                int maxMetricKeys) {
  public AnalyticsReadSide.Settings readSide() {
    return new AnalyticsReadSide.Settings(readInterval, maxEntriesPerJournal, fullSweepEvery,
        AnalyticsReadSide.SNAPSHOT_EVERY);
  }
}
