package io.tollgate.client;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One subscriber's stream on Jetty's WebSocket client: passes whole text messages to the
 * {@link StreamListener} and its sends to Jetty's session. It demands each next frame only once
 * the listener has returned, so the handler runs one message at a time and what the broker sends
 * meanwhile waits in the socket buffers (and, past the window, at the broker).
 *
 * <p>Public only because Jetty calls an endpoint's methods through public method handles; it is
 * not part of the SDK's API (its constructor is not public).
 */
public final class WebSocketStream implements Session.Listener {
  private final StreamListener listener;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile Session session;

  WebSocketStream(StreamListener listener) {
    this.listener = listener;
  }

  /**
   * Completes (never exceptionally) once the connection is over: the broker's close frame
   * arrived (Jetty then answers it), the connection failed, or the handshake did.
   */
  CompletableFuture<Void> ended() {
    return ended;
  }

  /** Drops the connection without a close frame, for a broker that does not answer one. */
  void abort() {
    Session open = session;
    if (open != null) {
      open.disconnect();
    }
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    listener.onOpen(new Sending(session));
    session.demand();
  }

  @Override
  public void onWebSocketText(String message) {
    listener.onText(message);
    session.demand();
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    callback.succeed();
    listener.onBinary();
    session.demand();
  }

  /** Jetty answers a ping itself only for an endpoint that demands automatically; this one does not. */
  @Override
  public void onWebSocketPing(ByteBuffer payload) {
    session.sendPong(payload, Callback.NOOP);
    session.demand();
  }

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
    session.demand();
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    listener.onClose(statusCode, reason);
    ended.complete(null);
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    listener.onError(cause);
    ended.complete(null);
  }

  private record Sending(Session session) implements StreamSocket {
    @Override
    public CompletableFuture<Void> sendText(String text) {
      Callback.Completable sent = new Callback.Completable();
      session.sendText(text, sent);
      return sent;
    }

    @Override
    public void sendClose(int status, String reason) {
      session.close(status, reason, Callback.NOOP);
    }
  }
}
