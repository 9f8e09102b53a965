package io.tollgate.cli;

import java.util.List;

/**
 * Every management call of the HTTP API as a command, {@code tollgate <resource> <action>}: the
 * path's parameters are positional, the body's fields and the query's parameters are options.
 * Each names the OpenAPI operation it calls; {@code ManagementCommandsTest} checks against a
 * running node's {@code /v1/openapi.json} that every operation has a command.
 */
public final class ManagementOperations {
  /** How an option's text becomes a JSON value of the body. */
  enum Kind { TEXT, INTEGER, LIST, JSON }

  /**
   * A body field, given as {@code option}; {@code name} is the JSON field. The option is the
   * name with dashes, unless that is one every command has (a webhook's {@code url} is
   * {@code --endpoint-url}, since {@code --url} is the node's).
   */
  record Field(String name, Kind kind, String description, String option) {
    Field(String name, Kind kind, String description) {
      this(name, kind, description, "--" + name.replace('_', '-'));
    }
  }

  /**
   * A query parameter, given as {@code --option}: its name, unless that names an option every
   * command has ({@code --key}, the API key), when {@code option} says which.
   */
  record Query(String name, String description, String option) {
    Query(String name, String description) {
      this(name, description, "--" + name.replace('_', '-'));
    }
  }

  record Operation(String resource, String action, String method, String path, String operationId, String summary,
                   List<Field> fields, List<Query> query, List<String> columns) {
    /** The path's {@code {name}} parameters, in order: the command's positional parameters. */
    List<String> pathParameters() {
      return List.of(path.split("/")).stream().filter(segment -> segment.startsWith("{"))
          .map(segment -> segment.substring(1, segment.length() - 1)).toList();
    }
  }

  /** Operations another command covers: publishing, streaming (WebSocket, or SSE with subscribe --sse), verifying billing. */
  static final List<String> ELSEWHERE = List.of("publish", "stream", "eventStream", "verifyBilling");
  /** The node's own endpoints, which are not management. */
  static final List<String> NODE = List.of("health", "readiness", "metrics", "openapi");

  private static final List<Query> PAGE = List.of(new Query("limit", "At most this many (1 to 1000)."),
      new Query("after", "The next_after of the page before."));

  /** Which dead letters a replay or deletion takes; none given: all. */
  private static final List<Field> DEAD_LETTER_SELECTION = List.of(
      text("from", "Dead-lettered at or after this ISO-8601 instant"),
      text("to", "Dead-lettered before this ISO-8601 instant"),
      text("from_cursor", "Of this cursor's partition, from this cursor"),
      text("to_cursor", "Of this cursor's partition, up to this cursor"),
      integer("number", "Only this dead letter"));

  private ManagementOperations() {}

  /** Every OpenAPI operation the CLI covers: by a management command, by a command of its own, or as the node's. */
  public static java.util.Set<String> operationIds() {
    java.util.Set<String> ids = new java.util.TreeSet<>(ELSEWHERE);
    ids.addAll(NODE);
    ALL.forEach(operation -> ids.add(operation.operationId()));
    return ids;
  }

  private static Operation op(String resource, String action, String method, String path, String operationId,
                              String summary, List<Field> fields, List<Query> query, String... columns) {
    return new Operation(resource, action, method, path, operationId, summary, fields, query, List.of(columns));
  }

  private static Field text(String name, String description) {
    return new Field(name, Kind.TEXT, description);
  }

  private static Field integer(String name, String description) {
    return new Field(name, Kind.INTEGER, description);
  }

  private static Field list(String name, String description) {
    return new Field(name, Kind.LIST, description + " (comma-separated).");
  }

  private static Field json(String name, String description) {
    return new Field(name, Kind.JSON, description + " (JSON).");
  }

