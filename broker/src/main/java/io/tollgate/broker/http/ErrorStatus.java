package io.tollgate.broker.http;

import static java.util.Map.entry;

import java.util.Map;

/**
 * The HTTP status of each error code of the contract: the one place that says it, kept equal to
 * README's table of error codes by {@code ErrorStatusTest}. Domain code refuses with a code and
 * never names a status; TCP and WebSocket streams carry the code alone.
 */
public final class ErrorStatus {
  /** A code missing here is a defect: it answers 500, and the test that reads the sources fails. */
  private static final Map<String, Integer> STATUS = Map.ofEntries(
      entry("bad_request", 400),
      entry("malformed_json", 400),
      entry("trailing_json", 400),
      entry("duplicate_key", 400),
      entry("too_deep", 400),
      entry("schema_too_complex", 400),
      entry("schema_too_costly", 400),
      entry("unknown_field", 400),
      entry("missing_field", 400),
      entry("invalid_field", 400),
      entry("field_too_long", 400),
      entry("too_many_extensions", 400),
      entry("invalid_filter", 400),
      entry("invalid_request", 400),
      entry("invalid_schema", 400),
      entry("schema_violation", 400),
      entry("unsupported_delivery", 400),
      entry("invalid_webhook_url", 400),
      entry("webhook_host_unresolvable", 400),
      entry("webhook_target_loopback", 400),
      entry("webhook_target_private", 400),
      entry("webhook_target_link_local", 400),
      entry("invalid_before", 400),
      entry("not_a_webhook_subscription", 409),
      entry("webhooks_unavailable", 503),
      entry("invalid_price", 400),
      entry("invalid_amount", 400),
      entry("credit_exceeds_invoice", 400),
      entry("invalid_plan", 400),
      entry("plan_not_in_product", 400),
      entry("plan_unchanged", 400),
      entry("subscription_cancelled", 409),
      entry("subscription_paused", 409),
      entry("subscription_not_paused", 409),
      entry("invalid_format", 400),
      entry("unknown_parameter", 400),
      entry("invalid_query", 400),
      entry("invalid_kind", 400),
      entry("invalid_limit", 400),
      entry("invalid_after", 400),
      entry("invalid_cloudevent", 400),
      entry("empty_batch", 400),
      entry("websocket_required", 400),
      entry("malformed_cursor", 400),
      entry("unauthenticated", 401),
      entry("invalid_key", 401),
      entry("invalid_token", 401),
      entry("token_expired", 401),
      entry("forbidden", 403),
      entry("not_found", 404),
      entry("account_not_found", 404),
      entry("domain_not_found", 404),
      entry("topic_not_found", 404),
      entry("product_not_found", 404),
      entry("plan_not_found", 404),
      entry("subscription_not_found", 404),
      entry("key_not_found", 404),
      entry("invoice_not_found", 404),
      entry("session_not_found", 404),
      entry("method_not_allowed", 405),
      entry("not_acceptable", 406),
      entry("account_exists", 409),
      entry("domain_name_unavailable", 409),
      entry("topic_exists", 409),
      entry("product_exists", 409),
      entry("plan_exists", 409),
      entry("subscription_exists", 409),
      entry("plan_in_use", 409),
      entry("too_many_domains", 409),
      entry("too_many_topics", 409),
      entry("too_many_products", 409),
      entry("too_many_plans", 409),
      entry("too_many_keys", 409),
      entry("too_many_subscriptions", 409),
      entry("too_many_topics_in_product", 409),
      entry("too_many_plans_in_product", 409),
      entry("too_many_partitions_in_product", 409),
      entry("too_many_schema_versions", 409),
      entry("too_many_plan_changes", 409),
      entry("too_many_resources", 409),
      entry("too_many_catalog_bytes", 409),
      entry("key_expired", 409),
      entry("invoice_paid", 409),
      entry("invoice_void", 409),
      entry("idempotency_key_reused", 409),
      entry("incompatible_schema", 409),
      entry("unknown_cursor", 409),
      entry("no_open_stream", 409),
      entry("resync", 409),
      entry("batch_too_large", 413),
      entry("event_too_large", 413),
      entry("payload_too_large", 413),
      entry("request_too_large", 413),
      entry("schema_too_large", 413),
      entry("unsupported_media_type", 415),
      entry("too_many_auth_failures", 429),
      entry("too_many_connections_for_account", 429),
      entry("too_many_connections_for_address", 429),
      entry("publish_rate_limited", 429),
      entry("internal_error", 500),
      entry("jwks_unavailable", 503),
      entry("partition_overloaded", 503),
      entry("storage_unavailable", 503),
      entry("publish_timeout", 503),
      entry("timeout", 503),
      entry("unavailable", 503),
      entry("not_ready", 503));

  private ErrorStatus() {}

  public static int of(String code) {
    return STATUS.getOrDefault(code, 500);
  }

  /** Every code with an HTTP status. */
  static Map<String, Integer> all() {
    return STATUS;
  }
}
