package io.tollgate.client;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A WebSocket that records what the listener sends and requests, to drive a StreamListener without a server. */
final class RecordingWebSocket implements WebSocket {
  final List<String> sent = new CopyOnWriteArrayList<>();
  final List<Integer> closeStatuses = new CopyOnWriteArrayList<>();
  final AtomicLong requested = new AtomicLong();

  @Override
  public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
    if (!closeStatuses.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalStateException("output closed"));
    }
    sent.add(data.toString());
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
    closeStatuses.add(statusCode);
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void request(long n) {
    requested.addAndGet(n);
  }

  @Override
  public String getSubprotocol() {
    return "";
  }

  @Override
  public boolean isOutputClosed() {
    return !closeStatuses.isEmpty();
  }

  @Override
  public boolean isInputClosed() {
    return false;
  }

  @Override
  public void abort() {
    closeStatuses.add(-1);
  }
}
