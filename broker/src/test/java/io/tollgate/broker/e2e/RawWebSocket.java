package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.protocols.v1.Delivery;
import io.tollgate.protocols.v1.StreamServerFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A WebSocket client that records every frame (JSON or Protobuf) and acks only when told to. */
final class RawWebSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Recorder recorder;
  private final WebSocket socket;

  private RawWebSocket(Recorder recorder, WebSocket socket) {
    this.recorder = recorder;
    this.socket = socket;
  }

  static RawWebSocket open(URI base, String subscription, String key) throws Exception {
    return open(base, subscription, key, HttpClient.newHttpClient().newWebSocketBuilder());
  }

  /** A stream in the Protobuf subprotocol: binary frames, read with {@link #protobufDeliveries()}. */
  static RawWebSocket openProtobuf(URI base, String subscription, String key) throws Exception {
    return open(base, subscription, key, HttpClient.newHttpClient().newWebSocketBuilder()
        .subprotocols(StreamFormat.PROTOBUF_SUBPROTOCOL));
  }

  private static RawWebSocket open(URI base, String subscription, String key, WebSocket.Builder builder) throws Exception {
    Recorder recorder = new Recorder();
    WebSocket socket = builder
        .header("Authorization", "Bearer " + key)
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://" + base.getAuthority() + "/v1/subscriptions/" + subscription + "/stream"), recorder)
        .get(10, TimeUnit.SECONDS);
    return new RawWebSocket(recorder, socket);
  }

  /** The HTTP status that refused the handshake; fails when the stream opens. */
  static int refusedHandshake(URI base, String subscription, String key) throws Exception {
    try (RawWebSocket socket = open(base, subscription, key)) {
      throw new AssertionError("the handshake was accepted; frames so far " + socket.recorder.frames);
    } catch (ExecutionException refused) {
      if (!(refused.getCause() instanceof WebSocketHandshakeException handshake)) {
        throw refused;
      }
      return handshake.getResponse().statusCode();
    }
  }

  private static final class Recorder implements WebSocket.Listener {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final List<StreamServerFrame> binaryFrames = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partialBinary.writeBytes(bytes);
      if (last) {
        try {
          binaryFrames.add(StreamServerFrame.parseFrom(partialBinary.toByteArray()));
        } catch (InvalidProtocolBufferException e) {
          closed.completeExceptionally(e);
        }
        partialBinary.reset();
      }
      webSocket.request(1);
      return null;
    }

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

  /** Every delivery so far of a Protobuf stream, whether it came alone or in a batch. */
  List<Delivery> protobufDeliveries() {
    List<Delivery> deliveries = new ArrayList<>();
    for (StreamServerFrame frame : recorder.binaryFrames) {
      if (frame.hasEvent()) {
        deliveries.add(frame.getEvent());
      } else if (frame.hasBatch()) {
        deliveries.addAll(frame.getBatch().getEventsList());
      }
    }
    return deliveries;
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

  /** One fragment of a binary message; {@code last} ends the message. */
  void sendBinary(byte[] data, boolean last) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(data), last).get(5, TimeUnit.SECONDS);
  }

  void ack(String cursor) throws Exception {
    send("{\"type\":\"ack\",\"cursor\":\"" + cursor + "\"}");
  }

  @Override
  public void close() {
    socket.abort();
  }
}
