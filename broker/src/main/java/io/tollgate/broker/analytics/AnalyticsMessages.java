package io.tollgate.broker.analytics;

import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.journal.AnalyticsObserved;
import io.tollgate.protocols.v1.journal.AnalyticsPositions;
import io.tollgate.protocols.v1.journal.AnalyticsPositionsRequest;
import io.tollgate.protocols.v1.journal.AnalyticsQuery;
import io.tollgate.protocols.v1.journal.AnalyticsRolled;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import io.tollgate.protocols.v1.journal.AnalyticsSeries;
import io.tollgate.protocols.v1.journal.AnalyticsSnapshot;
import io.tollgate.protocols.v1.journal.AnalyticsWritten;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** What the analytics read side journals and takes across nodes (analytics.proto). */
public final class AnalyticsMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(AnalyticsRolled.getDefaultInstance()),
      MessageCodec.stored(AnalyticsSnapshot.getDefaultInstance()),
      MessageCodec.of("AnalyticsObserved", AnalyticsReadSide.Observe.class, AnalyticsObserved.parser(),
          (observe, refs) -> AnalyticsObserved.newBuilder().addAllRollups(observe.rollups())
              .setReplyTo(refs.text(observe.replyTo())).build(),
          (proto, refs) -> new AnalyticsReadSide.Observe(proto.getRollupsList(), refs.ref(proto.getReplyTo()))),
      MessageCodec.of("AnalyticsQuery", AnalyticsReadSide.Query.class, AnalyticsQuery.parser(),
          (query, refs) -> AnalyticsQuery.newBuilder().setDimension(query.dimension().wireName())
              .addAllKeys(query.keys().orElse(Set.of())).setAllKeys(query.keys().isEmpty())
              .setFromMillis(query.fromMillis()).setToMillis(query.toMillis())
              .setResolution(query.resolution().wireName()).setReplyTo(refs.text(query.replyTo())).build(),
          (proto, refs) -> new AnalyticsReadSide.Query(Dimension.fromWire(proto.getDimension()).orElseThrow(),
              proto.getAllKeys() ? Optional.empty() : Optional.of(Set.copyOf(proto.getKeysList())),
              proto.getFromMillis(), proto.getToMillis(), Resolution.fromWire(proto.getResolution()).orElseThrow(),
              refs.ref(proto.getReplyTo()))),
      MessageCodec.of("AnalyticsSeries", AnalyticsReadSide.Series.class, AnalyticsSeries.parser(),
          (series, refs) -> seriesToProto(series), (proto, refs) -> seriesOf(proto)),
      MessageCodec.of("AnalyticsWritten", AnalyticsReadSide.Written.class, AnalyticsWritten.parser(),
          (written, refs) -> AnalyticsWritten.newBuilder().addAllPersistenceIds(written.persistenceIds()).build(),
          (proto, refs) -> new AnalyticsReadSide.Written(Set.copyOf(proto.getPersistenceIdsList()))),
      MessageCodec.replyOnly("AnalyticsPositionsRequest", AnalyticsReadSide.GetPositions.class,
          AnalyticsReadSide.GetPositions::replyTo, AnalyticsReadSide.GetPositions::new),
      MessageCodec.of("AnalyticsPositions", AnalyticsReadSide.Positions.class, AnalyticsPositions.parser(),
          (positions, refs) -> AnalyticsPositions.newBuilder().putAllPositions(positions.byJournal()).build(),
          (proto, refs) -> new AnalyticsReadSide.Positions(Map.copyOf(proto.getPositionsMap()))));

  private AnalyticsMessages() {}

  private static AnalyticsSeries seriesToProto(AnalyticsReadSide.Series series) {
    AnalyticsSeries.Builder proto = AnalyticsSeries.newBuilder();
    series.byKey().forEach((key, buckets) -> buckets.forEach((at, rollup) ->
        proto.addBuckets(RollupProtos.toProto(Dimension.TOPICS, key, at, rollup).toBuilder().clearDimension())));
    return proto.build();
  }

  private static AnalyticsReadSide.Series seriesOf(AnalyticsSeries proto) {
    Map<String, SortedMap<Long, Rollup>> byKey = new TreeMap<>();
    for (AnalyticsRollup bucket : proto.getBucketsList()) {
      byKey.computeIfAbsent(bucket.getKey(), key -> new TreeMap<>())
          .put(bucket.getBucketMillis(), RollupProtos.rollupOf(bucket));
    }
    return new AnalyticsReadSide.Series(byKey);
  }
}
