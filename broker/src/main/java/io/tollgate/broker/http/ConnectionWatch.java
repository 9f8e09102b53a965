package io.tollgate.broker.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.io.Inet;

/**
 * Tells {@link IdleConnections} what happens on the HTTP port's connections, in place of Pekko
 * HTTP's idle timeout (turned off for this binding by {@link #settings}): each accepted socket,
 * by a socket option whose {@code afterConnect} Pekko calls for every connection it accepts; and,
 * around the API's route, each request begun and answered, which answers upgrade their
 * connection to a WebSocket, and how long each server-sent event stream lasts. A request is
 * matched to its socket by the peer's address and port, which Pekko puts on every request
 * ({@code pekko.http.server.remote-address-attribute = on}, in {@code tollgate/node.conf}).
 */
public final class ConnectionWatch extends AllDirectives {
  private final IdleConnections connections;

  public ConnectionWatch(IdleConnections connections) {
    this.connections = connections;
  }

  /** The binding's settings: no idle-timeout stage on its connections, and this watch on each accepted socket. */
  public ServerSettings settings(ServerSettings server) {
    List<Inet.SocketOption> options = new ArrayList<>();
    server.getSocketOptions().forEach(options::add);
    options.add(new Accepted());
    return server.withSocketOptions(options)
        .withTimeouts(server.getTimeouts().withIdleTimeout(scala.concurrent.duration.Duration.Inf()));
  }

  /** {@code route}, with each request's beginning and answer told to the connections. */
  public Route route(Route route) {
    return extractRequest(request -> peer(request).map(address -> {
      connections.active(address, System.nanoTime());
      return mapResponse(response -> answered(address, response), () -> route);
    }).orElse(route));
  }

  private HttpResponse answered(InetSocketAddress peer, HttpResponse response) {
    if (response.status().intValue() == 101) {
      connections.upgraded(peer);
      return response;
    }
    connections.active(peer, System.nanoTime());
    ResponseEntity entity = response.entity();
    if (entity.isStrict() || !entity.getContentType().mediaType().equals(MediaTypes.TEXT_EVENT_STREAM)) {
      return response;
    }
    connections.streamStarted(peer, System.nanoTime());
    return response.withEntity(HttpEntities.createChunked(entity.getContentType(),
        entity.getDataBytes().watchTermination((materialized, done) -> {
          done.whenComplete((ended, failure) -> connections.streamEnded(peer, System.nanoTime()));
          return materialized;
        })));
  }

  private static Optional<InetSocketAddress> peer(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress().map(address -> new InetSocketAddress(address, remote.getPort())));
  }

  /** The hook Pekko's TCP layer calls for every socket the HTTP port accepts, before any byte is read. */
  private final class Accepted extends Inet.AbstractSocketOption {
    @Override
    public void afterConnect(Socket socket) {
      connections.opened(socket.getRemoteSocketAddress(), new SocketConnection(socket), System.nanoTime());
    }
  }

  /** A socket, ended from the sweep's thread: shutting down wakes Pekko's selector with the end of input. */
  private record SocketConnection(Socket socket) implements IdleConnections.Connection {
    @Override
    public boolean isOpen() {
      return !socket.isClosed();
    }

    @Override
    public void shutDown() {
      try {
        if (!socket.isInputShutdown()) {
          socket.shutdownInput();
        }
        if (!socket.isOutputShutdown()) {
          socket.shutdownOutput();
        }
      } catch (IOException closedMeanwhile) {
        // Nothing to end: the peer or Pekko closed it first, and the next sweep forgets it.
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException alreadyGone) {
        // A socket that cannot be closed is closed as far as anything here can tell.
      }
    }
  }
}
