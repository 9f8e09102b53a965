package io.tollgate.broker.catalog;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of each kind every account holds, and how many plans each product has: kept as the
 * catalog applies its changes, so checking a limit costs a lookup, not a scan of 100,000
 * subscriptions for each new one. Changed by the one thread that applies changes.
 */
final class Holdings {
  private final Map<String, EnumMap<CatalogLimits.Held, Integer>> byAccount = new ConcurrentHashMap<>();
  private final Map<String, Integer> plansByProduct = new ConcurrentHashMap<>();

  int of(String account, CatalogLimits.Held held) {
    EnumMap<CatalogLimits.Held, Integer> counts = byAccount.get(account);
    return counts == null ? 0 : counts.getOrDefault(held, 0);
  }

  void add(String account, CatalogLimits.Held held, int delta) {
    byAccount.computeIfAbsent(account, created -> new EnumMap<>(CatalogLimits.Held.class)).merge(held, delta, Integer::sum);
  }

  int plansOf(String product) {
    return plansByProduct.getOrDefault(product, 0);
  }

  void addPlan(String product, int delta) {
    plansByProduct.merge(product, delta, Integer::sum);
  }
}