  static final List<Operation> ALL = List.of(
      op("me", "get", "GET", "/v1/me", "getCaller", "Who your key or token is: the operator, or an account and its scopes.",
          List.of(), List.of(), "operator", "account", "kind", "scopes"),
      op("accounts", "create", "POST", "/v1/accounts", "createAccount", "Create an account (operator).",
          List.of(text("name", "The account's name.")), List.of(), "id", "name"),
      op("accounts", "list", "GET", "/v1/accounts", "listAccounts", "The accounts you may see.",
          List.of(), PAGE, "id", "name", "created_at"),
      op("accounts", "get", "GET", "/v1/accounts/{account}", "getAccount", "One account.",
          List.of(), List.of()),

      op("keys", "create", "POST", "/v1/accounts/{account}/keys", "createKey",
          "Create an API key; its secret is shown once.",
          List.of(list("scopes", "admin, publish, subscribe, read"), list("resources", "Topics and products it is limited to"),
              text("expires_at", "When it stops working (ISO-8601)")), List.of(), "id", "secret", "scopes"),
      op("keys", "list", "GET", "/v1/accounts/{account}/keys", "listKeys", "The account's keys (no secrets).",
          List.of(), PAGE, "id", "scopes", "resources", "expires_at"),
      op("keys", "rotate", "POST", "/v1/accounts/{account}/keys/{key}/rotate", "rotateKey",
          "A new secret; the old one works for the overlap.",
          List.of(integer("overlap_seconds", "How long the old secret still works")), List.of(), "id", "secret"),
      op("keys", "delete", "DELETE", "/v1/accounts/{account}/keys/{key}", "deleteKey",
          "Delete a key; its open sessions end.", List.of(), List.of()),

      op("sessions", "list", "GET", "/v1/accounts/{account}/sessions", "listSessions",
          "The account's open streams and TCP connections.", List.of(), List.of(),
          "id", "kind", "subscription", "remote_address", "opened_at"),
      op("sessions", "close", "DELETE", "/v1/accounts/{account}/sessions/{session}", "closeSession",
          "End one open session.", List.of(), List.of()),

      op("usage", "get", "GET", "/v1/accounts/{account}/usage", "getUsage",
          "Acknowledged events per period and subscription.", List.of(), List.of()),
      op("invoices", "upcoming", "GET", "/v1/accounts/{account}/invoices/upcoming", "getUpcomingInvoice",
          "The current period as it stands.", List.of(), List.of()),
      op("invoices", "list", "GET", "/v1/accounts/{account}/invoices", "listInvoices", "Finalized invoices.",
          List.of(), List.of(), "id", "number", "status", "currency", "total", "amount_due"),
      op("invoices", "get", "GET", "/v1/invoices/{invoice}", "getInvoice", "One invoice.", List.of(), List.of()),
      op("invoices", "pay", "POST", "/v1/invoices/{invoice}/pay", "payInvoice", "Mark an invoice paid (operator).",
          List.of(), List.of(), "id", "number", "status"),
      op("invoices", "void", "POST", "/v1/invoices/{invoice}/void", "voidInvoice", "Void an invoice (operator).",
          List.of(), List.of(), "id", "number", "status"),
      op("invoices", "credit-note", "POST", "/v1/invoices/{invoice}/credit-notes", "issueCreditNote",
          "Credit part of an invoice to the wallet (operator).",
          List.of(text("amount", "How much"), text("reason", "Why"), text("idempotency_key", "Repeats are issued once")),
          List.of(), "id", "number", "status", "total"),
      op("statements", "list", "GET", "/v1/accounts/{account}/statements", "listStatements",
          "A producer's revenue-share statements.", List.of(), List.of(),
          "period", "currency", "charges", "producer_share", "platform_fees"),
      op("wallet", "get", "GET", "/v1/accounts/{account}/wallet", "getWallet", "Prepaid credits.", List.of(), List.of()),
      op("wallet", "top-up", "POST", "/v1/accounts/{account}/wallet/top-ups", "topUp",
          "Credit the wallet (operator).",
          List.of(text("amount", "How much"), text("currency", "ISO 4217 code"),
              text("idempotency_key", "Repeats credit once")), List.of()),

      op("alerts", "create", "POST", "/v1/accounts/{account}/alerts", "createAlert",
          "Set a usage alert: an event on the invoices topic once per period its threshold is crossed in.",
          List.of(text("metric", "units (events acknowledged) or money (the period's running charge)"),
              text("threshold", "Events (1000) or an amount (\"25.00\")"),
              text("currency", "ISO 4217 code, for a money threshold"),
              text("subscription", "Only this subscription's usage, else the whole account's"),
              text("name", "What to call it")), List.of(), "id", "metric", "threshold", "currency", "subscription"),
      op("alerts", "list", "GET", "/v1/accounts/{account}/alerts", "listAlerts", "The account's usage alerts.",
          List.of(), PAGE, "id", "name", "metric", "threshold", "currency", "subscription"),
      op("alerts", "get", "GET", "/v1/accounts/{account}/alerts/{alert}", "getAlert",
          "One usage alert, with the open periods it fired in.", List.of(), List.of()),
      op("alerts", "delete", "DELETE", "/v1/accounts/{account}/alerts/{alert}", "deleteAlert",
          "Delete a usage alert.", List.of(), List.of()),

      op("domains", "create", "POST", "/v1/domains", "createDomain", "Claim a domain for topics.",
          List.of(text("name", "The domain"), text("owner", "The owning account (operator only)")), List.of(),
          "name", "owner"),
      op("domains", "list", "GET", "/v1/domains", "listDomains", "The domains you may see.", List.of(), PAGE,
          "name", "owner", "created_at"),
      op("domains", "get", "GET", "/v1/domains/{domain}", "getDomain", "One domain.", List.of(), List.of()),

      op("topics", "create", "POST", "/v1/topics", "createTopic", "Create a partitioned topic.",
          List.of(text("name", "domain.name"), text("domain", "Its domain"), integer("partitions", "How many"),
              json("schema", "A JSON Schema for its events"),
              json("retention", "What each partition keeps, e.g. {\"time\":\"P7D\",\"bytes\":1073741824}; "
                  + "unset: the node's default")), List.of(), "name", "domain", "partitions"),
      op("topics", "list", "GET", "/v1/topics", "listTopics", "The topics you may see.", List.of(), PAGE,
          "name", "domain", "partitions", "schema_version"),
      op("topics", "get", "GET", "/v1/topics/{topic}", "getTopic", "One topic.", List.of(), List.of()),
      op("topics", "add-schema", "POST", "/v1/topics/{topic}/schemas", "addSchema",
          "A new version of the topic's JSON Schema.", List.of(json("schema", "The JSON Schema"),
              text("compatibility", "backward (default), forward, full or none")), List.of(),
          "name", "schema_version"),
      op("topics", "set-retention", "POST", "/v1/topics/{topic}/retention", "setTopicRetention",
          "What each partition keeps from now on.", List.of(text("time", "An ISO-8601 duration such as P7D, or forever"),
              text("bytes", "Bytes per partition, or forever")), List.of(), "name", "retention"),
      op("topics", "retire", "POST", "/v1/topics/{topic}/retire", "retireTopic",
          "Retire a topic: no more products bundle it; publishing and the products that have it go on.", List.of(),
          List.of(), "name", "retired_at"),

      op("products", "create", "POST", "/v1/products", "createProduct", "Bundle topics as a product.",
          List.of(text("name", "Its name"), text("owner", "The owning account"), list("topics", "Its topics"),
              text("visibility", "public or private"), text("description", "What it offers")), List.of(),
          "id", "name", "visibility", "topics"),
      op("products", "list", "GET", "/v1/products", "listProducts", "The products you may see.", List.of(), PAGE,
          "id", "name", "owner", "visibility", "topics"),
      op("products", "get", "GET", "/v1/products/{product}", "getProduct", "One product.", List.of(), List.of()),
      op("products", "update", "PATCH", "/v1/products/{product}", "updateProduct",
          "Edit a product: each option given replaces what it had; its subscriptions keep running.",
          List.of(text("name", "Its name"), text("description", "What it offers"), text("visibility", "public or private"),
              list("topics", "Its topics from now on")), List.of(), "id", "name", "visibility", "topics"),
      op("products", "retire", "POST", "/v1/products/{product}/retire", "retireProduct",
          "Retire a product: no new subscriptions or plans; its subscriptions run on until they end.", List.of(),
          List.of(), "id", "name", "retired_at"),
      op("products", "asyncapi", "GET", "/v1/products/{product}/asyncapi", "getAsyncApi",
          "The product's AsyncAPI 3.0 document.", List.of(), List.of()),

      op("plans", "create", "POST", "/v1/products/{product}/plans", "createPlan",
          "Price a product (--body takes the whole plan).",
          List.of(text("name", "Its name"), text("currency", "ISO 4217 code"), json("price", "The price model"),
              integer("free_allowance", "Free events per period"), text("recurring_fee", "Per period"),
              text("revenue_share", "The producer's share, 0 to 1")), List.of(), "id", "name", "currency"),
      op("plans", "list", "GET", "/v1/products/{product}/plans", "listPlans", "The product's plans.", List.of(), PAGE,
          "id", "name", "currency", "free_allowance", "revenue_share"),
      op("plans", "get", "GET", "/v1/plans/{plan}", "getPlan", "One plan.", List.of(), List.of()),
      op("plans", "delete", "DELETE", "/v1/plans/{plan}", "deletePlan", "Delete a plan no subscription used.",
          List.of(), List.of()),
      op("plans", "update", "PATCH", "/v1/plans/{plan}", "updatePlan",
          "Rename a plan (its terms never change: new terms are a new plan).", List.of(text("name", "Its new name")),
          List.of(), "id", "name"),
      op("plans", "retire", "POST", "/v1/plans/{plan}/retire", "retirePlan",
          "Retire a plan: no new subscriptions onto it; its subscriptions keep its terms until they end.", List.of(),
          List.of(), "id", "name", "retired_at"),
      op("catalog", "search", "GET", "/v1/catalog", "searchCatalog", "Search the products you may see.", List.of(),
          List.of(new Query("q", "Words to find"), new Query("kind", "What to find"), PAGE.get(0), PAGE.get(1)),
          "id", "name", "owner"),

      op("subscriptions", "create", "POST", "/v1/subscriptions", "createSubscription",
          "Subscribe an account to a product under a plan.",
          List.of(text("account", "The subscribing account"), text("product", "The product"), text("plan", "Its plan"),
              text("start", "beginning or end"), json("filter", "An event filter"),
              json("delivery", "How it is delivered: {\"type\":\"websocket\"} (the default) or {\"type\":\"sse\"} (either "
                  + "is read over WebSocket and as server-sent events), or {\"type\":\"webhook\",\"url\":\"https://...\"}, "
                  + "with batch_size, concurrency and dead_letters ({\"enabled\":true,\"after\":\"PT10M\","
                  + "\"after_attempts\":5}, each field over the node's) if wanted; a webhook's secret is shown once")),
          List.of(), "id", "account", "product", "plan"),
      op("subscriptions", "list", "GET", "/v1/subscriptions", "listSubscriptions", "The subscriptions you may see.",
          List.of(), PAGE, "id", "account", "product", "plan"),
      op("subscriptions", "get", "GET", "/v1/subscriptions/{subscription}", "getSubscription",
          "One subscription, with its cursors and usage.", List.of(), List.of()),
      op("subscriptions", "preview", "GET", "/v1/subscriptions/{subscription}/preview", "previewSubscription",
          "The newest events the subscription receives, filtered and redacted; nothing is acknowledged or billed.",
          List.of(), List.of(new Query("limit", "At most this many (1 to 100, default 20)")), "cursor", "topic", "offset"),
      op("subscriptions", "ack", "POST", "/v1/subscriptions/{subscription}/acks", "ackEvents",
          "Acknowledge an event delivered on the subscription's open event stream, and every earlier one of its"
              + " partition.", List.of(text("cursor", "The event's cursor (its SSE id)")), List.of()),
      op("subscriptions", "cancel", "POST", "/v1/subscriptions/{subscription}/cancel", "cancelSubscription",
          "Cancel now (the fee prorated) or at the period's end.", List.of(text("at", "now or period_end")), List.of(),
          "id", "status", "cancels_at", "cancelled_at"),
      op("subscriptions", "pause", "POST", "/v1/subscriptions/{subscription}/pause", "pauseSubscription",
          "Pause: nothing is delivered or billed until it resumes.", List.of(), List.of(), "id", "status", "paused_at"),
      op("subscriptions", "resume", "POST", "/v1/subscriptions/{subscription}/resume", "resumeSubscription",
          "Resume after the last acknowledged event.", List.of(), List.of(), "id", "status"),
      op("subscriptions", "seek", "POST", "/v1/subscriptions/{subscription}/seek", "seekSubscription",
          "Move the cursor to the start, the end, a time, or after cursors: a replay or a skip.",
          List.of(text("to", "start, end, time or cursors"), text("time", "With --to time: an instant"),
              list("cursors", "With --to cursors: resume after each")), List.of(), "id", "status"),
      op("subscriptions", "change-plan", "POST", "/v1/subscriptions/{subscription}/plan", "changePlan",
          "Move to another plan of the product from now on.", List.of(text("plan", "The new plan")), List.of(),
          "id", "plan"),

      op("analytics", "get", "GET", "/v1/analytics/{dimension}", "getAnalytics",
          "Rollups of topics, products, plans, accounts or subscriptions over a range (--output json for every"
              + " bucket).", List.of(),
          List.of(new Query("from", "Start, an ISO-8601 instant"), new Query("to", "End (excluded), an ISO-8601 instant"),
              new Query("resolution", "minute, hour or day"), new Query("key", "Only this topic, product, ... id", "--of")),
          "key", "series"),
      op("webhooks", "set-endpoint", "PUT", "/v1/subscriptions/{subscription}/webhook", "setWebhookEndpoint",
          "Move a webhook subscription's endpoint, enabling it again if it was disabled.",
          List.of(new Field("url", Kind.TEXT, "Where requests go", "--endpoint-url"),
              integer("batch_size", "Events per request"),
              integer("concurrency", "Requests in flight at once"),
              json("dead_letters", "Its own dead-letter policy, e.g. {\"enabled\":true,\"after_attempts\":5} (each "
                  + "field over the node's; null: the node's again)")), List.of(), "url", "status"),
      op("webhooks", "rotate-secret", "POST", "/v1/subscriptions/{subscription}/webhook/secret", "rotateWebhookSecret",
          "A new signing secret, shown once; the previous one signs too until previous_expire_at.", List.of(),
          List.of(), "secret", "previous_expire_at"),
      op("webhooks", "attempts", "GET", "/v1/subscriptions/{subscription}/webhook/attempts", "listWebhookAttempts",
          "The latest delivery attempts, newest first.", List.of(),
          List.of(new Query("limit", "At most this many (1 to 100)."), new Query("before", "The next_before of the page before.")),
          "number", "at", "try", "status", "error", "latency_ms", "next_try_at"),
      op("webhooks", "dead-letters", "GET", "/v1/subscriptions/{subscription}/webhook/dead-letters",
          "listWebhookDeadLetters", "Events of batches the dead-letter policy gave up, oldest first (unbilled).",
          List.of(), List.of(new Query("limit", "At most this many (1 to 100)."), PAGE.get(1)),
          "number", "cursor", "dead_at", "reason", "queued"),
      op("webhooks", "replay", "POST", "/v1/subscriptions/{subscription}/webhook/dead-letters/replay",
          "replayWebhookDeadLetters", "Send dead letters again (all, or a time range, a cursor range of one "
              + "partition, or one number); each is billed when a 2xx acknowledges it.",
          DEAD_LETTER_SELECTION, List.of(), "queued"),
      op("webhooks", "delete-dead-letters", "DELETE", "/v1/subscriptions/{subscription}/webhook/dead-letters",
          "deleteWebhookDeadLetters", "Delete dead letters (all, or those a range or number selects); never billed.",
          List.of(), DEAD_LETTER_SELECTION.stream().map(field -> new Query(field.name(), field.description())).toList(),
          "deleted"),

      op("audit", "list", "GET", "/v1/audit", "readAuditLog", "Catalog changes and billing actions.", List.of(),
          List.of(new Query("actor", "Only this account's"), PAGE.get(1), PAGE.get(0)),
          "log", "sequence", "at", "actor", "action", "target"),

      op("cluster", "members", "GET", "/v1/cluster/members", "listClusterMembers",
          "The cluster's members as the node sees them (operator).", List.of(), List.of(),
          "address", "status", "reachable", "leader", "roles"));
}
