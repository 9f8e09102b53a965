package io.tollgate.broker.invoicing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Wake-ups of accounts' billing, coalesced: at most one catch-up per account is in flight from
 * this node, and the subscriptions that wrote usage meanwhile go into the next one, together.
 * Every usage write of every subscription wakes its account; without this, an account with a
 * thousand busy subscriptions received thousands of catch-ups a second, each a journal read,
 * and dropped what its stash could not hold.
 */
final class WakeQueue {
  private final Set<String> inFlight = new HashSet<>();
  private final Map<String, Set<String>> waiting = new HashMap<>();

  /** A subscription of {@code account} wrote usage: the catch-up to send now, unless one is in flight. */
  Optional<List<String>> woken(String account, String subscription) {
    if (inFlight.add(account)) {
      return Optional.of(List.of(subscription));
    }
    waiting.computeIfAbsent(account, none -> new LinkedHashSet<>()).add(subscription);
    return Optional.empty();
  }

  /** The account's catch-up ended, read or failed: the next one, of every subscription woken meanwhile. */
  Optional<List<String>> ended(String account) {
    Set<String> next = waiting.remove(account);
    if (next == null) {
      inFlight.remove(account);
      return Optional.empty();
    }
    return Optional.of(List.copyOf(next));
  }
}
