package io.tollgate.broker.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What each endpoint of {@link HttpApi}'s route table takes and answers, for the OpenAPI document
 * ({@link OpenApiDocument}). The route table says which endpoints exist; this says what they
 * mean. {@code OpenApiDocumentTest} fails when the two disagree, so neither can drift.
 */
final class ApiOperations {
  /**
   * One endpoint's contract.
   *
   * @param request the component schema of the JSON body, if it takes one
   * @param status the status of success
   * @param response the component schema of the answer, if it has a JSON body
   * @param query the query parameters it reads
   * @param errors the codes it may answer besides those every endpoint of its kind may (see
   *     {@link OpenApiDocument}); their statuses come from {@link ErrorStatus}
   */
  record Operation(String id, String tag, String summary, Optional<String> request, int status,
                   Optional<String> response, List<String> query, List<String> errors) {}

  private static final List<String> DEAD_LETTER_SELECTION_ERRORS = List.of("not_a_webhook_subscription",
      "invalid_dead_letter_time", "malformed_cursor", "empty_dead_letter_range", "dead_letter_cursors_span_partitions",
      "dead_letter_selection_mixed", "invalid_number");

  private ApiOperations() {}

  private static Operation read(String id, String tag, String summary, String response, String... errors) {
    return new Operation(id, tag, summary, Optional.empty(), 200, Optional.of(response), List.of(), List.of(errors));
  }

  /** A list, read a page at a time ({@code limit}, {@code after}). */
  private static Operation list(String id, String tag, String summary, String response) {
    return withQuery(read(id, tag, summary, response), "limit", "after");
  }

  private static Operation create(String id, String tag, String summary, String request, String response,
                                  String... errors) {
    return new Operation(id, tag, summary, Optional.of(request), 201, Optional.of(response), List.of(),
        List.of(errors));
  }

  private static Operation act(String id, String tag, String summary, int status, String response, String... errors) {
    return new Operation(id, tag, summary, Optional.empty(), status, Optional.ofNullable(response), List.of(),
        List.of(errors));
  }

  private static Operation withQuery(Operation operation, String... query) {
    return new Operation(operation.id(), operation.tag(), operation.summary(), operation.request(), operation.status(),
        operation.response(), List.of(query), operation.errors());
  }

  private static Map.Entry<HttpApi.Endpoint, Operation> at(String method, String path, Operation operation) {
    return Map.entry(new HttpApi.Endpoint(method, path), operation);
  }

