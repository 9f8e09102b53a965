package io.tollgate.broker.analytics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Journals written, gathered from many writers and handed on as one batch. Each node keeps one
 * for the subscription and billing journals written there: writers call {@link #written} after
 * each write, and {@link #send}, run every {@code notice-interval}, hands what was gathered
 * since to the analytics read side as one message, so ten thousand writes a second to the same
 * journals are one small message a second; a notice lost with its node is caught by the read
 * side's full sweep. The read side keeps one for the partitions' announcements, which reach
 * every node, and takes it at each tick.
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
