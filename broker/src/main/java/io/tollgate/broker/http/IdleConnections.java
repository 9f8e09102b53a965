package io.tollgate.broker.http;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP connections of this node, and when each last began or answered a request, so that
 * one sweep for the whole node ({@link #sweep}, every eighth of the timeout, 15 s, or
 * {@code tollgate.sessions.check-interval} if longer) ends those that were quiet for the idle
 * timeout ({@code pekko.http.server.idle-timeout}). It
 * bounds the quiet connections a hostile client can hold open, as Pekko HTTP's own idle timeout
 * did; that one is a stage on every connection that checks every second whether bytes passed,
 * streams included: 10,000 timer events a second for 10,000 idle streams (docs/benchmarks.md,
 * "Idle streams: one sweep for every connection").
 *
 * <p>A connection that carries a stream is never quiet here: a WebSocket for the rest of its
 * life (it never goes back to HTTP requests), a server-sent event stream while it lasts. A
 * stream is bounded otherwise: a quiet one is what streams are for, and one whose connection
 * stops taking frames is aborted by {@code subscription/StalledOutputs}. Any other connection is
 * quiet from when its last request began or was answered: a connection that never sends a
 * whole request, or none after its last answer, or whose request outlasts the timeout (requests
 * time out well before it, {@code pekko.http.server.request-timeout}), is ended.
 *
 * <p>Ending is in two steps: first both directions of the socket are shut down, so that Pekko
 * reads the end of its input and closes the connection itself, freeing its stream; should it
 * still be open a timeout later, the socket is closed. Connections are known by their peer's
 * address and port, which are the connection's own while it is open. Times are
 * {@code System.nanoTime} readings, as in {@code StalledOutputs}.
 */
public final class IdleConnections {
  /** A connection, as the sweep sees and ends it. */
  public interface Connection {
    boolean isOpen();

    /** Shuts both directions down: the connection's reader sees the end of its input and closes it. */
    void shutDown();

    /** Closes it at once, for one that was shut down and is still open. */
    void close();
  }

  private record State(Connection connection, long lastActiveNanos, int streams, boolean upgraded,
                       boolean shutDown) {
    State activeAt(long nowNanos) {
      return new State(connection, nowNanos, streams, upgraded, shutDown);
    }

    State withStreams(int count, long nowNanos) {
      return new State(connection, nowNanos, count, upgraded, shutDown);
    }

    boolean carriesAStream() {
      return upgraded || streams > 0;
    }
  }

  private final long idleTimeoutNanos;
  private final Map<SocketAddress, State> connections = new ConcurrentHashMap<>();

  public IdleConnections(Duration idleTimeout) {
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  /** A connection from {@code peer} was accepted at {@code nowNanos}. */
  public void opened(SocketAddress peer, Connection connection, long nowNanos) {
    connections.put(peer, new State(connection, nowNanos, 0, false, false));
  }

  /** The connection from {@code peer} began a request, or was answered. */
  public void active(SocketAddress peer, long nowNanos) {
    connections.computeIfPresent(peer, (address, state) -> state.activeAt(nowNanos));
  }

  /** The connection from {@code peer} became a WebSocket: a stream for the rest of its life. */
  public void upgraded(SocketAddress peer) {
    connections.computeIfPresent(peer,
        (address, state) -> new State(state.connection(), state.lastActiveNanos(), state.streams(), true, state.shutDown()));
  }

  /** A server-sent event stream began on the connection from {@code peer} (HTTP/2 carries several). */
  public void streamStarted(SocketAddress peer, long nowNanos) {
    connections.computeIfPresent(peer, (address, state) -> state.withStreams(state.streams() + 1, nowNanos));
  }

  /** A server-sent event stream on the connection from {@code peer} ended: it is quiet from now on unless another runs. */
  public void streamEnded(SocketAddress peer, long nowNanos) {
    connections.computeIfPresent(peer, (address, state) -> state.withStreams(Math.max(0, state.streams() - 1), nowNanos));
  }

  /**
   * Forgets the connections that closed, shuts down those quiet for the idle timeout by
   * {@code nowNanos}, and closes those shut down a timeout ago and still open; returns how many
   * it shut down.
   */
  public int sweep(long nowNanos) {
    int shutDown = 0;
    for (Map.Entry<SocketAddress, State> entry : connections.entrySet()) {
      State state = entry.getValue();
      if (!state.connection().isOpen()) {
        connections.remove(entry.getKey(), state);
      } else if (!state.carriesAStream() && nowNanos - state.lastActiveNanos() >= idleTimeoutNanos) {
        if (!state.shutDown()) {
          if (connections.replace(entry.getKey(), state,
              new State(state.connection(), nowNanos, state.streams(), false, true))) {
            state.connection().shutDown();
            shutDown++;
          }
        } else if (connections.remove(entry.getKey(), state)) {
          state.connection().close();
        }
      }
    }
    return shutDown;
  }

  /** How many connections are known now. */
  public int size() {
    return connections.size();
  }
}