  /** Every endpoint's contract, keyed by the endpoint. */
  static final Map<HttpApi.Endpoint, Operation> ALL = Stream.of(
      at("GET", "/healthz", act("health", "node", "The process is up.", 200, "Status")),
      at("GET", "/readyz", act("readiness", "node", "The node has joined its cluster and serves.", 200, "Status",
          "not_ready")),
      at("GET", "/metrics", act("metrics", "node", "Prometheus metrics, as text.", 200, null)),
      at("GET", "/v1/openapi.json", act("openapi", "node", "This document.", 200, "OpenApi")),

      at("GET", "/v1/me", read("getCaller", "accounts",
          "Who the credential is: the operator, or an account with its scopes and resource limits.", "Caller")),
      at("GET", "/v1/cluster/members", read("listClusterMembers", "node",
          "The cluster's members as the serving node sees them: address, status, reachability, roles, leader"
              + " (operator).", "ClusterMembers")),
      at("POST", "/v1/accounts", create("createAccount", "accounts", "Creates an account (operator).", "NewAccount",
          "Account", "account_exists")),
      at("GET", "/v1/accounts", list("listAccounts", "accounts", "The accounts the caller may see.", "AccountList")),
      at("GET", "/v1/accounts/{account}", read("getAccount", "accounts", "One account.", "Account")),
      at("POST", "/v1/accounts/{account}/keys", create("createKey", "keys",
          "Creates an API key; its secret is shown once.", "NewKey", "KeyWithSecret", "too_many_keys",
          "too_many_resources")),
      at("GET", "/v1/accounts/{account}/keys", list("listKeys", "keys", "The account's keys, without secrets.",
          "KeyList")),
      at("POST", "/v1/accounts/{account}/keys/{key}/rotate", create("rotateKey", "keys",
          "A new secret for the key; the old one works for the overlap.", "KeyRotation", "KeyWithSecret",
          "key_expired")),
      at("DELETE", "/v1/accounts/{account}/keys/{key}", act("deleteKey", "keys",
          "Deletes a key; its open sessions end within about a second.", 204, null)),
      at("GET", "/v1/accounts/{account}/sessions", read("listSessions", "sessions",
          "The account's open streams and TCP connections, on every node.", "SessionList")),
      at("DELETE", "/v1/accounts/{account}/sessions/{session}", act("closeSession", "sessions",
          "Ends one open session, with a frame that says why.", 204, null)),
      at("GET", "/v1/accounts/{account}/usage", read("getUsage", "billing",
          "Acknowledged events per period and subscription, and what the account's topics stored.", "Usage")),
      at("GET", "/v1/accounts/{account}/invoices/upcoming", read("getUpcomingInvoice", "billing",
          "The current period as it stands.", "UpcomingInvoice")),
      at("GET", "/v1/accounts/{account}/invoices", withQuery(read("listInvoices", "billing",
          "Finalized invoices, as JSON or CSV (format=csv).", "InvoiceList", "invalid_format"), "format")),
      at("GET", "/v1/accounts/{account}/statements", withQuery(read("listStatements", "billing",
          "A producer's revenue-share statements, as JSON or CSV (format=csv).", "Statements", "invalid_format"),
          "format")),
      at("GET", "/v1/accounts/{account}/wallet", read("getWallet", "billing", "Prepaid credits.", "Wallet")),
      at("POST", "/v1/accounts/{account}/wallet/top-ups", create("topUp", "billing",
          "Credits the wallet (operator); a repeated idempotency key credits nothing more.", "TopUp", "Wallet",
          "invalid_amount", "idempotency_key_reused")),
      at("POST", "/v1/accounts/{account}/alerts", create("createAlert", "billing",
          "Sets a usage alert: a tollgate.usage.threshold_crossed event on the invoices topic once per period its"
              + " threshold is crossed in; at once when usage is past it already.", "NewAlert", "Alert",
          "invalid_alert_metric", "invalid_threshold", "subscription_not_found", "too_many_alerts")),
      at("GET", "/v1/accounts/{account}/alerts", list("listAlerts", "billing",
          "The account's usage alerts, oldest first.", "AlertList")),
      at("GET", "/v1/accounts/{account}/alerts/{alert}", read("getAlert", "billing",
          "One usage alert, with the open periods it fired in.", "Alert")),
      at("DELETE", "/v1/accounts/{account}/alerts/{alert}", act("deleteAlert", "billing",
          "Deletes a usage alert; a crossing already announced stays on the topic.", 204, null)),
      at("GET", "/v1/invoices/{invoice}", read("getInvoice", "billing", "One invoice.", "Invoice")),
      at("POST", "/v1/invoices/{invoice}/pay", act("payInvoice", "billing", "Marks an invoice paid (operator).",
          200, "Invoice", "invoice_void")),
      at("POST", "/v1/invoices/{invoice}/void", act("voidInvoice", "billing",
          "Voids an invoice (operator): its wallet credits return and the producers' credits are reversed.", 200,
          "Invoice", "invoice_paid")),
      at("POST", "/v1/invoices/{invoice}/credit-notes", create("issueCreditNote", "billing",
          "A numbered correction credited to the wallet (operator).", "NewCreditNote", "Invoice",
          "invalid_amount", "credit_exceeds_invoice", "invoice_void", "unavailable", "idempotency_key_reused")),
      at("GET", "/v1/billing/verification", withQuery(read("verifyBilling", "billing",
          "Recomputes every finalized invoice, credit note and statement from the journals and reports each"
              + " difference to the cent (operator).", "BillingVerification", "account_not_found"), "account")),

      at("POST", "/v1/domains", create("createDomain", "catalog", "Claims a domain for topics.", "NewDomain", "Domain",
          "domain_name_unavailable", "too_many_domains")),
      at("GET", "/v1/domains", list("listDomains", "catalog", "The domains the caller may see.", "DomainList")),
      at("GET", "/v1/domains/{domain}", read("getDomain", "catalog", "One domain.", "Domain")),
      at("POST", "/v1/topics", create("createTopic", "catalog", "Creates a partitioned topic in a domain.", "NewTopic",
          "Topic", "topic_exists", "domain_not_found", "invalid_schema", "schema_too_large", "schema_too_complex",
          "too_many_topics")),
      at("GET", "/v1/topics", list("listTopics", "catalog", "The topics the caller may see.", "TopicList")),
      at("GET", "/v1/topics/{topic}", read("getTopic", "catalog", "One topic, with its current schema.", "Topic")),
      at("POST", "/v1/topics/{topic}/schemas", create("addSchema", "catalog",
          "A new version of the topic's JSON Schema, checked on publish from now on.", "NewSchema", "Topic",
          "invalid_schema", "schema_too_large", "schema_too_complex", "too_many_schema_versions",
          "incompatible_schema")),
      at("POST", "/v1/topics/{topic}/retention", new Operation("setTopicRetention", "catalog",
          "What each partition keeps from now on; a bound left out follows the node's default.",
          Optional.of("Retention"), 200, Optional.of("Topic"), List.of(), List.of())),
      at("POST", "/v1/topics/{topic}/retire", act("retireTopic", "catalog",
          "Retires the topic: it is bundled into no more products; publishing and the products that have it go on.",
          200, "Topic", "topic_retired")),
      at("POST", "/v1/topics/{topic}/events", new Operation("publish", "events",
          "Publishes CloudEvents: structured (application/cloudevents+json), batch "
              + "(application/cloudevents-batch+json) or binary (ce-* headers); 202 once durable.",
          Optional.of("CloudEvent"), 202, Optional.of("Published"), List.of(),
          List.of("invalid_cloudevent", "empty_batch", "batch_too_large", "event_too_large", "schema_violation",
              "schema_too_costly", "schema_too_complex", "unsupported_media_type", "partition_overloaded",
              "publish_timeout", "storage_unavailable", "too_many_extensions", "publish_rate_limited"))),

      at("POST", "/v1/products", create("createProduct", "catalog", "Bundles topics as a product.", "NewProduct",
          "Product", "product_exists", "topic_not_found", "topic_retired", "too_many_products", "too_many_topics_in_product",
          "too_many_partitions_in_product")),
      at("GET", "/v1/products", list("listProducts", "catalog", "The products the caller may see.", "ProductList")),
      at("GET", "/v1/products/{product}", read("getProduct", "catalog", "One product.", "Product")),
      at("PATCH", "/v1/products/{product}", new Operation("updateProduct", "catalog",
          "Edits the product: each field given replaces what it had. Its subscriptions keep running; a topic added is"
              + " read by each stream opened from then on, and a topic leaves only while no subscription runs.",
          Optional.of("ProductUpdate"), 200, Optional.of("Product"), List.of(), List.of("topic_not_found",
          "topic_retired", "product_topic_in_use", "too_many_topics_in_product", "too_many_partitions_in_product"))),
      at("POST", "/v1/products/{product}/retire", act("retireProduct", "catalog",
          "Retires the product: no new subscriptions or plans, and only its owner and subscribers still see it; its"
              + " subscriptions run on under their plans until they end.", 200, "Product", "product_retired")),
      at("GET", "/v1/products/{product}/asyncapi", read("getAsyncApi", "catalog",
          "The product's AsyncAPI 3.0 document.", "AsyncApiDocument")),
      at("POST", "/v1/products/{product}/plans", create("createPlan", "catalog", "Prices a product.", "NewPlan",
          "Plan", "plan_exists", "invalid_plan", "invalid_price", "invalid_filter", "too_many_plans", "product_retired",
          "too_many_plans_in_product")),
      at("GET", "/v1/products/{product}/plans", list("listPlans", "catalog", "The product's plans.", "PlanList")),
      at("GET", "/v1/catalog", withQuery(read("searchCatalog", "catalog",
          "Searches the products the caller may see.", "CatalogPage", "unknown_parameter", "invalid_query",
          "invalid_kind", "invalid_limit"), "q", "kind", "limit", "after")),
      at("GET", "/v1/plans/{plan}", read("getPlan", "catalog", "One plan.", "Plan")),
      at("DELETE", "/v1/plans/{plan}", act("deletePlan", "catalog", "Deletes a plan no subscription ever used.", 204,
          null, "plan_in_use")),
      at("PATCH", "/v1/plans/{plan}", new Operation("updatePlan", "catalog",
          "Renames the plan. Its terms never change (its subscriptions are billed by them): new terms are a new plan.",
          Optional.of("PlanUpdate"), 200, Optional.of("Plan"), List.of(), List.of())),
      at("POST", "/v1/plans/{plan}/retire", act("retirePlan", "catalog",
          "Retires the plan: no new subscription or plan change onto it; its subscriptions keep its terms until they"
              + " end.", 200, "Plan", "plan_retired")),

      at("POST", "/v1/subscriptions", create("createSubscription", "subscriptions",
          "Subscribes an account to a product under a plan.", "NewSubscription", "Subscription",
          "subscription_exists", "product_not_found", "plan_not_found", "plan_not_in_product", "product_retired",
          "plan_retired",
          "unsupported_delivery", "invalid_filter", "too_many_subscriptions", "invalid_webhook_url",
          "webhook_host_unresolvable", "webhook_target_loopback", "webhook_target_private", "webhook_target_link_local",
          "webhooks_unavailable", "invalid_dead_letter_enabled", "invalid_dead_letter_after",
          "invalid_dead_letter_attempts")),
      at("GET", "/v1/subscriptions", list("listSubscriptions", "subscriptions",
          "The subscriptions the caller may see.", "SubscriptionList")),
      at("GET", "/v1/subscriptions/{subscription}", read("getSubscription", "subscriptions",
          "One subscription, with its cursors and this period's usage.", "Subscription")),
      at("GET", "/v1/subscriptions/{subscription}/stream", act("stream", "subscriptions",
          "Upgrades to a WebSocket stream of the subscription's events (README, \"Streams\").", 101, null,
          "websocket_required", "too_many_connections_for_account", "too_many_connections_for_address",
          "subscription_cancelled", "subscription_paused")),
      at("GET", "/v1/subscriptions/{subscription}/events", act("eventStream", "subscriptions",
          "The subscription's events as server-sent events (text/event-stream): each event's id is its cursor and its"
              + " data the JSON of a WebSocket event frame; Last-Event-ID acknowledges through that cursor and resumes"
              + " after it (README, \"Server-sent events\").", 200, null,
          "not_acceptable", "malformed_cursor", "unknown_cursor", "too_many_connections_for_account",
          "too_many_connections_for_address", "subscription_cancelled", "subscription_paused")),
      at("GET", "/v1/subscriptions/{subscription}/preview", withQuery(read("previewSubscription", "subscriptions",
          "The newest events (limit, 1 to 100, default 20) the subscription's consumer may see, filtered and redacted"
              + " as its stream delivers them, read from the journals: nothing is acknowledged, metered or billed and"
              + " the cursor does not move.", "Preview", "invalid_limit", "subscription_cancelled"), "limit")),
      at("POST", "/v1/subscriptions/{subscription}/acks", new Operation("ackEvents", "subscriptions",
          "Acknowledges an event delivered on the subscription's open stream and every earlier one of its partition;"
              + " answered once committed, so each acknowledged event is billed once.", Optional.of("Ack"), 200,
          Optional.of("AckCommitted"), List.of(), List.of("malformed_cursor", "unknown_cursor", "no_open_stream",
              "resync"))),
      at("POST", "/v1/subscriptions/{subscription}/seek", new Operation("seekSubscription", "subscriptions",
          "Moves the subscription's cursor to the start, the end, a time, or after given cursors (a replay, or a"
              + " skip); the open stream ends with cursor_moved. What is delivered and acknowledged again is billed"
              + " again; what is skipped is not (docs/billing.md).", Optional.of("Seek"), 200,
          Optional.of("Subscription"), List.of(), List.of("malformed_cursor", "unknown_cursor"))),
      at("POST", "/v1/subscriptions/{subscription}/plan", new Operation("changePlan", "subscriptions",
          "Moves the subscription to another plan of its product from now on.", Optional.of("PlanChange"), 200,
          Optional.of("Subscription"), List.of(), List.of("plan_not_found", "plan_not_in_product", "plan_unchanged", "plan_retired",
          "too_many_plan_changes", "subscription_cancelled"))),
      at("POST", "/v1/subscriptions/{subscription}/cancel", new Operation("cancelSubscription", "subscriptions",
          "Cancels the subscription now or at the end of the period: it streams and is billed up to its end, the "
              + "recurring fee prorated as for a plan change (docs/billing.md).", Optional.of("Cancel"), 200,
          Optional.of("Subscription"), List.of(), List.of("subscription_cancelled"))),
      at("POST", "/v1/subscriptions/{subscription}/pause", new Operation("pauseSubscription", "subscriptions",
          "Pauses the subscription from now: nothing is delivered or billed until it is resumed, and its open "
              + "streams end (docs/billing.md).", Optional.empty(), 200,
          Optional.of("Subscription"), List.of(), List.of("subscription_paused", "subscription_cancelled"))),
      at("POST", "/v1/subscriptions/{subscription}/resume", new Operation("resumeSubscription", "subscriptions",
          "Resumes a paused subscription from now; a stream continues after the last ack.", Optional.empty(), 200,
          Optional.of("Subscription"), List.of(), List.of("subscription_not_paused", "subscription_cancelled"))),
      at("PUT", "/v1/subscriptions/{subscription}/webhook", new Operation("setWebhookEndpoint", "subscriptions",
          "Moves a webhook subscription's endpoint (its URL checked as when it was created) and enables it if it was "
              + "disabled; batch_size, concurrency and dead_letters stay unless given, dead_letters null is the node's "
              + "policy again (README, \"Webhooks\").",
          Optional.of("WebhookEndpoint"), 200, Optional.of("Delivery"), List.of(), List.of("not_a_webhook_subscription",
              "invalid_webhook_url", "webhook_host_unresolvable", "webhook_target_loopback", "webhook_target_private",
              "webhook_target_link_local", "webhooks_unavailable", "subscription_cancelled", "invalid_dead_letter_enabled",
              "invalid_dead_letter_after", "invalid_dead_letter_attempts"))),
      at("POST", "/v1/subscriptions/{subscription}/webhook/secret", act("rotateWebhookSecret", "subscriptions",
          "A new signing secret, shown in this answer only; the previous ones sign too until previous_expire_at, so "
              + "requests carry both signatures meanwhile.", 201, "WebhookSecret", "not_a_webhook_subscription",
          "webhooks_unavailable")),
      at("GET", "/v1/subscriptions/{subscription}/webhook/attempts", withQuery(read("listWebhookAttempts",
          "subscriptions", "The latest delivery attempts of a webhook subscription, newest first, a page at a time: "
              + "status, latency, response excerpt and next try.", "WebhookAttemptPage", "not_a_webhook_subscription",
          "invalid_limit", "invalid_before"), "limit", "before")),
      at("GET", "/v1/subscriptions/{subscription}/webhook/dead-letters", withQuery(read("listWebhookDeadLetters",
          "subscriptions", "A webhook subscription's dead letters (events of batches the dead-letter policy gave up, "
              + "unbilled), oldest first, a page at a time, with what the store holds (README, \"Webhooks\").",
          "DeadLetterPage", "not_a_webhook_subscription", "invalid_limit", "invalid_after"), "limit", "after")),
      at("POST", "/v1/subscriptions/{subscription}/webhook/dead-letters/replay", new Operation(
          "replayWebhookDeadLetters", "subscriptions", "Queues the dead letters a time range, a cursor range of one "
              + "partition or a number selects (all when none) to be sent again through the signed delivery path; each "
              + "is billed once, when a 2xx acknowledges it.", Optional.of("DeadLetterSelection"), 202,
          Optional.of("DeadLettersQueued"), List.of(), DEAD_LETTER_SELECTION_ERRORS)),
      at("DELETE", "/v1/subscriptions/{subscription}/webhook/dead-letters", new Operation("deleteWebhookDeadLetters",
          "subscriptions", "Deletes the dead letters the query selects (from, to, from_cursor, to_cursor or number, as "
              + "a replay's body), all when it selects none; they are never delivered or billed.", Optional.empty(),
          200, Optional.of("DeadLettersDeleted"), List.of("from", "to", "from_cursor", "to_cursor", "number"),
          DEAD_LETTER_SELECTION_ERRORS)),

      at("GET", "/v1/analytics/{dimension}", withQuery(read("getAnalytics", "analytics",
          "Rollups of topics, products, plans, accounts or subscriptions per minute, hour or day over [from, to):"
              + " published, delivered, acknowledged, filtered, redacted and quota-blocked events, failed"
              + " authentications, consumer lag, latency percentiles, charges and revenue, as the caller may see them"
              + " (README, \"Analytics\").", "Analytics", "invalid_range", "invalid_resolution",
          "range_too_long", "too_many_buckets", "analytics_key_not_found", "analytics_disabled"),
          "from", "to", "resolution", "key")),

      at("GET", "/v1/audit", withQuery(read("readAuditLog", "audit",
          "Catalog changes and billing actions, oldest first, a page at a time, kept for tollgate.audit.retention.",
          "AuditPage", "invalid_limit", "invalid_after", "audit_cursor_expired"), "actor", "after", "limit"))
  ).collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
}
