package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Rejection;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.ApiKeyCreated;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanDeleted;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.ProductUpdated;
import io.tollgate.protocols.v1.journal.ProductVisibility;
import io.tollgate.billing.Cancellation;
import io.tollgate.billing.Trial;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionPaused;
import io.tollgate.protocols.v1.journal.SubscriptionResumed;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.TopicCreated;
import io.tollgate.protocols.v1.journal.TopicRetentionSet;
import io.tollgate.protocols.v1.journal.TopicSchemaAdded;
import io.tollgate.protocols.v1.journal.WebhookDeadLetterPolicy;
import io.tollgate.protocols.v1.journal.WebhookEndpointDisabled;
import io.tollgate.protocols.v1.journal.WebhookEndpointSet;
import io.tollgate.protocols.v1.journal.WebhookSecretRotated;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Accounts, keys, domains, topics, products, plans and subscriptions: the catalog as the
 * journal of {@link CatalogChange}s builds it. {@link #check} decides whether a change may be
 * made; {@link #apply} makes it. One thread applies; any thread may read, since entries are
 * immutable (a change replaces an entry; a deleted plan or key is removed).
 */
public final class Catalog {
  public static final int MAX_PARTITIONS = 256;
  private static final Pattern DOMAIN_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}(\\.[a-z0-9][a-z0-9_-]{0,62})+");

  /** What the catalog lists: each is found by {@link CatalogSearch} and shown by {@link VisibleCatalog}'s rules. */
  public sealed interface Entry permits Domain, Topic, Product, Plan {}

  public record Account(String id, String name, Instant createdAt) {}

  /**
   * An API key. {@code resources} limit it to topics and products (a trailing {@code *} matches
   * a prefix; empty: everything of its account); past {@code expiresAt} it no longer works.
   */
  public record ApiKey(String id, String accountId, Set<Scope> scopes, List<String> resources, byte[] secretSha256,
                       Instant createdAt, Optional<Instant> expiresAt) {
    public boolean expiredAt(Instant now) {
      return expiresAt.isPresent() && !now.isBefore(expiresAt.get());
    }

    ApiKey expiringAt(Instant at) {
      return new ApiKey(id, accountId, scopes, resources, secretSha256, createdAt, Optional.of(at));
    }
  }

  public record Domain(String name, String owner, Instant createdAt) implements Entry {}

  /**
   * A topic; {@code schemas} are its JSON Schema versions, oldest first (empty: none).
   * {@code retentionMillis} and {@code retentionBytes} bound what each partition keeps: 0 means
   * the node's default ({@code tollgate.topics.retention}), -1 no bound. {@code retiredAt}: when it
   * was retired (empty: it is not); a retired topic is bundled into no more products.
   */
  public record Topic(String name, String domain, int partitions, List<String> schemas, Instant createdAt,
                      long retentionMillis, long retentionBytes, Optional<Instant> retiredAt) implements Entry {
    public Optional<String> currentSchema() {
      return schemas.isEmpty() ? Optional.empty() : Optional.of(schemas.get(schemas.size() - 1));
    }

    /** Every partition of the topic, in order. */
    public List<PartitionRef> partitionRefs() {
      return java.util.stream.IntStream.range(0, partitions).mapToObj(partition -> new PartitionRef(name, partition)).toList();
    }

    Topic withSchema(String schema) {
      List<String> versions = new java.util.ArrayList<>(schemas);
      versions.add(schema);
      return new Topic(name, domain, partitions, List.copyOf(versions), createdAt, retentionMillis, retentionBytes,
          retiredAt);
    }

    Topic withRetention(long millis, long bytes) {
      return new Topic(name, domain, partitions, schemas, createdAt, millis, bytes, retiredAt);
    }

    Topic retiredFrom(Instant at) {
      return new Topic(name, domain, partitions, schemas, createdAt, retentionMillis, retentionBytes, Optional.of(at));
    }
  }

  /**
   * A product; {@code description} is empty when it has none. {@code retiredAt}: when it was
   * retired (empty: it is not); a retired product takes no new subscriptions or plans, and only its
   * owner and its subscribers still see it ({@link VisibleCatalog}).
   */
  public record Product(String id, String name, String owner, List<String> topics, String description,
                        Visibility visibility, Instant createdAt, Optional<Instant> retiredAt) implements Entry {
    Product updatedBy(ProductUpdated update) {
      return new Product(id, update.hasName() ? update.getName() : name, owner,
          update.hasTopics() ? List.copyOf(update.getTopics().getNamesList()) : topics,
          update.hasDescription() ? update.getDescription() : description,
          update.getVisibility() == ProductVisibility.PRODUCT_VISIBILITY_UNSPECIFIED ? visibility
              : Visibility.fromProto(update.getVisibility()), createdAt, retiredAt);
    }

    Product retiredFrom(Instant at) {
      return new Product(id, name, owner, topics, description, visibility, createdAt, Optional.of(at));
    }
  }

  /**
   * A plan. Its terms never change: invoices price each subscription's plan segments by them.
   * {@code retiredAt}: when it was retired (empty: it is not); a retired plan takes no new
   * subscriptions and no plan changes onto it, and those on it keep its terms until they end.
   */
  public record Plan(String id, String productId, String name, PlanTerms terms, Instant createdAt,
                     Optional<Instant> retiredAt) implements Entry {
    Plan named(String newName) {
      return new Plan(id, productId, newName, terms, createdAt, retiredAt);
    }

    Plan retiredFrom(Instant at) {
      return new Plan(id, productId, name, terms, createdAt, Optional.of(at));
    }
  }

  /**
   * A subscription with its plans over time, oldest first; the first applies from the start,
   * each later one from the instant it was chosen. {@code endsAt}: when a cancel ends it (empty:
   * it was not cancelled); it streams and is billed up to then. {@code pauses}: the times it was
   * paused, oldest first; nothing is delivered or billed in them. {@code trialEndsAt}: the end of
   * the trial of the plan it was created on (empty: none); a plan change does not move it.
   */
  public record Subscription(String id, String account, String product, List<PlanSpan> plans, String deliveryType,
                             List<AckPoint> start, String filterJson, Instant createdAt, Optional<Instant> endsAt,
                             List<Pause> pauses, Optional<Instant> trialEndsAt) {
    /** The plan in force now. */
    public String plan() {
      return plans.get(plans.size() - 1).plan();
    }

    /** The plan in force at {@code instant}. */
    public String planAt(Instant instant) {
      String plan = plans.get(0).plan();
      for (PlanSpan span : plans) {
        if (!span.from().isAfter(instant)) {
          plan = span.plan();
        }
      }
      return plan;
    }

    Subscription withPlan(String planId, Instant from) {
      List<PlanSpan> changed = new java.util.ArrayList<>(plans);
      changed.add(new PlanSpan(planId, from));
      return new Subscription(id, account, product, List.copyOf(changed), deliveryType, start, filterJson, createdAt,
          endsAt, pauses, trialEndsAt);
    }

    /** The pause in force at {@code now}, if it is paused then. */
    public Optional<Pause> pausedAt(Instant now) {
      return pauses.stream().filter(pause -> pause.covers(now)).findFirst();
    }

    Subscription pausedFrom(Instant from) {
      List<Pause> changed = new java.util.ArrayList<>(pauses);
      changed.add(new Pause(from, Optional.empty()));
      return new Subscription(id, account, product, plans, deliveryType, start, filterJson, createdAt, endsAt,
          List.copyOf(changed), trialEndsAt);
    }

    Subscription resumedAt(Instant to) {
      List<Pause> changed = new java.util.ArrayList<>(pauses);
      Pause last = changed.remove(changed.size() - 1);
      changed.add(new Pause(last.from(), Optional.of(to)));
      return new Subscription(id, account, product, plans, deliveryType, start, filterJson, createdAt, endsAt,
          List.copyOf(changed), trialEndsAt);
    }

    /** Whether a cancel ended it at or before {@code now}. */
    public boolean endedAt(Instant now) {
      return Cancellation.ended(endsAt, now);
    }

    Subscription endingAt(Instant end) {
      return new Subscription(id, account, product, plans, deliveryType, start, filterJson, createdAt, Optional.of(end),
          pauses, trialEndsAt);
    }
  }

  /** A plan chosen at {@code from}. */
  public record PlanSpan(String plan, Instant from) {}

  /** A subscription paused from {@code from} (inclusive) until it was resumed at {@code to} (empty: it still is). */
  public record Pause(Instant from, Optional<Instant> to) {
    public boolean covers(Instant instant) {
      return !instant.isBefore(from) && to.map(instant::isBefore).orElse(true);
    }
  }

  /**
   * Where a subscription of delivery type {@code webhook} posts its events (docs/ARCHITECTURE.md,
   * "Webhooks"). {@code secrets}: its signing secrets as stored, encrypted, newest first; each
   * signs until it expires (the newest never does). {@code disabled}: why it receives nothing
   * until it is set again. {@code changedAt}: when its address or shape last changed, so a worker
   * knows to start again with it. {@code deadLetters}: its own dead-letter policy, over the node's.
   */
  public record WebhookEndpoint(String subscription, String url, int batchSize, int concurrency,
                                DeadLetterChoice deadLetters, List<StoredSecret> secrets, Optional<Disabled> disabled,
                                Instant changedAt) {
    /** The secrets that sign a request sent at {@code now}, newest first. */
    public List<StoredSecret> signingAt(Instant now) {
      return secrets.stream().filter(secret -> secret.expiresAt().map(now::isBefore).orElse(true)).toList();
    }

    WebhookEndpoint set(WebhookEndpointSet set, Instant at) {
      List<StoredSecret> kept = set.getSecretCiphertext().isEmpty() ? secrets
          : List.of(new StoredSecret(set.getSecretCiphertext().toByteArray(), Optional.empty()));
      return new WebhookEndpoint(subscription, set.getUrl(), set.getBatchSize(), set.getConcurrency(),
          DeadLetterChoice.fromProto(set.hasDeadLetters(), set.getDeadLetters()), kept, Optional.empty(), at);
    }

    WebhookEndpoint rotated(WebhookSecretRotated rotated, Instant at) {
      Instant previousEnd = Instant.ofEpochMilli(rotated.getPreviousExpireAtMillis());
      List<StoredSecret> next = new java.util.ArrayList<>();
      next.add(new StoredSecret(rotated.getSecretCiphertext().toByteArray(), Optional.empty()));
      signingAt(at).forEach(previous -> next.add(new StoredSecret(previous.ciphertext(),
          Optional.of(previous.expiresAt().filter(end -> end.isBefore(previousEnd)).orElse(previousEnd)))));
      return new WebhookEndpoint(subscription, url, batchSize, concurrency, deadLetters, List.copyOf(next), disabled,
          changedAt);
    }

    WebhookEndpoint disabledBy(WebhookEndpointDisabled disabling, Instant at) {
      return new WebhookEndpoint(subscription, url, batchSize, concurrency, deadLetters, secrets,
          Optional.of(new Disabled(disabling.getReason(), disabling.getMessage(), at)), changedAt);
    }
  }

  /**
   * A webhook subscription's own dead-letter policy: each field given takes the place of the node's
   * setting of the same name ({@code tollgate.webhooks.dead-letters.enabled}, {@code after},
   * {@code after-attempts}); {@link #NODE}, none given, is the node's policy whole. The catalog only
   * stores it; the webhook worker applies it.
   */
  public record DeadLetterChoice(Optional<Boolean> enabled, Optional<Duration> after, Optional<Integer> afterAttempts) {
    public static final DeadLetterChoice NODE = new DeadLetterChoice(Optional.empty(), Optional.empty(), Optional.empty());

    /** The stored form; absent when {@code present} is false (an endpoint set before subscriptions had their own). */
    public static DeadLetterChoice fromProto(boolean present, WebhookDeadLetterPolicy proto) {
      if (!present) {
        return NODE;
      }
      return new DeadLetterChoice(proto.hasEnabled() ? Optional.of(proto.getEnabled()) : Optional.empty(),
          proto.hasAfterMillis() ? Optional.of(Duration.ofMillis(proto.getAfterMillis())) : Optional.empty(),
          proto.hasAfterAttempts() ? Optional.of(proto.getAfterAttempts()) : Optional.empty());
    }

    /** The stored form, or empty for {@link #NODE}, which is stored as no policy. */
    public Optional<WebhookDeadLetterPolicy> toProto() {
      if (equals(NODE)) {
        return Optional.empty();
      }
      WebhookDeadLetterPolicy.Builder proto = WebhookDeadLetterPolicy.newBuilder();
      enabled.ifPresent(proto::setEnabled);
      after.ifPresent(duration -> proto.setAfterMillis(duration.toMillis()));
      afterAttempts.ifPresent(proto::setAfterAttempts);
      return Optional.of(proto.build());
    }
  }

  /** A signing secret, encrypted under the operator's webhook key; {@code expiresAt} empty: it does not. */
  public record StoredSecret(byte[] ciphertext, Optional<Instant> expiresAt) {}

  /** Why an endpoint was disabled ({@code gone}, {@code failing}), and when. */
  public record Disabled(String reason, String message, Instant at) {}

  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final Map<String, ApiKey> keys = new ConcurrentHashMap<>();
  private final Map<String, Domain> domains = new ConcurrentHashMap<>();
  private final Map<String, Topic> topics = new ConcurrentHashMap<>();
  private final Map<String, Product> products = new ConcurrentHashMap<>();
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, WebhookEndpoint> webhooks = new ConcurrentHashMap<>();
  /**
   * The ids of each account's subscriptions and of the topics each account owns, in order of
   * creation: what an account's billing reads, without a scan of the whole catalog.
   */
  private final Map<String, List<String>> subscriptionsByAccount = new ConcurrentHashMap<>();
  private final Map<String, List<String>> topicsByOwner = new ConcurrentHashMap<>();
  /** "account product" pairs with a subscription, for the visibility of private products. */
  private final Set<String> subscribers = ConcurrentHashMap.newKeySet();
  private volatile long version;
  private final CatalogLimits limits;
  private final Holdings holdings = new Holdings();

  /** A catalog that checks changes against {@code limits} (the catalog entity's). */
  public Catalog(CatalogLimits limits) {
    this.limits = limits;
  }

  /** A catalog that only applies changes the entity checked: a node's view. */
  public Catalog() {
    this(CatalogLimits.UNCHECKED);
  }

  /** How many changes the catalog has applied; equals its journal's last sequence number. */
  public long version() {
    return version;
  }

  /**
   * The catalog as a snapshot, from which {@link #restore} makes the same catalog without its
   * changes. Each owner's topics and each account's subscriptions go in order of creation, so a
   * restore rebuilds the indexes as the changes built them.
   */
  public CatalogSnapshot toSnapshot() {
    CatalogSnapshot.Builder snapshot = CatalogSnapshots.entriesOf(this);
    Set<String> indexed = new java.util.HashSet<>();
    topicsByOwner.keySet().stream().sorted().forEach(owner -> topicsByOwner.get(owner).forEach(name -> {
      indexed.add(name);
      snapshot.addTopics(CatalogSnapshots.toProto(topics.get(name)));
    }));
    topics.values().stream().filter(topic -> !indexed.contains(topic.name())).sorted(java.util.Comparator.comparing(Topic::name))
        .forEach(topic -> snapshot.addTopics(CatalogSnapshots.toProto(topic)));
    subscriptionsByAccount.keySet().stream().sorted().forEach(account -> subscriptionsByAccount.get(account)
        .forEach(id -> snapshot.addSubscriptions(CatalogSnapshots.toProto(subscriptions.get(id)))));
    holdings.addTo(snapshot);
    return snapshot.build();
  }

  /**
   * Makes this empty catalog the one {@code snapshot} holds, as if it had applied the changes up
   * to the snapshot's version; the changes after it are then applied as usual. A topic goes
   * into its owner's index when its domain is known, as {@link #apply} does: every journaled
   * topic's domain existed before it, and domains are never deleted.
   */
  public void restore(CatalogSnapshot snapshot) {
    if (version != 0) {
      throw new IllegalStateException("a catalog is restored before it applies any change, not at version " + version);
    }
    snapshot.getAccountsList().stream().map(CatalogSnapshots::fromProto).forEach(account -> accounts.put(account.id(), account));
    snapshot.getKeysList().stream().map(CatalogSnapshots::fromProto).forEach(key -> keys.put(key.id(), key));
    snapshot.getDomainsList().stream().map(CatalogSnapshots::fromProto).forEach(domain -> domains.put(domain.name(), domain));
    snapshot.getTopicsList().stream().map(CatalogSnapshots::fromProto).forEach(topic -> {
      topics.put(topic.name(), topic);
      Optional.ofNullable(domains.get(topic.domain())).ifPresent(domain -> topicsByOwner
          .computeIfAbsent(domain.owner(), owner -> new CopyOnWriteArrayList<>()).add(topic.name()));
    });
    snapshot.getProductsList().stream().map(CatalogSnapshots::fromProto).forEach(product -> products.put(product.id(), product));
    snapshot.getPlansList().stream().map(CatalogSnapshots::fromProto).forEach(plan -> plans.put(plan.id(), plan));
    snapshot.getSubscriptionsList().stream().map(CatalogSnapshots::fromProto).forEach(subscription -> {
      subscriptions.put(subscription.id(), subscription);
      subscriptionsByAccount.computeIfAbsent(subscription.account(), account -> new CopyOnWriteArrayList<>())
          .add(subscription.id());
      subscribers.add(subscription.account() + " " + subscription.product());
    });
    snapshot.getWebhooksList().stream().map(CatalogSnapshots::fromProto)
        .forEach(webhook -> webhooks.put(webhook.subscription(), webhook));
    holdings.restore(snapshot);
    version = snapshot.getVersion();
  }

  public Optional<Rejection> check(CatalogChange change) {
    return checkEntry(change).or(() -> payer(change).flatMap(account ->
        limitsOf(account).checkBytes(account, holdings.bytesOf(account), change.getSerializedSize())));
  }

  private Optional<Rejection> checkEntry(CatalogChange change) {
    return switch (change.getChangeCase()) {
      case ACCOUNT_CREATED -> checkAccount(change.getAccountCreated());
      case API_KEY_CREATED -> checkKey(change.getApiKeyCreated());
      case DOMAIN_CREATED -> checkDomain(change.getDomainCreated());
      case TOPIC_CREATED -> checkTopic(change.getTopicCreated());
      case PRODUCT_CREATED -> checkProduct(change.getProductCreated());
      case PLAN_CREATED -> checkPlan(change.getPlanCreated());
      case SUBSCRIPTION_CREATED -> checkSubscription(change.getSubscriptionCreated());
      case SUBSCRIPTION_PLAN_CHANGED -> checkPlanChange(change.getSubscriptionPlanChanged(), Instant.ofEpochMilli(change.getAtMillis()));
      case SUBSCRIPTION_CANCELLED -> checkCancel(change.getSubscriptionCancelled(), Instant.ofEpochMilli(change.getAtMillis()));
      case SUBSCRIPTION_PAUSED -> checkPause(change.getSubscriptionPaused().getSubscription(), true,
          Instant.ofEpochMilli(change.getAtMillis()));
      case SUBSCRIPTION_RESUMED -> checkPause(change.getSubscriptionResumed().getSubscription(), false,
          Instant.ofEpochMilli(change.getAtMillis()));
      case PLAN_DELETED -> checkPlanDeletion(change.getPlanDeleted());
      case TOPIC_SCHEMA_ADDED -> checkSchema(change.getTopicSchemaAdded());
      case TOPIC_RETENTION_SET -> checkRetentionSet(change.getTopicRetentionSet());
      case PRODUCT_UPDATED -> checkProductUpdate(change.getProductUpdated(), Instant.ofEpochMilli(change.getAtMillis()));
      case PRODUCT_RETIRED -> product(change.getProductRetired().getId())
          .map(product -> product.retiredAt().map(at -> retired("product", product.id(), at)))
          .orElseGet(() -> Optional.of(Rejection.notFound("product", change.getProductRetired().getId())));
      case PLAN_RENAMED -> !plans.containsKey(change.getPlanRenamed().getId())
          ? Optional.of(Rejection.notFound("plan", change.getPlanRenamed().getId()))
          : change.getPlanRenamed().getName().isBlank() ? invalid("a plan needs a name") : Optional.empty();
      case PLAN_RETIRED -> plan(change.getPlanRetired().getId())
          .map(plan -> plan.retiredAt().map(at -> retired("plan", plan.id(), at)))
          .orElseGet(() -> Optional.of(Rejection.notFound("plan", change.getPlanRetired().getId())));
      case TOPIC_RETIRED -> topic(change.getTopicRetired().getTopic())
          .map(topic -> topic.retiredAt().map(at -> retired("topic", topic.name(), at)))
          .orElseGet(() -> Optional.of(Rejection.notFound("topic", change.getTopicRetired().getTopic())));
      case API_KEY_EXPIRY_SET -> keys.containsKey(change.getApiKeyExpirySet().getId()) ? Optional.empty()
          : Optional.of(Rejection.notFound("key", change.getApiKeyExpirySet().getId()));
      case API_KEY_DELETED -> keys.containsKey(change.getApiKeyDeleted().getId()) ? Optional.empty()
          : Optional.of(Rejection.notFound("key", change.getApiKeyDeleted().getId()));
      case WEBHOOK_ENDPOINT_SET -> checkWebhook(change.getWebhookEndpointSet(), Instant.ofEpochMilli(change.getAtMillis()));
      case WEBHOOK_SECRET_ROTATED -> webhooks.containsKey(change.getWebhookSecretRotated().getSubscription())
          ? Optional.empty() : Optional.of(noWebhook(change.getWebhookSecretRotated().getSubscription()));
      case WEBHOOK_ENDPOINT_DISABLED -> webhooks.containsKey(change.getWebhookEndpointDisabled().getSubscription())
          ? Optional.empty() : Optional.of(noWebhook(change.getWebhookEndpointDisabled().getSubscription()));
      case CHANGE_NOT_SET -> Optional.of(new Rejection("invalid_request", "empty catalog change"));
    };
  }

  public void apply(CatalogChange change) {
    Instant at = Instant.ofEpochMilli(change.getAtMillis());
    payer(change).ifPresent(account -> holdings.charge(account, deletableEntry(change), change.getSerializedSize()));
    switch (change.getChangeCase()) {
      case ACCOUNT_CREATED -> {
        AccountCreated created = change.getAccountCreated();
        accounts.put(created.getId(), new Account(created.getId(), created.getName(), at));
      }
      case API_KEY_CREATED -> {
        ApiKeyCreated created = change.getApiKeyCreated();
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        created.getScopesList().forEach(name -> Scope.parse(name).ifPresent(scopes::add));
        holdings.add(created.getAccountId(), CatalogLimits.Held.KEYS, 1);
        keys.put(created.getId(), new ApiKey(created.getId(), created.getAccountId(), Set.copyOf(scopes),
            List.copyOf(created.getResourcesList()), created.getSecretSha256().toByteArray(), at,
            created.getExpiresAtMillis() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(created.getExpiresAtMillis()))));
      }
      case DOMAIN_CREATED -> {
        DomainCreated created = change.getDomainCreated();
        holdings.add(created.getOwner(), CatalogLimits.Held.DOMAINS, 1);
        domains.put(created.getName(), new Domain(created.getName(), created.getOwner(), at));
      }
      case TOPIC_CREATED -> {
        TopicCreated created = change.getTopicCreated();
        domain(created.getDomain()).ifPresent(domain -> holdings.add(domain.owner(), CatalogLimits.Held.TOPICS, 1));
        topics.put(created.getName(), new Topic(created.getName(), created.getDomain(), created.getPartitions(),
            created.getSchemaJson().isEmpty() ? List.of() : List.of(created.getSchemaJson()), at,
            created.getRetentionMillis(), created.getRetentionBytes(), Optional.empty()));
        Optional.ofNullable(domains.get(created.getDomain())).ifPresent(domain -> topicsByOwner
            .computeIfAbsent(domain.owner(), owner -> new CopyOnWriteArrayList<>()).add(created.getName()));
      }
      case PRODUCT_CREATED -> {
        ProductCreated created = change.getProductCreated();
        holdings.add(created.getOwner(), CatalogLimits.Held.PRODUCTS, 1);
        products.put(created.getId(), new Product(created.getId(), created.getName(), created.getOwner(),
            List.copyOf(created.getTopicsList()), created.getDescription(), Visibility.fromProto(created.getVisibility()), at,
            Optional.empty()));
      }
      case PLAN_CREATED -> {
        PlanCreated created = change.getPlanCreated();
        product(created.getProductId()).ifPresent(product -> holdings.add(product.owner(), CatalogLimits.Held.PLANS, 1));
        holdings.addPlan(created.getProductId(), 1);
        plans.put(created.getId(), new Plan(created.getId(), created.getProductId(), created.getName(), created.getTerms(), at,
            Optional.empty()));
      }
      case SUBSCRIPTION_CREATED -> {
        SubscriptionCreated created = change.getSubscriptionCreated();
        holdings.add(created.getAccount(), CatalogLimits.Held.SUBSCRIPTIONS, 1);
        List<AckPoint> start = created.getStartList().stream().map(AckPoint::fromProto).toList();
        subscriptions.put(created.getId(), new Subscription(created.getId(), created.getAccount(), created.getProduct(),
            List.of(new PlanSpan(created.getPlan(), at)), created.getDeliveryType(), start, created.getFilterJson(), at,
            Optional.empty(), List.of(), Optional.ofNullable(plans.get(created.getPlan()))
                .flatMap(plan -> Trial.endsAt(at, plan.terms().getTrialDays()))));
        subscriptionsByAccount.computeIfAbsent(created.getAccount(), account -> new CopyOnWriteArrayList<>())
            .add(created.getId());
        if (created.hasWebhook()) {
          webhooks.put(created.getId(), new WebhookEndpoint(created.getId(), "", 0, 0, DeadLetterChoice.NODE, List.of(),
              Optional.empty(), at).set(created.getWebhook(), at));
        }
        subscribers.add(created.getAccount() + " " + created.getProduct());
      }
      case SUBSCRIPTION_PLAN_CHANGED -> {
        SubscriptionPlanChanged changed = change.getSubscriptionPlanChanged();
        subscriptions.computeIfPresent(changed.getSubscription(), (id, subscription) -> subscription.withPlan(changed.getPlan(), at));
      }
      case SUBSCRIPTION_CANCELLED -> {
        SubscriptionCancelled cancelled = change.getSubscriptionCancelled();
        subscriptions.computeIfPresent(cancelled.getSubscription(),
            (id, subscription) -> subscription.endingAt(Instant.ofEpochMilli(cancelled.getEndsAtMillis())));
      }
      case SUBSCRIPTION_PAUSED -> subscriptions.computeIfPresent(change.getSubscriptionPaused().getSubscription(),
          (id, subscription) -> subscription.pausedFrom(at));
      case SUBSCRIPTION_RESUMED -> subscriptions.computeIfPresent(change.getSubscriptionResumed().getSubscription(),
          (id, subscription) -> subscription.resumedAt(at));
      case PLAN_DELETED -> {
        Plan deleted = plans.remove(change.getPlanDeleted().getId());
        holdings.refund(change.getPlanDeleted().getId());
        if (deleted != null) {
          holdings.addPlan(deleted.productId(), -1);
          product(deleted.productId()).ifPresent(product -> holdings.add(product.owner(), CatalogLimits.Held.PLANS, -1));
        }
      }
      case TOPIC_SCHEMA_ADDED -> topics.computeIfPresent(change.getTopicSchemaAdded().getTopic(),
          (name, topic) -> topic.withSchema(change.getTopicSchemaAdded().getSchemaJson()));
      case TOPIC_RETENTION_SET -> topics.computeIfPresent(change.getTopicRetentionSet().getTopic(),
          (name, topic) -> topic.withRetention(change.getTopicRetentionSet().getRetentionMillis(),
              change.getTopicRetentionSet().getRetentionBytes()));
      case PRODUCT_UPDATED -> products.computeIfPresent(change.getProductUpdated().getId(),
          (id, product) -> product.updatedBy(change.getProductUpdated()));
      case PRODUCT_RETIRED -> products.computeIfPresent(change.getProductRetired().getId(),
          (id, product) -> product.retiredFrom(at));
      case PLAN_RENAMED -> plans.computeIfPresent(change.getPlanRenamed().getId(),
          (id, plan) -> plan.named(change.getPlanRenamed().getName()));
      case PLAN_RETIRED -> plans.computeIfPresent(change.getPlanRetired().getId(), (id, plan) -> plan.retiredFrom(at));
      case TOPIC_RETIRED -> topics.computeIfPresent(change.getTopicRetired().getTopic(),
          (name, topic) -> topic.retiredFrom(at));
      case API_KEY_EXPIRY_SET -> keys.computeIfPresent(change.getApiKeyExpirySet().getId(),
          (id, key) -> key.expiringAt(Instant.ofEpochMilli(change.getApiKeyExpirySet().getExpiresAtMillis())));
      case API_KEY_DELETED -> {
        ApiKey deleted = keys.remove(change.getApiKeyDeleted().getId());
        holdings.refund(change.getApiKeyDeleted().getId());
        if (deleted != null) {
          holdings.add(deleted.accountId(), CatalogLimits.Held.KEYS, -1);
        }
      }
      case WEBHOOK_ENDPOINT_SET -> webhooks.computeIfPresent(change.getWebhookEndpointSet().getSubscription(),
          (id, endpoint) -> endpoint.set(change.getWebhookEndpointSet(), at));
      case WEBHOOK_SECRET_ROTATED -> webhooks.computeIfPresent(change.getWebhookSecretRotated().getSubscription(),
          (id, endpoint) -> endpoint.rotated(change.getWebhookSecretRotated(), at));
      case WEBHOOK_ENDPOINT_DISABLED -> webhooks.computeIfPresent(change.getWebhookEndpointDisabled().getSubscription(),
          (id, endpoint) -> endpoint.disabledBy(change.getWebhookEndpointDisabled(), at));
      case CHANGE_NOT_SET -> { }
    }
    version++;
  }

  private Optional<Rejection> checkAccount(AccountCreated created) {
    if (created.getName().isBlank()) {
      return invalid("an account needs a name");
    }
    return accounts.containsKey(created.getId()) ? Optional.of(Rejection.conflict("account", created.getId())) : Optional.empty();
  }

  private Optional<Rejection> checkKey(ApiKeyCreated created) {
    if (!accounts.containsKey(created.getAccountId())) {
      return Optional.of(Rejection.notFound("account", created.getAccountId()));
    }
    if (created.getScopesCount() == 0) {
      return invalid("a key needs at least one scope");
    }
    for (String scope : created.getScopesList()) {
      if (Scope.parse(scope).isEmpty()) {
        return invalid("unknown scope \"" + scope + "\"; scopes are admin, publish, subscribe, read");
      }
    }
    return limitsOf(created.getAccountId()).checkResourcesOfKey(created.getResourcesCount())
        .or(() -> oneMore(CatalogLimits.Held.KEYS, created.getAccountId()));
  }

  private Optional<Rejection> checkDomain(DomainCreated created) {
    if (!DOMAIN_NAME.matcher(created.getName()).matches()) {
      return invalid("a domain name is a lower-case letter then up to 62 lower-case letters, digits or dashes");
    }
    if (!accounts.containsKey(created.getOwner())) {
      return Optional.of(Rejection.notFound("account", created.getOwner()));
    }
    // The same answer whoever owns the name: a domain's existence is not told to other tenants.
    return domains.containsKey(created.getName())
        ? Optional.of(new Rejection("domain_name_unavailable", "the domain name " + created.getName()
            + " is not available; choose another"))
        : oneMore(CatalogLimits.Held.DOMAINS, created.getOwner());
  }

  private Optional<Rejection> checkTopic(TopicCreated created) {
    if (!domains.containsKey(created.getDomain())) {
      return Optional.of(Rejection.notFound("domain", created.getDomain()));
    }
    if (!created.getName().startsWith(created.getDomain() + ".") || !TOPIC_NAME.matcher(created.getName()).matches()) {
      return invalid("a topic name is its domain, a dot, then lower-case letters, digits, dashes or underscores, e.g. "
          + created.getDomain() + ".orders");
    }
    if (created.getPartitions() < 1 || created.getPartitions() > MAX_PARTITIONS) {
      return invalid("partitions must be between 1 and " + MAX_PARTITIONS);
    }
    Optional<Rejection> badRetention = checkRetention(created.getRetentionMillis(), created.getRetentionBytes());
    if (badRetention.isPresent()) {
      return badRetention;
    }
    return topics.containsKey(created.getName()) ? Optional.of(Rejection.conflict("topic", created.getName()))
        : oneMore(CatalogLimits.Held.TOPICS, domains.get(created.getDomain()).owner());
  }

  private static Optional<Rejection> checkRetention(long millis, long bytes) {
    return millis < -1 || bytes < -1
        ? invalid("a retention bound is a positive amount, 0 for the node's default, or -1 for none") : Optional.empty();
  }

  private Optional<Rejection> checkRetentionSet(TopicRetentionSet set) {
    return topics.containsKey(set.getTopic()) ? checkRetention(set.getRetentionMillis(), set.getRetentionBytes())
        : Optional.of(Rejection.notFound("topic", set.getTopic()));
  }

  private Optional<Rejection> checkProduct(ProductCreated created) {
    if (created.getName().isBlank()) {
      return invalid("a product needs a name");
    }
    if (!accounts.containsKey(created.getOwner())) {
      return Optional.of(Rejection.notFound("account", created.getOwner()));
    }
    Optional<Rejection> badTopics = checkTopicsOfProduct(created.getOwner(), created.getTopicsList(), List.of());
    if (badTopics.isPresent()) {
      return badTopics;
    }
    return products.containsKey(created.getId()) ? Optional.of(Rejection.conflict("product", created.getId()))
        : oneMore(CatalogLimits.Held.PRODUCTS, created.getOwner());
  }

  /**
   * A product's topics: at least one, each existing, within the owner's limits; a topic it did not
   * have before ({@code had}) must not be retired.
   */
  private Optional<Rejection> checkTopicsOfProduct(String owner, List<String> names, List<String> had) {
    if (names.isEmpty()) {
      return invalid("a product needs at least one topic");
    }
    if (Set.copyOf(names).size() != names.size()) {
      return invalid("a product names each of its topics once");
    }
    Optional<Rejection> tooManyTopics = limitsOf(owner).checkTopicsOfProduct(names.size());
    if (tooManyTopics.isPresent()) {
      return tooManyTopics;
    }
    int partitions = 0;
    for (String name : names) {
      Topic topic = topics.get(name);
      if (topic == null) {
        return Optional.of(Rejection.notFound("topic", name));
      }
      if (topic.retiredAt().isPresent() && !had.contains(name)) {
        return Optional.of(retired("topic", name, topic.retiredAt().get()));
      }
      partitions += topic.partitions();
    }
    return limitsOf(owner).checkPartitionsOfProduct(partitions);
  }

  /**
   * An edit of a product. Topics may be added at any time; a topic is removed only while no
   * subscription to the product is running (one not cancelled, or cancelled with an end still
   * ahead), since a running subscription holds cursors and billed acks in it.
   */
  private Optional<Rejection> checkProductUpdate(ProductUpdated update, Instant at) {
    Product product = products.get(update.getId());
    if (product == null) {
      return Optional.of(Rejection.notFound("product", update.getId()));
    }
    if (update.hasName() && update.getName().isBlank()) {
      return invalid("a product needs a name");
    }
    if (!update.hasTopics()) {
      return Optional.empty();
    }
    List<String> names = update.getTopics().getNamesList();
    Optional<Rejection> badTopics = checkTopicsOfProduct(product.owner(), names, product.topics());
    if (badTopics.isPresent()) {
      return badTopics;
    }
    List<String> removed = product.topics().stream().filter(name -> !names.contains(name)).toList();
    if (removed.isEmpty()) {
      return Optional.empty();
    }
    return subscriptions.values().stream()
        .filter(subscription -> subscription.product().equals(product.id()) && !subscription.endedAt(at))
        .findFirst()
        .map(subscription -> new Rejection("product_topic_in_use", "topic " + removed.get(0) + " cannot leave product "
            + product.id() + " while subscription " + subscription.id() + " reads it; retire the product and make a"
            + " new one, or remove the topic once its subscriptions have ended"));
  }

  private static Rejection retired(String what, String id, Instant at) {
    return new Rejection(what + "_retired", what + " " + id + " was retired at " + at + "; it takes no new "
        + (what.equals("topic") ? "products" : "subscriptions") + " (its existing subscriptions keep running)");
  }

  private Optional<Rejection> checkPlan(PlanCreated created) {
    if (created.getName().isBlank()) {
      return invalid("a plan needs a name");
    }
    Product product = products.get(created.getProductId());
    if (product == null) {
      return Optional.of(Rejection.notFound("product", created.getProductId()));
    }
    if (plans.containsKey(created.getId())) {
      return Optional.of(Rejection.conflict("plan", created.getId()));
    }
    if (product.retiredAt().isPresent()) {
      return Optional.of(retired("product", product.id(), product.retiredAt().get()));
    }
    return limitsOf(product.owner()).checkOneMorePlan(product.id(), holdings.plansOf(product.id()))
        .or(() -> oneMore(CatalogLimits.Held.PLANS, product.owner()));
  }

  private Optional<Rejection> checkSubscription(SubscriptionCreated created) {
    if (!accounts.containsKey(created.getAccount())) {
      return Optional.of(Rejection.notFound("account", created.getAccount()));
    }
    Product product = products.get(created.getProduct());
    if (product == null) {
      return Optional.of(Rejection.notFound("product", created.getProduct()));
    }
    Plan plan = plans.get(created.getPlan());
    if (plan == null) {
      return Optional.of(Rejection.notFound("plan", created.getPlan()));
    }
    if (!plan.productId().equals(created.getProduct())) {
      return Optional.of(new Rejection("plan_not_in_product",
          "plan " + plan.id() + " belongs to product " + plan.productId() + ", not " + created.getProduct()));
    }
    if (product.retiredAt().isPresent()) {
      return Optional.of(retired("product", product.id(), product.retiredAt().get()));
    }
    if (plan.retiredAt().isPresent()) {
      return Optional.of(retired("plan", plan.id(), plan.retiredAt().get()));
    }
    return subscriptions.containsKey(created.getId())
        ? Optional.of(Rejection.conflict("subscription", created.getId()))
        : oneMore(CatalogLimits.Held.SUBSCRIPTIONS, created.getAccount());
  }

  private Optional<Rejection> checkPlanChange(SubscriptionPlanChanged changed, Instant at) {
    Subscription subscription = subscriptions.get(changed.getSubscription());
    if (subscription == null) {
      return Optional.of(Rejection.notFound("subscription", changed.getSubscription()));
    }
    if (subscription.endedAt(at)) {
      return Optional.of(cancelled(subscription));
    }
    Plan plan = plans.get(changed.getPlan());
    if (plan == null) {
      return Optional.of(Rejection.notFound("plan", changed.getPlan()));
    }
    if (!plan.productId().equals(subscription.product())) {
      return Optional.of(new Rejection("plan_not_in_product",
          "plan " + plan.id() + " belongs to product " + plan.productId() + ", not " + subscription.product()));
    }
    if (subscription.plan().equals(plan.id())) {
      return Optional.of(new Rejection("plan_unchanged", "subscription " + subscription.id() + " is already on plan " + plan.id()));
    }
    if (plan.retiredAt().isPresent()) {
      return Optional.of(retired("plan", plan.id(), plan.retiredAt().get()));
    }
    return limitsOf(subscription.account()).checkOneMorePlanChange(subscription.id(), subscription.plans().size() - 1);
  }

  /** An endpoint is set on a webhook subscription that has not ended; the first one brings its secret. */
  private Optional<Rejection> checkWebhook(WebhookEndpointSet set, Instant at) {
    Subscription subscription = subscriptions.get(set.getSubscription());
    if (subscription == null) {
      return Optional.of(Rejection.notFound("subscription", set.getSubscription()));
    }
    if (!webhooks.containsKey(set.getSubscription())) {
      return Optional.of(noWebhook(set.getSubscription()));
    }
    if (subscription.endedAt(at)) {
      return Optional.of(cancelled(subscription));
    }
    return Optional.empty();
  }

  private static Rejection noWebhook(String subscription) {
    return new Rejection("not_a_webhook_subscription", "subscription " + subscription
        + " is not delivered by webhook; its delivery type was chosen when it was created");
  }

  /** A cancel may only bring a subscription's end earlier, and never after it ended. */
  private Optional<Rejection> checkCancel(SubscriptionCancelled cancel, Instant at) {
    Subscription subscription = subscriptions.get(cancel.getSubscription());
    if (subscription == null) {
      return Optional.of(Rejection.notFound("subscription", cancel.getSubscription()));
    }
    Instant end = Instant.ofEpochMilli(cancel.getEndsAtMillis());
    if (subscription.endedAt(at) || subscription.endsAt().filter(scheduled -> !end.isBefore(scheduled)).isPresent()) {
      return Optional.of(cancelled(subscription));
    }
    return Optional.empty();
  }

  /** A pause needs a subscription that is not paused, a resume one that is; neither after its end. */
  private Optional<Rejection> checkPause(String id, boolean pause, Instant at) {
    Subscription subscription = subscriptions.get(id);
    if (subscription == null) {
      return Optional.of(Rejection.notFound("subscription", id));
    }
    if (subscription.endedAt(at)) {
      return Optional.of(cancelled(subscription));
    }
    boolean paused = subscription.pausedAt(at).isPresent();
    if (pause && paused) {
      return Optional.of(new Rejection("subscription_paused", "subscription " + id + " is already paused"));
    }
    if (!pause && !paused) {
      return Optional.of(new Rejection("subscription_not_paused", "subscription " + id + " is not paused"));
    }
    return Optional.empty();
  }

  private static Rejection cancelled(Subscription subscription) {
    return new Rejection("subscription_cancelled", "subscription " + subscription.id() + " was cancelled; it "
        + (subscription.endsAt().isPresent() ? "ends at " + subscription.endsAt().get() : "has ended"));
  }

  private Optional<Rejection> checkSchema(TopicSchemaAdded added) {
    Topic topic = topics.get(added.getTopic());
    if (topic == null) {
      return Optional.of(Rejection.notFound("topic", added.getTopic()));
    }
    Optional<Rejection> tooMany = limitsOf(topicOwner(added.getTopic()).orElse(""))
        .checkOneMoreSchema(added.getTopic(), topic.schemas().size());
    if (tooMany.isPresent() || topic.currentSchema().isEmpty()) {
      return tooMany;
    }
    SchemaCompatibility.Mode mode = SchemaCompatibility.Mode.of(added.getCompatibility());
    List<String> problems = SchemaCompatibility.problems(topic.currentSchema().get(), added.getSchemaJson(), mode);
    return problems.isEmpty() ? Optional.empty() : Optional.of(new Rejection("incompatible_schema",
        "schema version " + (topic.schemas().size() + 1) + " of " + added.getTopic() + " is not "
            + mode.name().toLowerCase(java.util.Locale.ROOT) + " compatible with version " + topic.schemas().size() + ": "
            + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
            + "; add it with \"compatibility\":\"none\" to skip the check"));
  }

  private Optional<Rejection> checkPlanDeletion(PlanDeleted deleted) {
    if (!plans.containsKey(deleted.getId())) {
      return Optional.of(Rejection.notFound("plan", deleted.getId()));
    }
    return subscriptions.values().stream()
        .filter(subscription -> subscription.plans().stream().anyMatch(span -> span.plan().equals(deleted.getId())))
        .findFirst()
        .map(subscription -> new Rejection("plan_in_use", "plan " + deleted.getId() + " is used by subscription "
            + subscription.id() + "; move its subscriptions to another plan first"));
  }

  /**
   * The account whose share of the catalog a change grows: the owner of what it creates or
   * changes. Creating accounts is the operator's, and deletions only shrink.
   */
  private Optional<String> payer(CatalogChange change) {
    return switch (change.getChangeCase()) {
      case API_KEY_CREATED -> Optional.of(change.getApiKeyCreated().getAccountId());
      case DOMAIN_CREATED -> Optional.of(change.getDomainCreated().getOwner());
      case TOPIC_CREATED -> domain(change.getTopicCreated().getDomain()).map(Domain::owner);
      case PRODUCT_CREATED -> Optional.of(change.getProductCreated().getOwner());
      case PLAN_CREATED -> product(change.getPlanCreated().getProductId()).map(Product::owner);
      case SUBSCRIPTION_CREATED -> Optional.of(change.getSubscriptionCreated().getAccount());
      case SUBSCRIPTION_PLAN_CHANGED -> subscription(change.getSubscriptionPlanChanged().getSubscription())
          .map(Subscription::account);
      case SUBSCRIPTION_CANCELLED -> subscription(change.getSubscriptionCancelled().getSubscription())
          .map(Subscription::account);
      case SUBSCRIPTION_PAUSED -> subscription(change.getSubscriptionPaused().getSubscription())
          .map(Subscription::account);
      case SUBSCRIPTION_RESUMED -> subscription(change.getSubscriptionResumed().getSubscription())
          .map(Subscription::account);
      case TOPIC_SCHEMA_ADDED -> topicOwner(change.getTopicSchemaAdded().getTopic());
      case WEBHOOK_ENDPOINT_SET -> subscription(change.getWebhookEndpointSet().getSubscription()).map(Subscription::account);
      case WEBHOOK_SECRET_ROTATED -> subscription(change.getWebhookSecretRotated().getSubscription())
          .map(Subscription::account);
      case WEBHOOK_ENDPOINT_DISABLED -> Optional.empty();
      case TOPIC_RETENTION_SET -> topicOwner(change.getTopicRetentionSet().getTopic());
      case API_KEY_EXPIRY_SET -> Optional.ofNullable(keys.get(change.getApiKeyExpirySet().getId())).map(ApiKey::accountId);
      case PRODUCT_UPDATED -> product(change.getProductUpdated().getId()).map(Product::owner);
      case PRODUCT_RETIRED -> product(change.getProductRetired().getId()).map(Product::owner);
      case PLAN_RENAMED -> planOwner(change.getPlanRenamed().getId());
      case PLAN_RETIRED -> planOwner(change.getPlanRetired().getId());
      case TOPIC_RETIRED -> topicOwner(change.getTopicRetired().getTopic());
      case ACCOUNT_CREATED, PLAN_DELETED, API_KEY_DELETED, CHANGE_NOT_SET -> Optional.empty();
    };
  }

  /** The id under which a change's bytes are given back when its entry is deleted, if it can be. */
  private static String deletableEntry(CatalogChange change) {
    return switch (change.getChangeCase()) {
      case API_KEY_CREATED -> change.getApiKeyCreated().getId();
      case API_KEY_EXPIRY_SET -> change.getApiKeyExpirySet().getId();
      case PLAN_CREATED -> change.getPlanCreated().getId();
      case PLAN_RENAMED -> change.getPlanRenamed().getId();
      case PLAN_RETIRED -> change.getPlanRetired().getId();
      default -> null;
    };
  }

  /** Refuses the account one more of {@code held} when it has as many as its limit allows. */
  private Optional<Rejection> oneMore(CatalogLimits.Held held, String account) {
    return limitsOf(account).checkOneMore(held, account, holdings.of(account, held));
  }

  /** The limits of a tenant's catalog; the platform's own entries (Platform) are the operator's and not limited. */
  private CatalogLimits limitsOf(String account) {
    return account.equals(Platform.ACCOUNT) ? CatalogLimits.UNCHECKED : limits;
  }

  private static Optional<Rejection> invalid(String message) {
    return Optional.of(new Rejection("invalid_request", message));
  }

  public Optional<Account> account(String id) {
    return Optional.ofNullable(accounts.get(id));
  }

  public Optional<ApiKey> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  public Optional<Domain> domain(String name) {
    return Optional.ofNullable(domains.get(name));
  }

  public Optional<Topic> topic(String name) {
    return Optional.ofNullable(topics.get(name));
  }

  /** Every partition of every topic the product bundles, topic by topic in the product's order. */
  public List<PartitionRef> partitionsOf(Product product) {
    return product.topics().stream().flatMap(name -> topic(name).orElseThrow().partitionRefs().stream()).toList();
  }

  public Optional<Product> product(String id) {
    return Optional.ofNullable(products.get(id));
  }

  public Optional<Plan> plan(String id) {
    return Optional.ofNullable(plans.get(id));
  }

  public Optional<Subscription> subscription(String id) {
    return Optional.ofNullable(subscriptions.get(id));
  }

  /** The webhook endpoint of a subscription delivered by webhook. */
  public Optional<WebhookEndpoint> webhook(String subscription) {
    return Optional.ofNullable(webhooks.get(subscription));
  }

  public Collection<WebhookEndpoint> webhooks() {
    return webhooks.values();
  }

  public Collection<Account> accounts() {
    return accounts.values();
  }

  public Collection<ApiKey> keys() {
    return keys.values();
  }

  public Collection<Domain> domains() {
    return domains.values();
  }

  public Collection<Topic> topics() {
    return topics.values();
  }

  public Collection<Product> products() {
    return products.values();
  }

  public Collection<Plan> plans() {
    return plans.values();
  }

  public Collection<Subscription> subscriptions() {
    return subscriptions.values();
  }

  /** The account's subscriptions in order of creation; as much work as it has subscriptions. */
  public List<Subscription> subscriptionsOf(String account) {
    return subscriptionsByAccount.getOrDefault(account, List.of()).stream().map(subscriptions::get).toList();
  }

  /** Every account that has ever subscribed. */
  public Set<String> subscribingAccounts() {
    return Collections.unmodifiableSet(subscriptionsByAccount.keySet());
  }

  /** The topics of the account's domains, in order of creation. */
  public List<Topic> topicsOwnedBy(String account) {
    return topicsByOwner.getOrDefault(account, List.of()).stream().map(topics::get).toList();
  }

  /** Whether the account has a subscription to the product. */
  public boolean subscribes(String account, String product) {
    return subscribers.contains(account + " " + product);
  }

  private Optional<String> planOwner(String planId) {
    return plan(planId).flatMap(plan -> product(plan.productId())).map(Product::owner);
  }

  /** The account that owns a topic, through its domain. */
  public Optional<String> topicOwner(String topicName) {
    return topic(topicName).flatMap(topic -> domain(topic.domain())).map(Domain::owner);
  }
}
