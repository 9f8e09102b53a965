package io.tollgate.broker.analytics;

import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/** Rollups to and from their Protobuf form (analytics.proto). */
public final class RollupProtos {
  private RollupProtos() {}

  public static AnalyticsRollup toProto(Dimension dimension, String key, long bucketMillis, Rollup rollup) {
    AnalyticsRollup.Builder proto = AnalyticsRollup.newBuilder().setDimension(dimension.wireName()).setKey(key)
        .setBucketMillis(bucketMillis)
        .setPublishedEvents(rollup.publishedEvents()).setPublishedBytes(rollup.publishedBytes())
        .setDeliveredEvents(rollup.deliveredEvents()).setDeliveredBytes(rollup.deliveredBytes())
        .setAcknowledgedEvents(rollup.acknowledgedEvents()).setFilteredEvents(rollup.filteredEvents())
        .setRedactedEvents(rollup.redactedEvents()).setQuotaBlockedEvents(rollup.quotaBlockedEvents())
        .setAuthFailures(rollup.authFailures()).setLagEvents(rollup.lagEvents()).setLagSeconds(rollup.lagSeconds())
        .setLatency(rollup.latency().encoded());
    rollup.charges().forEach((currency, amount) -> proto.putCharges(currency, amount.toPlainString()));
    rollup.revenue().forEach((currency, amount) -> proto.putRevenue(currency, amount.toPlainString()));
    return proto.build();
  }

  public static AnalyticsRollup toProto(RollupTable.Minute minute) {
    return toProto(minute.dimension(), minute.key(), minute.minuteMillis(), minute.rollup());
  }

  public static Rollup rollupOf(AnalyticsRollup proto) {
    return new Rollup(proto.getPublishedEvents(), proto.getPublishedBytes(), proto.getDeliveredEvents(),
        proto.getDeliveredBytes(), proto.getAcknowledgedEvents(), proto.getFilteredEvents(), proto.getRedactedEvents(),
        proto.getQuotaBlockedEvents(), proto.getAuthFailures(), proto.getLagEvents(), proto.getLagSeconds(),
        Latency.fromEncoded(proto.getLatency()), money(proto.getChargesMap()), money(proto.getRevenueMap()));
  }

  public static RollupTable.Minute minuteOf(AnalyticsRollup proto) {
    Dimension dimension = Dimension.fromWire(proto.getDimension())
        .orElseThrow(() -> new IllegalArgumentException("unknown analytics dimension " + proto.getDimension()));
    return new RollupTable.Minute(dimension, proto.getKey(), proto.getBucketMillis(), rollupOf(proto));
  }

  private static TreeMap<String, BigDecimal> money(Map<String, String> amounts) {
    TreeMap<String, BigDecimal> money = new TreeMap<>();
    amounts.forEach((currency, amount) -> money.put(currency, new BigDecimal(amount)));
    return money;
  }
}
