package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Rejection;
import java.util.Optional;

/**
 * How much of the catalog one account may hold, and how large a product may be
 * ({@code tollgate.limits.catalog}). Every node keeps the whole catalog in memory, so these
 * counts, with the lengths of its strings, bound that memory (docs/security.md works it out).
 * Each limit refuses with its own code (409): the request is well formed, the account is full.
 */
public record CatalogLimits(int domainsPerAccount, int topicsPerAccount, int productsPerAccount, int plansPerAccount,
                            int keysPerAccount, int subscriptionsPerAccount, int topicsPerProduct, int plansPerProduct,
                            int partitionsPerProduct, int schemaVersionsPerTopic, int planChangesPerSubscription,
                            int resourcesPerKey, long bytesPerAccount) {
  /** For a catalog that only applies changes another one checked (a node's view): no limit is checked there. */
  public static final CatalogLimits UNCHECKED = new CatalogLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
      Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
      Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);

  /** What an account holds, each kind counted against its own limit. */
  public enum Held {
    DOMAINS("domains", "max-domains-per-account"),
    TOPICS("topics", "max-topics-per-account"),
    PRODUCTS("products", "max-products-per-account"),
    PLANS("plans", "max-plans-per-account"),
    KEYS("keys", "max-keys-per-account"),
    SUBSCRIPTIONS("subscriptions", "max-subscriptions-per-account");

    private final String plural;
    private final String key;

    Held(String plural, String key) {
      this.plural = plural;
      this.key = key;
    }
  }

  public int of(Held held) {
    return switch (held) {
      case DOMAINS -> domainsPerAccount;
      case TOPICS -> topicsPerAccount;
      case PRODUCTS -> productsPerAccount;
      case PLANS -> plansPerAccount;
      case KEYS -> keysPerAccount;
      case SUBSCRIPTIONS -> subscriptionsPerAccount;
    };
  }

  /** Refuses one more {@code held} for an account that has {@code count} of them already, at its limit. */
  Optional<Rejection> checkOneMore(Held held, String account, int count) {
    int limit = of(held);
    return count < limit ? Optional.empty() : Optional.of(new Rejection("too_many_" + held.plural,
        "account " + account + " has " + count + " " + held.plural + ", the most an account may have"
            + " (tollgate.limits.catalog." + held.key + " = " + limit + ")"));
  }

  Optional<Rejection> checkTopicsOfProduct(int count) {
    return count <= topicsPerProduct ? Optional.empty() : Optional.of(new Rejection("too_many_topics_in_product",
        "a product bundles at most " + topicsPerProduct + " topics; this one has " + count
            + " (tollgate.limits.catalog.max-topics-per-product)"));
  }

  /** A subscription keeps a starting position per partition of its product: the partitions bound its size. */
  Optional<Rejection> checkPartitionsOfProduct(int count) {
    return count <= partitionsPerProduct ? Optional.empty() : Optional.of(new Rejection("too_many_partitions_in_product",
        "a product covers at most " + partitionsPerProduct + " partitions in all its topics; this one would cover " + count
            + " (tollgate.limits.catalog.max-partitions-per-product)"));
  }

  /** Every schema version of a topic is kept (events stored under it stay valid under it). */
  Optional<Rejection> checkOneMoreSchema(String topic, int versions) {
    return versions < schemaVersionsPerTopic ? Optional.empty() : Optional.of(new Rejection("too_many_schema_versions",
        "topic " + topic + " has " + versions + " schema versions, the most a topic may have"
            + " (tollgate.limits.catalog.max-schema-versions-per-topic = " + schemaVersionsPerTopic + ")"));
  }

  /** A subscription keeps every plan it was on, for invoicing: its plan changes are bounded. */
  Optional<Rejection> checkOneMorePlanChange(String subscription, int changes) {
    return changes < planChangesPerSubscription ? Optional.empty() : Optional.of(new Rejection("too_many_plan_changes",
        "subscription " + subscription + " has changed plan " + changes + " times, the most a subscription may"
            + " (tollgate.limits.catalog.max-plan-changes-per-subscription = " + planChangesPerSubscription + ")"));
  }

  /** A key's resources are matched on every request it makes, and kept with it. */
  Optional<Rejection> checkResourcesOfKey(int count) {
    return count <= resourcesPerKey ? Optional.empty() : Optional.of(new Rejection("too_many_resources",
        "a key is limited to at most " + resourcesPerKey + " resources; this one names " + count
            + " (tollgate.limits.catalog.max-resources-per-key)"));
  }

  Optional<Rejection> checkOneMorePlan(String product, int count) {
    return count < plansPerProduct ? Optional.empty() : Optional.of(new Rejection("too_many_plans_in_product",
        "product " + product + " has " + count + " plans, the most a product may have"
            + " (tollgate.limits.catalog.max-plans-per-product = " + plansPerProduct + ")"));
  }

  /**
   * Counts alone do not bound an account's share of every node's memory: a subscription with a
   * long filter and a start position for each of 256 partitions weighs some 60 KB, a plain one
   * 229 bytes. So the changes an account makes to the catalog are also summed in bytes (their
   * journal encoding, which each node holds in decoded form) and bounded.
   */
  Optional<Rejection> checkBytes(String account, long held, int more) {
    return held + more <= bytesPerAccount ? Optional.empty() : Optional.of(new Rejection("too_many_catalog_bytes",
        "account " + account + " holds " + held + " bytes of catalog entries; this change adds " + more
            + " and an account may hold " + bytesPerAccount + " (tollgate.limits.catalog.max-bytes-per-account)"));
  }
}
