package io.tollgate.client;

import io.tollgate.protocols.v1.CloudEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A TCP publisher that outlives its connections: the broker ends a connection that is idle past
 * its idle timeout, and a broker that restarts or fails over ends them all. A publish in flight
 * when its connection ends fails with {@code connection_closed}; sending it again is safe, as the
 * broker deduplicates events by source and id. The next publish opens a new connection, so a
 * producer that publishes now and then needs no reconnect logic of its own. A connection that
 * cannot be made fails that publish with the broker's error (a revoked key is not retried).
 */
public final class ReconnectingPublisher implements Publisher {
  private final Supplier<TcpPublisher> connector;
  private TcpPublisher connection;
  private boolean closed;

  ReconnectingPublisher(Supplier<TcpPublisher> connector) {
    this.connector = connector;
    this.connection = connector.get();
  }

  /**
   * Connects at once, so that a wrong key or an unreachable broker shows here; see
   * {@link TcpPublisher#connect(String, int, String, int, ClientTls)} for the arguments.
   */
  public static ReconnectingPublisher connect(String host, int port, String apiKey, int maxInFlight, ClientTls tls) {
    return new ReconnectingPublisher(() -> TcpPublisher.connect(host, port, apiKey, maxInFlight, tls));
  }

  @Override
  public CompletableFuture<PublishResult> publish(String topic, List<CloudEvent> events) {
    TcpPublisher open;
    try {
      open = openConnection();
    } catch (TollgateException e) {
      return CompletableFuture.failedFuture(e);
    }
    return open.publish(topic, events);
  }

  /** False once the current connection has ended; the next publish opens another. */
  public synchronized boolean isOpen() {
    return !closed && connection.isOpen();
  }

  /** The account the key belongs to, as the broker reported it on the current connection. */
  public synchronized String accountId() {
    return connection.accountId();
  }

  private synchronized TcpPublisher openConnection() {
    if (closed) {
      throw new TollgateException(TollgateException.CONNECTION_CLOSED, "the publisher is closed");
    }
    if (!connection.isOpen()) {
      connection.close();
      connection = connector.get();
    }
    return connection;
  }

  @Override
  public boolean reconnects() {
    return true;
  }

  @Override
  public void close() {
    TcpPublisher last;
    synchronized (this) {
      closed = true;
      last = connection;
    }
    last.close();
  }
}
