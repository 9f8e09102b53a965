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
  private final Map<String, Long> bytesByAccount = new ConcurrentHashMap<>();
  /** What each deletable entry (a key, a plan) cost its account, given back when it is deleted. */
  private final Map<String, Charge> charges = new ConcurrentHashMap<>();

  private record Charge(String account, long bytes) {}

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

  long bytesOf(String account) {
    return bytesByAccount.getOrDefault(account, 0L);
  }

  /** Adds an entry's bytes to its account; {@code entry} names a deletable entry, to give them back. */
  void charge(String account, String entry, long bytes) {
    bytesByAccount.merge(account, bytes, Long::sum);
    if (entry != null) {
      charges.merge(entry, new Charge(account, bytes), (old, added) -> new Charge(account, old.bytes() + added.bytes()));
    }
  }

  void refund(String entry) {
    Charge charge = charges.remove(entry);
    if (charge != null) {
      bytesByAccount.merge(charge.account(), -charge.bytes(), Long::sum);
    }
  }
}
