package io.tollgate.broker.audit;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The bytes of audit entries each account holds, largest first. Past the byte cap, the account
 * that holds the most gives up its oldest entry, so an account that writes a flood of changes
 * shortens its own log, not the others': the cap ends up shared equally among the accounts that
 * need more than an equal share, and an account that needs less keeps all of its log.
 */
final class AccountShares {
  private record Share(String account, long bytes) {}

  private static final Comparator<Share> LARGEST_FIRST =
      Comparator.comparingLong(Share::bytes).reversed().thenComparing(Share::account);

  private final Map<String, Long> bytes = new HashMap<>();
  private final TreeSet<Share> largestFirst = new TreeSet<>(LARGEST_FIRST);

  /** Adds {@code delta} bytes (less than zero: an entry left) to what {@code account} holds. */
  void add(String account, long delta) {
    Long before = bytes.remove(account);
    if (before != null) {
      largestFirst.remove(new Share(account, before));
    }
    long after = (before == null ? 0 : before) + delta;
    if (after > 0) {
      bytes.put(account, after);
      largestFirst.add(new Share(account, after));
    }
  }

  /** The account holding the most bytes (of equal ones, the first by name); there must be one. */
  String largest() {
    return largestFirst.first().account();
  }
}
