package io.tollgate.broker.analytics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This node's notices to the analytics read side of the journals written here (subscriptions'
 * and accounts' billing journals; partitions announce their own writes to every node): writers
 * call {@link #written} after each write, and {@link #send}, run every {@code notice-interval},
 * hands what was gathered since to the read side as one message, so ten thousand writes a second
 * to the same journals are one small message a second. A notice lost with its node is caught by
 * the read side's full sweep.
 */
public final class WrittenJournals {
  private final Set<String> written = ConcurrentHashMap.newKeySet();

  public void written(String persistenceId) {
    written.add(persistenceId);
  }

  /** Hands the journals written since the last call to {@code readSide}, if any. */
  public void send(Consumer<Set<String>> readSide) {
    if (written.isEmpty()) {
      return;
    }
    Set<String> batch = Set.copyOf(written);
    written.removeAll(batch);
    readSide.accept(batch);
  }
}
