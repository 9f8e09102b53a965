package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A WebSocket client that records every frame and acks only when told to. */
final class RawWebSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Recorder recorder;
  private final WebSocket socket;

  private RawWebSocket(Recorder recorder, WebSocket socket) {
    this.recorder = recorder;
    this.socket = socket;
  }

  static RawWebSocket open(URI base, String subscription, String key) throws Exception {
    Recorder recorder = new Recorder();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + key)
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://" + base.getAuthority() + "/v1/subscriptions/" + subscription + "/stream"), recorder)
        .get(10, TimeUnit.SECONDS);
    return new RawWebSocket(recorder, socket);
  }

  private static final class Recorder implements WebSocket.Listener {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          closed.completeExceptionally(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  /** Every event delivered so far, whether it came alone or in a batch. */
  List<JsonNode> events() {
    List<JsonNode> events = new ArrayList<>();
    for (JsonNode frame : recorder.frames) {
      switch (frame.get("type").asText()) {
        case "event" -> events.add(frame);
        case "batch" -> frame.get("events").forEach(events::add);
        default -> { }
      }
    }
    return events;
  }

  /** Frames that are not events: errors and other notices. */
  List<JsonNode> notices() {
    return recorder.frames.stream()
        .filter(frame -> !List.of("event", "batch").contains(frame.get("type").asText()))
        .toList();
  }

  CompletableFuture<Integer> closed() {
    return recorder.closed;
  }

  void send(String text) throws Exception {
    socket.sendText(text, true).get(5, TimeUnit.SECONDS);
  }

  void ack(String cursor) throws Exception {
    send("{\"type\":\"ack\",\"cursor\":\"" + cursor + "\"}");
  }

  @Override
  public void close() {
    socket.abort();
  }
}
