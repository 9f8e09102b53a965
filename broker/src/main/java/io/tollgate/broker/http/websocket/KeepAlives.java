package io.tollgate.broker.http.websocket;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket connections of this node and when each last sent a frame, so that one sweep for
 * the whole node ({@link #sweep}, every half interval) tells those that sent nothing for the
 * keep-alive interval to send a keep-alive frame. Pekko HTTP gave each connection a timer for
 * this and another, every 3 s, for its close handshake: at 10,000 idle streams, 4,000 timer
 * events a second (docs/benchmarks.md, "Idle streams"). Times are {@code System.nanoTime}
 * readings, as in {@code subscription/StalledOutputs}.
 */
public final class KeepAlives {
  /** A connection, as the sweep sees it: when it last sent, and how it is told to send a keep-alive. */
  public static final class Registration {
    private final Runnable sendKeepAlive;
    private volatile long lastSentNanos;

    private Registration(Runnable sendKeepAlive, long nowNanos) {
      this.sendKeepAlive = sendKeepAlive;
      this.lastSentNanos = nowNanos;
    }

    /** The connection wrote a frame at {@code nowNanos}. */
    public void sent(long nowNanos) {
      lastSentNanos = nowNanos;
    }
  }

  private final long intervalNanos;
  private final Set<Registration> connections = ConcurrentHashMap.newKeySet();

  /** {@code interval}: how long a connection may send nothing; none is sent when it is null. */
  public KeepAlives(Duration interval) {
    this.intervalNanos = interval == null ? Long.MAX_VALUE : interval.toNanos();
  }

  /** How often {@link #sweep} should run; null when no keep-alive is sent. */
  public Duration sweepInterval() {
    return intervalNanos == Long.MAX_VALUE ? null : Duration.ofNanos(intervalNanos / 2);
  }

  public Registration register(Runnable sendKeepAlive, long nowNanos) {
    Registration registration = new Registration(sendKeepAlive, nowNanos);
    connections.add(registration);
    return registration;
  }

  public void unregister(Registration registration) {
    connections.remove(registration);
  }

  /** Tells each connection that sent nothing for the interval by {@code nowNanos} to send a keep-alive; returns how many. */
  public int sweep(long nowNanos) {
    int told = 0;
    for (Registration connection : connections) {
      if (nowNanos - connection.lastSentNanos >= intervalNanos) {
        connection.lastSentNanos = nowNanos;
        connection.sendKeepAlive.run();
        told++;
      }
    }
    return told;
  }

  /** How many connections are registered. */
  public int size() {
    return connections.size();
  }
}
