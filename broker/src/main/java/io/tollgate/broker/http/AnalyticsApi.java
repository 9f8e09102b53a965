package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.analytics.Analytics;
import io.tollgate.broker.analytics.AnalyticsScope;
import io.tollgate.broker.analytics.AnalyticsSettings;
import io.tollgate.broker.analytics.Dimension;
import io.tollgate.broker.analytics.Resolution;
import io.tollgate.broker.analytics.Rollup;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.error.Refusal;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;
import org.HdrHistogram.Histogram;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code GET /v1/analytics/{dimension}}: rollups of one dimension over a range, at a resolution,
 * as the caller may see them ({@link AnalyticsScope}). The range and the buckets per series are
 * bounded (tollgate.analytics.max-range, max-buckets), so one query cannot ask the read side for
 * more than a month of minutes per key.
 */
public final class AnalyticsApi {
  private final CatalogView view;
  private final Optional<Analytics> analytics;
  private final AnalyticsSettings settings;

  /** {@code analytics}: empty when tollgate.analytics.enabled is off. */
  public AnalyticsApi(CatalogView view, Optional<Analytics> analytics, AnalyticsSettings settings) {
    this.view = view;
    this.analytics = analytics;
    this.settings = settings;
  }

  /** The parsed and bounded question. */
  record Ask(Dimension dimension, Instant from, Instant to, Resolution resolution, Optional<String> key) {}

  Ask parse(String dimension, Optional<String> from, Optional<String> to, Optional<String> resolution,
            Optional<String> key) {
    Dimension asked = Dimension.fromWire(dimension).orElseThrow(() -> new Refusal("unknown_dimension",
        "analytics are grouped by topics, products, plans, accounts or subscriptions, not \"" + dimension + "\""));
    Resolution width = Resolution.fromWire(resolution.orElse("minute")).orElseThrow(() -> new Refusal(
        "invalid_resolution", "resolution is minute, hour or day"));
    Instant start = instant("from", from);
    Instant end = instant("to", to);
    if (!start.isBefore(end)) {
      throw new Refusal("invalid_range", "from must be before to");
    }
    if (Duration.between(start, end).compareTo(settings.maxRange()) > 0) {
      throw new Refusal("range_too_long", "a query covers at most " + settings.maxRange().toDays() + " days");
    }
    long buckets = width.bucketsBetween(start.toEpochMilli(), end.toEpochMilli());
    if (buckets > settings.maxBuckets()) {
      throw new Refusal("too_many_buckets", "the range holds " + buckets + " " + width.wireName()
          + " buckets; at most " + settings.maxBuckets() + " may be asked for at once: use a coarser resolution"
          + " or a shorter range");
    }
    return new Ask(asked, start, end, width, key);
  }

  private static Instant instant(String name, Optional<String> text) {
    if (text.isEmpty()) {
      throw new Refusal("invalid_range", name + " is required: an ISO-8601 instant such as 2026-12-06T00:00:00Z");
    }
    try {
      return Instant.parse(text.get());
    } catch (DateTimeParseException e) {
      throw new Refusal("invalid_range", name + " is not an ISO-8601 instant such as 2026-12-06T00:00:00Z");
    }
  }

  public CompletionStage<HttpResponse> query(Principal principal, String dimension, Optional<String> from,
                                             Optional<String> to, Optional<String> resolution, Optional<String> key) {
    Ask ask = parse(dimension, from, to, resolution, key);
    if (analytics.isEmpty()) {
      throw new Refusal("analytics_disabled", "this cluster keeps no analytics (tollgate.analytics.enabled = off)");
    }
    AnalyticsScope scope = scopeOf(principal, ask.dimension());
    if (ask.key().isPresent() && !scope.sees(ask.key().get())) {
      throw new Refusal("analytics_key_not_found", "no " + ask.dimension().wireName() + " " + ask.key().get()
          + " this caller may see");
    }
    return analytics.get().query(ask.dimension(), scope.keys(ask.key()), ask.from().toEpochMilli(),
            ask.to().toEpochMilli(), ask.resolution())
        .thenApply(series -> Responses.json(200, render(ask, scope, series.byKey())));
  }

  private AnalyticsScope scopeOf(Principal principal, Dimension dimension) {
    if (principal.isOperator()) {
      return AnalyticsScope.OPERATOR;
    }
    Principal.OfAccount caller = (Principal.OfAccount) principal;
    AccountReads.requireRead(principal, caller.accountId());
    AccountReads.requireUnlimited(principal, "analytics");
    return AnalyticsScope.of(view.catalog(), caller.accountId(), dimension);
  }

  private static ObjectNode render(Ask ask, AnalyticsScope scope, Map<String, SortedMap<Long, Rollup>> byKey) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    body.put("dimension", ask.dimension().wireName());
    body.put("resolution", ask.resolution().wireName());
    body.put("from", ask.from().toString());
    body.put("to", ask.to().toString());
    ArrayNode data = body.putArray("data");
    byKey.forEach((key, buckets) -> {
      ObjectNode entry = data.addObject();
      entry.put("key", key);
      ArrayNode series = entry.putArray("series");
      buckets.forEach((at, rollup) -> bucket(series.addObject(), at, scope.shown(key, rollup)));
    });
    return body;
  }

  private static void bucket(ObjectNode json, long at, Rollup rollup) {
    json.put("at", Instant.ofEpochMilli(at).toString());
    json.put("published_events", rollup.publishedEvents());
    json.put("published_bytes", rollup.publishedBytes());
    json.put("delivered_events", rollup.deliveredEvents());
    json.put("delivered_bytes", rollup.deliveredBytes());
    json.put("acknowledged_events", rollup.acknowledgedEvents());
    json.put("filtered_events", rollup.filteredEvents());
    json.put("redacted_events", rollup.redactedEvents());
    json.put("quota_blocked_events", rollup.quotaBlockedEvents());
    json.put("auth_failures", rollup.authFailures());
    json.put("lag_events", rollup.lagEvents());
    json.put("lag_seconds", rollup.lagSeconds());
    ObjectNode latency = json.putObject("latency_ms");
    if (rollup.latency().isEmpty()) {
      latency.putNull("p50");
      latency.putNull("p99");
      latency.putNull("max");
    } else {
      Histogram histogram = rollup.latency().histogram();
      latency.put("p50", histogram.getValueAtPercentile(50));
      latency.put("p99", histogram.getValueAtPercentile(99));
      latency.put("max", histogram.getMaxValue());
    }
    money(json.putObject("charges"), rollup.charges());
    money(json.putObject("revenue"), rollup.revenue());
  }

  private static void money(ObjectNode json, Map<String, BigDecimal> amounts) {
    amounts.forEach((currency, amount) -> json.put(currency, amount.toPlainString()));
  }
}
