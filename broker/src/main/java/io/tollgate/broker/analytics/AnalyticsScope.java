package io.tollgate.broker.analytics;

import io.tollgate.broker.catalog.Catalog;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which keys of a dimension a caller may see, like every read: the operator all of them; an
 * account its own account, the topics of its domains, its products and their plans, its own
 * subscriptions, and the subscriptions to its products without what is the consumer's own
 * (charges, failed authentications: {@link Rollup#withoutConsumerPrivate}).
 *
 * @param all every key (the operator)
 * @param whole keys seen whole
 * @param withoutPrivate keys seen without the consumer's private data
 */
public record AnalyticsScope(boolean all, Set<String> whole, Set<String> withoutPrivate) {
  public static final AnalyticsScope OPERATOR = new AnalyticsScope(true, Set.of(), Set.of());

  public static AnalyticsScope of(Catalog catalog, String account, Dimension dimension) {
    Set<String> whole = new HashSet<>();
    Set<String> withoutPrivate = new HashSet<>();
    switch (dimension) {
      case ACCOUNTS -> whole.add(account);
      case TOPICS -> catalog.topicsOwnedBy(account).forEach(topic -> whole.add(topic.name()));
      case PRODUCTS -> ownedProducts(catalog, account).forEach(whole::add);
      case PLANS -> {
        Set<String> products = ownedProducts(catalog, account);
        catalog.plans().stream().filter(plan -> products.contains(plan.productId())).forEach(plan -> whole.add(plan.id()));
      }
      case SUBSCRIPTIONS -> {
        Set<String> products = ownedProducts(catalog, account);
        for (Catalog.Subscription subscription : catalog.subscriptions()) {
          if (subscription.account().equals(account)) {
            whole.add(subscription.id());
          } else if (products.contains(subscription.product())) {
            withoutPrivate.add(subscription.id());
          }
        }
      }
    }
    return new AnalyticsScope(false, Set.copyOf(whole), Set.copyOf(withoutPrivate));
  }

  private static Set<String> ownedProducts(Catalog catalog, String account) {
    Set<String> products = new HashSet<>();
    catalog.products().stream().filter(product -> product.owner().equals(account)).forEach(p -> products.add(p.id()));
    return products;
  }

  public boolean sees(String key) {
    return all || whole.contains(key) || withoutPrivate.contains(key);
  }

  /** The keys to ask the read side for: every one, or those seen, or just {@code key}. */
  public Optional<Set<String>> keys(Optional<String> key) {
    if (key.isPresent()) {
      return Optional.of(Set.of(key.get()));
    }
    if (all) {
      return Optional.empty();
    }
    Set<String> keys = new HashSet<>(whole);
    keys.addAll(withoutPrivate);
    return Optional.of(keys);
  }

  /** The rollup as this caller may see it. */
  public Rollup shown(String key, Rollup rollup) {
    return all || whole.contains(key) ? rollup : rollup.withoutConsumerPrivate();
  }
}
