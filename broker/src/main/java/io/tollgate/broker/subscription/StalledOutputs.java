package io.tollgate.broker.subscription;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The streams of this node whose connection has not taken the frame they offer it, since when,
 * and how each is aborted. A consumer that stopped reading its socket, or a peer that vanished
 * once its socket buffers are full, would otherwise hold its stream, its place and its window of
 * deliveries for good. One sweep for the whole node ({@link #sweep}, every
 * {@code tollgate.sessions.check-interval}) aborts those that waited {@code stallTimeout}; a
 * stream whose connection keeps up is not in the set at all, so an idle stream costs nothing
 * here. This replaces Pekko HTTP's connection idle-timeout for streams, which checked every
 * connection every second whether it had traffic or not (off for the API's binding:
 * {@code http/ConnectionWatch}, {@code http/IdleConnections}).
 *
 * <p>Times are {@code System.nanoTime} readings, the scheduler's time, not the node's
 * {@code Clock}: how long a socket has been stuck is not a business time, and tests that move
 * the node's clock by hours must not close their streams.
 */
public final class StalledOutputs {
  private record Waiting(long sinceNanos, Consumer<Duration> abort) {}

  private final long stallTimeoutNanos;
  private final Map<Object, Waiting> waiting = new ConcurrentHashMap<>();

  public StalledOutputs(Duration stallTimeout) {
    this.stallTimeoutNanos = stallTimeout.toNanos();
  }

  /**
   * {@code output} holds a frame its connection has not taken, since {@code nowNanos} unless it
   * already waited; {@code abort} ends it with how long it waited.
   */
  void waiting(Object output, long nowNanos, Consumer<Duration> abort) {
    waiting.putIfAbsent(output, new Waiting(nowNanos, abort));
  }

  /** {@code output}'s connection took what it held, or the output ended. */
  void taken(Object output) {
    waiting.remove(output);
  }

  /** Aborts, once, every output that has waited at least the stall timeout by {@code nowNanos}; returns how many. */
  public int sweep(long nowNanos) {
    int aborted = 0;
    for (Map.Entry<Object, Waiting> entry : waiting.entrySet()) {
      Waiting wait = entry.getValue();
      long waited = nowNanos - wait.sinceNanos();
      if (waited >= stallTimeoutNanos && waiting.remove(entry.getKey(), wait)) {
        wait.abort().accept(Duration.ofNanos(waited));
        aborted++;
      }
    }
    return aborted;
  }

  /** How many outputs wait now. */
  public int waitingCount() {
    return waiting.size();
  }
}
