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
                            int keysPerAccount, int subscriptionsPerAccount, int topicsPerProduct, int plansPerProduct) {
  /** For a catalog that only applies changes another one checked (a node's view): no limit is checked there. */
  public static final CatalogLimits UNCHECKED = new CatalogLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
      Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

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

  Optional<Rejection> checkOneMorePlan(String product, int count) {
    return count < plansPerProduct ? Optional.empty() : Optional.of(new Rejection("too_many_plans_in_product",
        "product " + product + " has " + count + " plans, the most a product may have"
            + " (tollgate.limits.catalog.max-plans-per-product = " + plansPerProduct + ")"));
  }
}
