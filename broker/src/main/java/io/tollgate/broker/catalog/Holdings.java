package io.tollgate.broker.catalog;

import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import io.tollgate.protocols.v1.journal.SnapshotCharge;
import io.tollgate.protocols.v1.journal.SnapshotHoldings;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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

  /** Adds every count and charge to {@code snapshot}, zeros included, so a restore holds exactly these maps. */
  void addTo(CatalogSnapshot.Builder snapshot) {
    Set<String> accounts = new HashSet<>(byAccount.keySet());
    accounts.addAll(bytesByAccount.keySet());
    accounts.stream().sorted().forEach(account -> {
      SnapshotHoldings.Builder held = SnapshotHoldings.newBuilder().setAccount(account);
      byAccount.getOrDefault(account, new EnumMap<>(CatalogLimits.Held.class))
          .forEach((kind, count) -> held.putCounts(kind.name(), count));
      Long bytes = bytesByAccount.get(account);
      if (bytes != null) {
        held.setBytes(bytes);
      }
      snapshot.addHoldings(held);
    });
    snapshot.putAllPlansByProduct(plansByProduct);
    charges.forEach((entry, charge) -> snapshot.putCharges(entry,
        SnapshotCharge.newBuilder().setAccount(charge.account()).setBytes(charge.bytes()).build()));
  }

  void restore(CatalogSnapshot snapshot) {
    snapshot.getHoldingsList().forEach(held -> {
      if (!held.getCountsMap().isEmpty()) {
        EnumMap<CatalogLimits.Held, Integer> counts = new EnumMap<>(CatalogLimits.Held.class);
        held.getCountsMap().forEach((kind, count) -> counts.put(CatalogLimits.Held.valueOf(kind), count));
        byAccount.put(held.getAccount(), counts);
      }
      if (held.hasBytes()) {
        bytesByAccount.put(held.getAccount(), held.getBytes());
      }
    });
    plansByProduct.putAll(snapshot.getPlansByProductMap());
    snapshot.getChargesMap().forEach((entry, charge) -> charges.put(entry, new Charge(charge.getAccount(), charge.getBytes())));
  }
}
