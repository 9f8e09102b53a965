package io.tollgate.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A StreamSocket that records what the listener sends, to drive a StreamListener without a server. */
final class RecordingSocket implements StreamSocket {
  final List<String> sent = new CopyOnWriteArrayList<>();
  final List<Integer> closeStatuses = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<Void> sendText(String text) {
    if (!closeStatuses.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalStateException("output closed"));
    }
    sent.add(text);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void sendClose(int status, String reason) {
    closeStatuses.add(status);
  }
}
