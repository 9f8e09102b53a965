package io.tollgate.client;

import java.util.concurrent.CompletableFuture;

/**
 * What {@link StreamListener} needs of the WebSocket connection it speaks on: sending text and
 * closing, each after everything sent before it. {@link WebSocketStream} is it over Jetty's session.
 */
interface StreamSocket {
  /** Queues a text message; the future completes when it is written, or fails when it cannot be. */
  CompletableFuture<Void> sendText(String text);

  /** Queues the close frame after what was sent before. */
  void sendClose(int status, String reason);
}
