package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.billing.BillingException;
import io.tollgate.billing.Cancellation;
import io.tollgate.billing.PlanTermsProto;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Ids;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.auth.Secrets;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.CatalogWriter;
import io.tollgate.broker.catalog.SchemaCompatibility;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.catalog.Visibility;
import io.tollgate.broker.catalog.VisibleCatalog;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.subscription.Subscriptions;
import io.tollgate.broker.webhook.Webhooks;
import io.tollgate.broker.catalog.CatalogCommand;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.broker.topic.Retention;
import io.tollgate.broker.topic.TopicSchemas;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The management API: accounts, keys, domains, topics, products, plans and subscriptions.
 * Each handler checks who may do what, turns the request into a catalog change, and renders
 * the result; the catalog decides whether the change is consistent.
 */
public final class AdminApi {
  /** A retention bound that does not limit, as requests and answers spell it. */
  private static final String FOREVER = "forever";
  private static final Set<String> RETENTION_FIELDS = Set.of("time", "bytes");
  /** Delivery types a consumer reads itself, over WebSocket or as server-sent events, whichever it names. */
  private static final Set<String> STREAMED_DELIVERIES = Set.of("websocket", "sse");
  private static final java.util.regex.Pattern DIGITS = java.util.regex.Pattern.compile("[0-9]{1,18}");
  private final CatalogView view;
  private final CatalogWriter writer;
  private final ClusterSharding sharding;
  private final Subscriptions subscriptions;
  private final Duration timeout;
  private final java.time.Clock clock;
  private final TopicSchemas schemas;
  private final RequestRules requests;
  private final Webhooks webhooks;

  /** {@code requests}: how request bodies are read (their depth and string lengths, tollgate.limits). */
  public AdminApi(CatalogView view, CatalogWriter writer, Subscriptions subscriptions, ClusterSharding sharding,
                  TopicSchemas schemas, RequestRules requests, Duration timeout, java.time.Clock clock,
                  Webhooks webhooks) {
    this.webhooks = webhooks;
    this.schemas = schemas;
    this.requests = requests;
    this.clock = clock;
    this.view = view;
    this.writer = writer;
    this.sharding = sharding;
    this.subscriptions = subscriptions;
    this.timeout = timeout;
  }

  // ---- accounts and keys ----------------------------------------------------------------

  CompletionStage<HttpResponse> createAccount(Principal principal, byte[] body) {
    requireOperator(principal, "create accounts");
    JsonBody request = JsonBody.parse(requests, body, Set.of("name"));
    String id = Ids.next("acc");
    return writer.write(principal.actor(), new CatalogCommand.CreateAccount(id, request.requiredString("name", FieldLengths.Kind.NAME)))
        .thenApply(catalog -> Responses.json(201, account(catalog.account(id).orElseThrow())));
  }

  HttpResponse listAccounts(Principal principal, Paging.PageRequest page) {
    return list(view.catalog().accounts().stream().filter(account -> AccountReads.mayRead(principal, account.id())),
        account -> Paging.created(account.createdAt(), account.id()), AdminApi::account, page);
  }

  HttpResponse getAccount(Principal principal, String id) {
    Catalog.Account account = view.catalog().account(id).filter(a -> AccountReads.isTenantOf(principal, a.id()))
        .orElseThrow(() -> notFound("account", id));
    AccountReads.requireRead(principal, id);
    return Responses.json(200, account(account));
  }

  /**
   * A new key, optionally limited to resources (topic names and product ids, {@code *} as a
   * prefix wildcard) and with an expiry. A key that is itself limited cannot make keys, or it
   * could make itself an unlimited one.
   */
  CompletionStage<HttpResponse> createKey(Principal principal, String accountId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("scopes", "resources", "expires_at"));
    requireKeyAdmin(principal, accountId);
    List<String> resources = request.has("resources") ? request.stringList("resources") : List.of();
    for (String resource : resources) {
      if (resource.isBlank() || resource.indexOf('*') >= 0 && resource.indexOf('*') != resource.length() - 1) {
        throw request.invalid("resources", "are topic names or product ids, with at most a trailing *: " + resource);
      }
    }
    Optional<Instant> expiresAt = request.optionalString("expires_at").map(text -> {
      try {
        return Instant.parse(text);
      } catch (java.time.format.DateTimeParseException e) {
        throw request.invalid("expires_at", "must be an RFC 3339 instant such as 2027-01-31T00:00:00Z");
      }
    });
    if (expiresAt.isPresent() && !expiresAt.get().isAfter(clock.instant())) {
      throw request.invalid("expires_at", "must be in the future");
    }
    return newKey(principal, accountId, request.stringList("scopes"), resources, expiresAt, Optional.empty());
  }

  /**
   * Rotation: a new key with the same scopes, resources and expiry, while the old one keeps
   * working for {@code overlap_seconds} (default one hour) so clients can switch without an
   * outage. The overlap never outlasts the old key's own expiry: rotating is not a way to extend
   * a key. When the old key ends, its open streams and connections end with it (OpenSessions).
   */
  CompletionStage<HttpResponse> rotateKey(Principal principal, String accountId, String keyId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("overlap_seconds"));
    requireKeyAdmin(principal, accountId);
    Catalog.ApiKey old = view.catalog().key(keyId).filter(key -> key.accountId().equals(accountId))
        .orElseThrow(() -> notFound("key", keyId));
    if (old.expiredAt(clock.instant())) {
      throw new Refusal("key_expired", "key " + keyId + " has expired; rotating it would bring it back. "
          + "Create a new key instead");
    }
    long overlap = request.optionalLong("overlap_seconds").orElse(3600L);
    if (overlap < 0 || overlap > 30L * 24 * 3600) {
      throw request.invalid("overlap_seconds", "must be between 0 and 2592000 (30 days)");
    }
    Instant overlapEnd = clock.instant().plusSeconds(overlap);
    Instant oldExpiry = old.expiresAt().filter(at -> at.isBefore(overlapEnd)).orElse(overlapEnd);
    return newKey(principal, accountId, old.scopes().stream().map(Scope::wireName).toList(), old.resources(),
        old.expiresAt(), Optional.of(old)).thenCompose(created ->
            writer.write(principal.actor(), new CatalogCommand.SetKeyExpiry(keyId, oldExpiry))
        .thenApply(catalog -> created));
  }

  /**
   * Deletes a key: it no longer authenticates, and every stream and TCP connection it opened
   * ends within about a second with {@code key_revoked}, on every node (each node's
   * OpenSessions follows its own catalog view).
   */
  CompletionStage<HttpResponse> deleteKey(Principal principal, String accountId, String keyId) {
    requireKeyAdmin(principal, accountId);
    view.catalog().key(keyId).filter(key -> key.accountId().equals(accountId)).orElseThrow(() -> notFound("key", keyId));
    return writer.write(principal.actor(), new CatalogCommand.DeleteKey(keyId))
        .thenApply(catalog -> HttpResponse.create().withStatus(204));
  }

  private void requireKeyAdmin(Principal principal, String accountId) {
    view.catalog().account(accountId).filter(a -> AccountReads.isTenantOf(principal, a.id()))
        .orElseThrow(() -> notFound("account", accountId));
    requireScope(principal, Scope.ADMIN, accountId, "manage keys of account " + accountId);
    if (principal instanceof Principal.OfAccount caller && !caller.resources().isEmpty()) {
      throw Refusal.forbidden("a key limited to resources cannot manage keys");
    }
  }

  private CompletionStage<HttpResponse> newKey(Principal principal, String accountId, List<String> scopes,
                                               List<String> resources, Optional<Instant> expiresAt,
                                               Optional<Catalog.ApiKey> replacing) {
    String id = Ids.next("key");
    String secret = Secrets.newSecret(id);
    CatalogCommand.CreateKey key = new CatalogCommand.CreateKey(id, accountId, scopes, resources, expiresAt,
        Secrets.sha256(secret));
    return writer.write(principal.actor(), key).thenApply(catalog -> {
      ObjectNode created = key(catalog.key(id).orElseThrow());
      created.put("secret", secret);
      replacing.ifPresent(old -> created.put("replaces", old.id()));
      return Responses.json(201, created);
    });
  }

  HttpResponse listKeys(Principal principal, String accountId, Paging.PageRequest page) {
    view.catalog().account(accountId).filter(a -> AccountReads.isTenantOf(principal, a.id()))
        .orElseThrow(() -> notFound("account", accountId));
    AccountReads.requireRead(principal, accountId);
    AccountReads.requireUnlimited(principal, "the account's keys");
    return list(view.catalog().keys().stream().filter(key -> key.accountId().equals(accountId)),
        key -> Paging.created(key.createdAt(), key.id()), AdminApi::key, page);
  }

  // ---- domains and topics ---------------------------------------------------------------

  CompletionStage<HttpResponse> createDomain(Principal principal, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("name", "owner"));
    String owner = request.requiredString("owner", FieldLengths.Kind.ID);
    requireScope(principal, Scope.ADMIN, owner, "create domains owned by " + owner);
    if (AccountReads.isLimited(principal)) {
      throw Refusal.forbidden("a key limited to resources cannot create domains");
    }
    String name = request.requiredString("name", FieldLengths.Kind.ID);
    // Domain names are one namespace, so a taken name must be refused; the refusal is the same
    // for every taken name (another tenant's hidden domain, a visible one, the platform's own),
    // so it tells no one that a domain they cannot see exists, nor whose it is.
    if (view.catalog().domain(name).isPresent()) {
      throw new Refusal("domain_name_unavailable", "the domain name " + name + " is not available; choose another");
    }
    return writer.write(principal.actor(), new CatalogCommand.CreateDomain(name, owner))
        .thenApply(catalog -> Responses.json(201, domain(catalog.domain(name).orElseThrow())));
  }

  HttpResponse listDomains(Principal principal, Paging.PageRequest page) {
    return list(visible(principal).domains(), Catalog.Domain::name, AdminApi::domain, page);
  }

  HttpResponse getDomain(Principal principal, String name) {
    return Responses.json(200, domain(visible(principal).domain(name).orElseThrow(() -> notFound("domain", name))));
  }

  CompletionStage<HttpResponse> createTopic(Principal principal, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("name", "domain", "partitions", "schema", "retention"));
    String domainName = request.requiredString("domain", FieldLengths.Kind.ID);
    Catalog.Domain domain = visible(principal).domain(domainName).orElseThrow(() -> notFound("domain", domainName));
    requireScope(principal, Scope.ADMIN, domain.owner(), "create topics in domain " + domainName);
    String name = request.requiredString("name", FieldLengths.Kind.ID);
    requireReaches(principal, name);
    long partitions = request.optionalLong("partitions").orElse(1L);
    if (partitions < 1 || partitions > Catalog.MAX_PARTITIONS) {
      throw request.invalid("partitions", "must be between 1 and " + Catalog.MAX_PARTITIONS);
    }
    Optional<String> schema = request.optionalObject("schema", null).map(given -> schemas.checked(given.json()));
    Optional<JsonBody> retention = request.optionalObject("retention", RETENTION_FIELDS);
    long retentionMillis = retention.map(AdminApi::retentionMillis).orElse(Retention.NODE_DEFAULT);
    long retentionBytes = retention.map(AdminApi::retentionBytes).orElse(Retention.NODE_DEFAULT);
    return writer.write(principal.actor(), new CatalogCommand.CreateTopic(name, domainName, (int) partitions, schema,
            retentionMillis, retentionBytes))
        .thenApply(catalog -> Responses.json(201, topic(catalog.topic(name).orElseThrow())));
  }

  /** {@code "time"}: an ISO-8601 duration such as "P7D", or "forever"; absent: the node's default. */
  private static long retentionMillis(JsonBody retention) {
    Optional<String> time = retention.optionalString("time");
    if (time.isEmpty()) {
      return Retention.NODE_DEFAULT;
    }
    if (time.get().equals(FOREVER)) {
      return Retention.UNBOUNDED;
    }
    try {
      Duration duration = Duration.parse(time.get());
      if (duration.toMillis() < 1) {
        throw retention.invalid("time", "must be at least 1 ms, or \"forever\"");
      }
      return duration.toMillis();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw retention.invalid("time", "must be an ISO-8601 duration such as \"P7D\" or \"PT12H\", or \"forever\"");
    }
  }

  /** {@code "bytes"}: at least 1 (digits in a string too, as the CLI sends them), or "forever"; absent: the node's default. */
  private static long retentionBytes(JsonBody retention) {
    JsonNode bytes = retention.json().get("bytes");
    if (bytes == null || bytes.isNull()) {
      return Retention.NODE_DEFAULT;
    }
    if (bytes.isTextual() && bytes.textValue().equals(FOREVER)) {
      return Retention.UNBOUNDED;
    }
    long value = bytes.isIntegralNumber() && bytes.canConvertToLong() ? bytes.longValue()
        : bytes.isTextual() && DIGITS.matcher(bytes.textValue()).matches() ? Long.parseLong(bytes.textValue()) : 0;
    if (value < 1) {
      throw retention.invalid("bytes", "must be an integer of at least 1 (a number, or its digits as a string),"
          + " or \"forever\"");
    }
    return value;
  }

  /** What the topic's partitions keep from now on: the body replaces the topic's retention as a whole. */
  CompletionStage<HttpResponse> setRetention(Principal principal, String topicName, byte[] body) {
    JsonBody retention = JsonBody.parse(requests, body, RETENTION_FIELDS);
    Catalog.Topic topic = visible(principal).topic(topicName).orElseThrow(() -> notFound("topic", topicName));
    Catalog.Domain domain = view.catalog().domain(topic.domain()).orElseThrow();
    requireScope(principal, Scope.ADMIN, domain.owner(), "change the retention of " + topicName);
    requireReaches(principal, topicName);
    return writer.write(principal.actor(), new CatalogCommand.SetTopicRetention(topicName,
            retentionMillis(retention), retentionBytes(retention)))
        .thenApply(catalog -> Responses.json(200, topic(catalog.topic(topicName).orElseThrow())));
  }

  /** Retires a topic: it is bundled into no more products; publishing and the products that have it go on. */
  CompletionStage<HttpResponse> retireTopic(Principal principal, String topicName) {
    Catalog.Topic topic = visible(principal).topic(topicName).orElseThrow(() -> notFound("topic", topicName));
    Catalog.Domain domain = view.catalog().domain(topic.domain()).orElseThrow();
    requireScope(principal, Scope.ADMIN, domain.owner(), "retire " + topicName);
    requireReaches(principal, topicName);
    return writer.write(principal.actor(), new CatalogCommand.RetireTopic(topicName))
        .thenApply(catalog -> Responses.json(200, topic(catalog.topic(topicName).orElseThrow())));
  }

  /** A new schema version: events published from now on must satisfy it; stored events stay as they are. */
  CompletionStage<HttpResponse> addSchema(Principal principal, String topicName, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("schema", "compatibility"));
    String compatibility = request.optionalString("compatibility").orElse("backward");
    if (!Set.of("backward", "forward", "full", "none").contains(compatibility)) {
      throw request.invalid("compatibility", "is backward, forward, full or none");
    }
    Catalog.Topic topic = visible(principal).topic(topicName).orElseThrow(() -> notFound("topic", topicName));
    Catalog.Domain domain = view.catalog().domain(topic.domain()).orElseThrow();
    requireScope(principal, Scope.ADMIN, domain.owner(), "change the schema of " + topicName);
    requireReaches(principal, topicName);
    String schema = schemas.checked(request.requiredObject("schema", null).json());
    return writer.write(principal.actor(), new CatalogCommand.AddTopicSchema(topicName, schema,
            SchemaCompatibility.Mode.of(compatibility)))
        .thenApply(catalog -> Responses.json(201, topic(catalog.topic(topicName).orElseThrow())));
  }

  HttpResponse listTopics(Principal principal, Paging.PageRequest page) {
    return list(visible(principal).topics(), Catalog.Topic::name, AdminApi::topic, page);
  }

  HttpResponse getTopic(Principal principal, String name) {
    return Responses.json(200, topic(visible(principal).topic(name).orElseThrow(() -> notFound("topic", name))));
  }

  // ---- products and plans ---------------------------------------------------------------

  CompletionStage<HttpResponse> createProduct(Principal principal, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("name", "owner", "topics", "description", "visibility"));
    String owner = request.requiredString("owner", FieldLengths.Kind.ID);
    requireScope(principal, Scope.ADMIN, owner, "create products owned by " + owner);
    List<String> topics = request.stringList("topics");
    requireBundles(principal, owner, topics);
    String description = request.optionalString("description", FieldLengths.Kind.DESCRIPTION).orElse("");
    Visibility visibility = visibility(request).orElse(Visibility.DEFAULT);
    String id = Ids.next("prod");
    return writer.write(principal.actor(), new CatalogCommand.CreateProduct(id, request.requiredString("name", FieldLengths.Kind.NAME), owner,
            topics, description, visibility))
        .thenApply(catalog -> Responses.json(201, product(catalog.product(id).orElseThrow())));
  }

  /**
   * Edits a product: each field given ({@code name}, {@code description}, {@code visibility},
   * {@code topics}) replaces what it had. Its subscriptions keep running: a topic added is read by
   * each stream opened from then on, from the oldest event kept; a topic is removed only while no
   * subscription to the product runs ({@code product_topic_in_use}).
   */
  CompletionStage<HttpResponse> updateProduct(Principal principal, String productId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("name", "description", "visibility", "topics"));
    Catalog.Product product = ownedProduct(principal, productId, "edit");
    Optional<List<String>> topics = request.has("topics") ? Optional.of(request.stringList("topics")) : Optional.empty();
    topics.ifPresent(names -> requireBundles(principal, product.owner(),
        names.stream().filter(name -> !product.topics().contains(name)).toList()));
    CatalogCommand.UpdateProduct update = new CatalogCommand.UpdateProduct(productId,
        request.optionalString("name", FieldLengths.Kind.NAME),
        request.optionalString("description", FieldLengths.Kind.DESCRIPTION), visibility(request), topics);
    if (update.name().isEmpty() && update.description().isEmpty() && update.visibility().isEmpty() && topics.isEmpty()) {
      // Nothing to change: answered as it stands, without a journal entry that would only cost the owner bytes.
      return java.util.concurrent.CompletableFuture.completedFuture(Responses.json(200, product(product)));
    }
    return writer.write(principal.actor(), update)
        .thenApply(catalog -> Responses.json(200, product(catalog.product(productId).orElseThrow())));
  }

  /** Retires a product: it takes no new subscriptions or plans; those it has run on under their plans until they end. */
  CompletionStage<HttpResponse> retireProduct(Principal principal, String productId) {
    ownedProduct(principal, productId, "retire");
    return writer.write(principal.actor(), new CatalogCommand.RetireProduct(productId))
        .thenApply(catalog -> Responses.json(200, product(catalog.product(productId).orElseThrow())));
  }

  private Catalog.Product ownedProduct(Principal principal, String productId, String action) {
    Catalog.Product product = visible(principal).product(productId).orElseThrow(() -> notFound("product", productId));
    requireScope(principal, Scope.ADMIN, product.owner(), action + " product " + productId);
    requireReaches(principal, productId);
    return product;
  }

  /** An account bundles only topics of its own domains that its key reaches; the operator, any topic. */
  private void requireBundles(Principal principal, String owner, List<String> topics) {
    topics.forEach(topic -> requireReaches(principal, topic));
    if (!principal.isOperator()) {
      VisibleCatalog visible = visible(principal);
      for (String topic : topics) {
        visible.topic(topic).orElseThrow(() -> notFound("topic", topic));
        view.catalog().topicOwner(topic).filter(topicOwner -> !topicOwner.equals(owner)).ifPresent(other -> {
          throw Refusal.forbidden("topic " + topic + " belongs to another account's domain");
        });
      }
    }
  }

  private static Optional<Visibility> visibility(JsonBody request) {
    return request.optionalString("visibility").map(text -> Visibility.parse(text)
        .orElseThrow(() -> request.invalid("visibility", "must be \"public\" or \"private\"")));
  }

  HttpResponse listProducts(Principal principal, Paging.PageRequest page) {
    return list(visible(principal).products(), product -> Paging.created(product.createdAt(), product.id()),
        AdminApi::product, page);
  }

  HttpResponse getProduct(Principal principal, String id) {
    return Responses.json(200, product(visible(principal).product(id).orElseThrow(() -> notFound("product", id))));
  }

  CompletionStage<HttpResponse> createPlan(Principal principal, String productId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, PlanTermsJson.PLAN_FIELDS);
    Catalog.Product product = visible(principal).product(productId).orElseThrow(() -> notFound("product", productId));
    requireScope(principal, Scope.ADMIN, product.owner(), "create plans of product " + productId);
    requireReaches(principal, productId);
    String name = request.requiredString("name", FieldLengths.Kind.NAME);
    PlanTerms terms = PlanTermsJson.parse(request);
    try {
      PlanTermsProto.fromProto(name, terms);
    } catch (BillingException e) {
      throw new Refusal(e.code(), e.getMessage());
    }
    String id = Ids.next("plan");
    return writer.write(principal.actor(), new CatalogCommand.CreatePlan(id, productId, name, terms))
        .thenApply(catalog -> Responses.json(201, plan(catalog.plan(id).orElseThrow())));
  }

  HttpResponse listPlans(Principal principal, String productId, Paging.PageRequest page) {
    visible(principal).product(productId).orElseThrow(() -> notFound("product", productId));
    return list(view.catalog().plans().stream().filter(plan -> plan.productId().equals(productId)),
        plan -> Paging.created(plan.createdAt(), plan.id()), AdminApi::plan, page);
  }

  HttpResponse getPlan(Principal principal, String id) {
    return Responses.json(200, plan(visible(principal).plan(id).orElseThrow(() -> notFound("plan", id))));
  }

  // ---- subscriptions --------------------------------------------------------------------

  /**
   * Subscribes an account. A subscription of delivery type {@code webhook} is created with its
   * endpoint (its URL checked against the SSRF rules) and a new signing secret, which this answer
   * shows as {@code delivery.secret}, and never again. Types {@code websocket} (the default) and
   * {@code sse} name how the consumer means to read it; either is read over WebSocket and as
   * server-sent events alike, on one cursor and billed once.
   */
  CompletionStage<HttpResponse> createSubscription(Principal principal, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("account", "product", "plan", "delivery", "filter", "start"));
    String account = request.requiredString("account", FieldLengths.Kind.ID);
    requireScope(principal, Scope.SUBSCRIBE, account, "subscribe for account " + account);
    String productId = request.requiredString("product", FieldLengths.Kind.ID);
    requireReaches(principal, productId);
    Optional<JsonBody> delivery = request.optionalObject("delivery",
        Set.of("type", "url", "batch_size", "concurrency", "dead_letters"));
    String deliveryType = delivery.map(given -> given.requiredString("type")).orElse("websocket");
    if (!STREAMED_DELIVERIES.contains(deliveryType) && !deliveryType.equals("webhook")) {
      throw new Refusal("unsupported_delivery", "delivery type \"" + deliveryType + "\" is not available; use "
          + "\"websocket\" or \"sse\" (either is read over WebSocket at .../stream and as server-sent events at "
          + ".../events) or \"webhook\"");
    }
    String start = request.optionalString("start").orElse("beginning");
    if (!start.equals("beginning") && !start.equals("end")) {
      throw request.invalid("start", "must be \"beginning\" or \"end\"");
    }
    Catalog.Product product = visible(principal).product(productId).orElseThrow(() -> notFound("product", productId));
    String id = Ids.next("sub");
    Optional<String> filter = request.optionalObject("filter", null).map(given -> {
      request.checkedLength("filter", given.json().toString(), FieldLengths.Kind.FILTER);
      return Filters.validated(given.json(), Set.of());
    });
    String plan = request.requiredString("plan", FieldLengths.Kind.ID);
    Subscriptions.Start from = start.equals("end") ? Subscriptions.Start.END : Subscriptions.Start.BEGINNING;
    if (STREAMED_DELIVERIES.contains(deliveryType)) {
      delivery.ifPresent(given -> List.of("url", "batch_size", "concurrency", "dead_letters").forEach(field -> {
        if (given.json().has(field)) {
          throw given.invalid(field, "applies only to delivery type \"webhook\"");
        }
      }));
      return subscriptions.create(principal.actor(), id, account, product, plan, deliveryType, filter, from,
              Optional.empty())
          .thenApply(catalog -> Responses.json(201, subscription(catalog.subscription(id).orElseThrow(),
              catalog.webhook(id), clock.instant())));
    }
    JsonBody given = delivery.orElseThrow();
    String url = given.requiredString("url", FieldLengths.Kind.TEXT);
    int batchSize = WebhooksApi.between(given, "batch_size", webhooks.settings().batchSize(),
        webhooks.settings().maxBatchSize());
    int concurrency = WebhooksApi.between(given, "concurrency", webhooks.settings().concurrency(),
        webhooks.settings().maxConcurrency());
    Catalog.DeadLetterChoice deadLetters = WebhooksApi.deadLetters(given, Catalog.DeadLetterChoice.NODE);
    return webhooks.newEndpoint(id, url, batchSize, concurrency, deadLetters)
        .thenCompose(endpoint -> subscriptions.create(principal.actor(), id, account, product, plan, deliveryType,
                filter, from, Optional.of(endpoint.target()))
            .thenApply(catalog -> {
              webhooks.wake(id);
              ObjectNode created = subscription(catalog.subscription(id).orElseThrow(), catalog.webhook(id),
                  clock.instant());
              ((ObjectNode) created.get("delivery")).put("secret", endpoint.shownSecret());
              return Responses.json(201, created);
            }));
  }

  /**
   * Moves a subscription to another plan of its product from now on. Usage is priced per plan
   * segment and the recurring fee prorated by time (see Proration); the open stream ends with a
   * {@code plan} notice so the consumer continues under the new terms.
   */
  CompletionStage<HttpResponse> changePlan(Principal principal, String subscriptionId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("plan"));
    Catalog.Subscription subscription = view.catalog().subscription(subscriptionId)
        .filter(s -> AccountReads.isTenantOf(principal, s.account()))
        .orElseThrow(() -> notFound("subscription", subscriptionId));
    requireScope(principal, Scope.SUBSCRIBE, subscription.account(), "change the plan of " + subscriptionId);
    requireReaches(principal, subscription.product());
    String plan = request.requiredString("plan", FieldLengths.Kind.ID);
    return subscriptions.changePlan(principal.actor(), subscriptionId, plan)
        .thenCompose(catalog -> getSubscription(principal, subscriptionId));
  }

  /**
   * Cancels a subscription {@code "now"} or at {@code "period_end"}: it streams and is billed up to
   * its end (the fee prorated as for a plan change) and never after. Cancelling again only brings
   * the end earlier; a subscription that has ended answers {@code subscription_cancelled}.
   */
  CompletionStage<HttpResponse> cancelSubscription(Principal principal, String subscriptionId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("at"));
    Catalog.Subscription subscription = view.catalog().subscription(subscriptionId)
        .filter(s -> AccountReads.isTenantOf(principal, s.account()))
        .orElseThrow(() -> notFound("subscription", subscriptionId));
    requireScope(principal, Scope.SUBSCRIBE, subscription.account(), "cancel " + subscriptionId);
    requireReaches(principal, subscription.product());
    String at = request.requiredString("at");
    Cancellation cancellation = Cancellation.of(at)
        .orElseThrow(() -> request.invalid("at", "must be \"now\" or \"period_end\""));
    return subscriptions.cancel(principal.actor(), subscription, cancellation)
        .thenCompose(catalog -> getSubscription(principal, subscriptionId));
  }

  /**
   * Pauses ({@code pause}) or resumes a subscription from now: while it is paused nothing is
   * delivered or billed (no fee for the paused time, prorated as for a plan change) and its cursor
   * stays, so a stream opened after the resume continues after the last ack.
   */
  CompletionStage<HttpResponse> pauseOrResume(Principal principal, String subscriptionId, boolean pause) {
    Catalog.Subscription subscription = view.catalog().subscription(subscriptionId)
        .filter(s -> AccountReads.isTenantOf(principal, s.account()))
        .orElseThrow(() -> notFound("subscription", subscriptionId));
    requireScope(principal, Scope.SUBSCRIBE, subscription.account(), (pause ? "pause " : "resume ") + subscriptionId);
    requireReaches(principal, subscription.product());
    return (pause ? subscriptions.pause(principal.actor(), subscriptionId) : subscriptions.resume(principal.actor(), subscriptionId))
        .thenCompose(catalog -> getSubscription(principal, subscriptionId));
  }

  /** Deletes a plan no subscription uses (not even in its history, which invoices still price). */
  CompletionStage<HttpResponse> deletePlan(Principal principal, String planId) {
    ownedPlan(principal, planId, "delete");
    return writer.write(principal.actor(), new CatalogCommand.DeletePlan(planId))
        .thenApply(catalog -> HttpResponse.create().withStatus(204));
  }

  /**
   * Renames a plan. Only its name: its terms are what its subscriptions are billed by, so new terms
   * are a new plan (and the old one retired), as Stripe's prices are.
   */
  CompletionStage<HttpResponse> updatePlan(Principal principal, String planId, byte[] body) {
    JsonBody request = JsonBody.parse(requests, body, Set.of("name"));
    ownedPlan(principal, planId, "rename");
    return writer.write(principal.actor(), new CatalogCommand.RenamePlan(planId,
            request.requiredString("name", FieldLengths.Kind.NAME)))
        .thenApply(catalog -> Responses.json(200, plan(catalog.plan(planId).orElseThrow())));
  }

  /** Retires a plan: no new subscription or plan change onto it; its subscriptions keep its terms until they end. */
  CompletionStage<HttpResponse> retirePlan(Principal principal, String planId) {
    ownedPlan(principal, planId, "retire");
    return writer.write(principal.actor(), new CatalogCommand.RetirePlan(planId))
        .thenApply(catalog -> Responses.json(200, plan(catalog.plan(planId).orElseThrow())));
  }

  private void ownedPlan(Principal principal, String planId, String action) {
    Catalog.Plan plan = visible(principal).plan(planId).orElseThrow(() -> notFound("plan", planId));
    Catalog.Product product = view.catalog().product(plan.productId()).orElseThrow();
    requireScope(principal, Scope.ADMIN, product.owner(), action + " plans of product " + product.id());
    requireReaches(principal, product.id());
  }

  HttpResponse listSubscriptions(Principal principal, Paging.PageRequest page) {
    return list(view.catalog().subscriptions().stream().filter(subscription ->
            AccountReads.mayRead(principal, subscription.account()) && principal.reaches(subscription.product())),
        subscription -> Paging.created(subscription.createdAt(), subscription.id()),
        subscription -> subscription(subscription, view.catalog().webhook(subscription.id()), clock.instant()), page);
  }

  /**
   * A subscription with its acknowledged cursor per partition (where its consumer stands) and
   * its usage in the current period, as billing counts it.
   */
  CompletionStage<HttpResponse> getSubscription(Principal principal, String id) {
    Catalog.Subscription subscription = view.catalog().subscription(id)
        .filter(s -> AccountReads.isTenantOf(principal, s.account())).orElseThrow(() -> notFound("subscription", id));
    AccountReads.requireRead(principal, subscription.account());
    requireReaches(principal, subscription.product());
    CompletionStage<AccountBilling.UsageReport> usage = AccountBilling.usage(
        sharding.entityRefFor(AccountBilling.ENTITY_KEY, subscription.account()), id, timeout);
    return sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, id)
        .<SubscriptionEntity.Attached>ask(SubscriptionEntity.GetAcked::new, timeout)
        .thenCombine(usage, (acked, report) -> {
          ObjectNode body = subscription(subscription, view.catalog().webhook(id), clock.instant());
          ArrayNode cursors = body.putArray("acked");
          acked.acked().values().stream()
              .sorted(Comparator.comparing((AckPoint point) -> point.cursor().topic())
                  .thenComparingInt(point -> point.cursor().partition()))
              .forEach(point -> cursors.addObject()
                  .put("topic", point.cursor().topic()).put("partition", point.cursor().partition())
                  .put("cursor", point.cursor().encode()).put("offset", point.offset()));
          body.putObject("usage").put("period", acked.period())
              .put("events", report.used(acked.period(), id).units()).put("bytes", report.used(acked.period(), id).bytes());
          return Responses.json(200, body);
        });
  }

  // ---- rules and rendering --------------------------------------------------------------

  private static void requireOperator(Principal principal, String action) {
    if (!principal.isOperator()) {
      throw Refusal.forbidden("only the operator's admin key may " + action);
    }
  }

  /** A key limited to resources acts only on those: topic names and product ids it reaches. */
  static void requireReaches(Principal principal, String resource) {
    if (!principal.reaches(resource)) {
      throw Refusal.forbidden("this key is limited to other resources than " + resource);
    }
  }

  static void requireScope(Principal principal, Scope scope, String accountId, String action) {
    if (!principal.may(scope, accountId)) {
      throw Refusal.forbidden("this key may not " + action + "; that takes the operator's key or a key of "
          + accountId + " with the " + scope.wireName() + " scope");
    }
  }

  static Refusal notFound(String what, String id) {
    return new Refusal(what + "_not_found", what + " " + id + " does not exist");
  }

  /** One page of a list ({@link Paging}): no tenant is handed the whole catalog in one response. */
  private static <T> HttpResponse list(Stream<T> items, Function<T, String> position, Function<T, ObjectNode> render,
                                       Paging.PageRequest page) {
    return Responses.json(200, Paging.page(items, position, render, page));
  }

  private VisibleCatalog visible(Principal principal) {
    return CatalogApi.visible(view, principal);
  }

  private static ObjectNode object() {
    return JsonBody.MAPPER.createObjectNode();
  }

  static ObjectNode account(Catalog.Account account) {
    return object().put("id", account.id()).put("name", account.name()).put("created_at", account.createdAt().toString());
  }

  static ObjectNode key(Catalog.ApiKey key) {
    ObjectNode node = object().put("id", key.id()).put("account", key.accountId());
    ArrayNode scopes = node.putArray("scopes");
    key.scopes().stream().map(Scope::wireName).sorted().forEach(scopes::add);
    if (!key.resources().isEmpty()) {
      ArrayNode resources = node.putArray("resources");
      key.resources().forEach(resources::add);
    }
    key.expiresAt().ifPresent(at -> node.put("expires_at", at.toString()));
    return node.put("created_at", key.createdAt().toString());
  }

  static ObjectNode domain(Catalog.Domain domain) {
    return object().put("name", domain.name()).put("owner", domain.owner()).put("created_at", domain.createdAt().toString());
  }

  static ObjectNode topic(Catalog.Topic topic) {
    ObjectNode node = object().put("name", topic.name()).put("domain", topic.domain()).put("partitions", topic.partitions());
    topic.currentSchema().ifPresent(schema -> {
      node.put("schema_version", topic.schemas().size());
      node.set("schema", Filters.json(schema));
    });
    if (topic.retentionMillis() != Retention.NODE_DEFAULT || topic.retentionBytes() != Retention.NODE_DEFAULT) {
      ObjectNode retention = node.putObject("retention");
      if (topic.retentionMillis() != Retention.NODE_DEFAULT) {
        retention.put("time", topic.retentionMillis() == Retention.UNBOUNDED ? FOREVER
            : Duration.ofMillis(topic.retentionMillis()).toString());
      }
      if (topic.retentionBytes() == Retention.UNBOUNDED) {
        retention.put("bytes", FOREVER);
      } else if (topic.retentionBytes() != Retention.NODE_DEFAULT) {
        retention.put("bytes", topic.retentionBytes());
      }
    }
    topic.retiredAt().ifPresent(at -> node.put("retired_at", at.toString()));
    return node.put("created_at", topic.createdAt().toString());
  }

  static ObjectNode product(Catalog.Product product) {
    ObjectNode node = object().put("id", product.id()).put("name", product.name()).put("owner", product.owner());
    if (!product.description().isEmpty()) {
      node.put("description", product.description());
    }
    node.put("visibility", product.visibility().wireName());
    ArrayNode topics = node.putArray("topics");
    product.topics().forEach(topics::add);
    product.retiredAt().ifPresent(at -> node.put("retired_at", at.toString()));
    return node.put("created_at", product.createdAt().toString());
  }

  static ObjectNode plan(Catalog.Plan plan) {
    ObjectNode node = object().put("id", plan.id()).put("product", plan.productId()).put("name", plan.name());
    PlanTermsJson.render(plan.terms(), node);
    plan.retiredAt().ifPresent(at -> node.put("retired_at", at.toString()));
    return node.put("created_at", plan.createdAt().toString());
  }

  /**
   * A subscription ever cancelled or paused also shows {@code status}: {@code cancelled} (with
   * {@code cancelled_at}) from its end on, else {@code paused} (with {@code paused_at}) while
   * paused, else {@code active}; and {@code cancels_at} while a cancel is due. One never cancelled
   * or paused answers as before either could be done, so old data reads unchanged (UpgradeTest):
   * no status is active.
   */
  private ObjectNode subscription(Catalog.Subscription subscription, Optional<Catalog.WebhookEndpoint> webhook,
                                  java.time.Instant now) {
    ObjectNode node = object().put("id", subscription.id()).put("account", subscription.account())
        .put("product", subscription.product()).put("plan", subscription.plan());
    if (subscription.endsAt().isPresent() || !subscription.pauses().isEmpty()) {
      Optional<Catalog.Pause> paused = subscription.pausedAt(now);
      node.put("status", subscription.endedAt(now) ? "cancelled" : paused.isPresent() ? "paused" : "active");
      paused.filter(pause -> !subscription.endedAt(now)).ifPresent(pause -> node.put("paused_at", pause.from().toString()));
    }
    subscription.endsAt().ifPresent(end -> node.put(subscription.endedAt(now) ? "cancelled_at" : "cancels_at",
        end.toString()));
    subscription.trialEndsAt().ifPresent(end -> node.put("trial_ends_at", end.toString()));
    ArrayNode plans = node.putArray("plan_history");
    subscription.plans().forEach(span -> plans.addObject().put("plan", span.plan()).put("from", span.from().toString()));
    ObjectNode delivery = node.putObject("delivery").put("type", subscription.deliveryType());
    webhook.ifPresent(endpoint -> WebhooksApi.render(endpoint, webhooks.settings().deadLetters().policy(), now,
        delivery));
    if (!subscription.filterJson().isEmpty()) {
      node.set("filter", Filters.json(subscription.filterJson()));
    }
    return node.put("created_at", subscription.createdAt().toString());
  }
}
