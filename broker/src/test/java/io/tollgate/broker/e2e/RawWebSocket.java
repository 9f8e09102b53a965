package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.protocols.v1.Delivery;
import io.tollgate.protocols.v1.StreamServerFrame;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A WebSocket client that records every frame (JSON or Protobuf) and acks only when told to.
 * It is Jetty's client, as the SDK's is: the JDK's loses bytes that arrive right after the
 * handshake (docs/ARCHITECTURE.md, "The SDK's WebSocket transport"). It and its listener are
 * public only because Jetty calls a listener through public method handles.
 */
public final class RawWebSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static WebSocketClient client;
  private final Recorder recorder;
  private final Session socket;

  private RawWebSocket(Recorder recorder, Session socket) {
    this.recorder = recorder;
    this.socket = socket;
  }

  /** One client for every test of the JVM; streams may stay quiet and frames may be large. */
  private static synchronized WebSocketClient client() throws Exception {
    if (client == null) {
      WebSocketClient started = new WebSocketClient();
      // The broker refuses an unknown API key with a 401 and no challenge, which Jetty's
      // authentication handler takes for a protocol violation and hides the status behind.
      started.getHttpClient().getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
      started.setIdleTimeout(java.time.Duration.ZERO);
      started.setMaxTextMessageSize(64L << 20);
      started.setMaxBinaryMessageSize(64L << 20);
      started.setConnectTimeout(5_000);
      started.start();
      client = started;
    }
    return client;
  }

  static RawWebSocket open(URI base, String subscription, String key) throws Exception {
    return open(base, subscription, key, List.of());
  }

  /** A stream in the Protobuf subprotocol: binary frames, read with {@link #protobufDeliveries()}. */
  static RawWebSocket openProtobuf(URI base, String subscription, String key) throws Exception {
    return open(base, subscription, key, List.of(StreamFormat.PROTOBUF_SUBPROTOCOL));
  }

  private static RawWebSocket open(URI base, String subscription, String key, List<String> subprotocols)
      throws Exception {
    Recorder recorder = new Recorder();
    ClientUpgradeRequest request = new ClientUpgradeRequest();
    request.setHeader("Authorization", "Bearer " + key);
    if (!subprotocols.isEmpty()) {
      request.setSubProtocols(subprotocols);
    }
    Session socket = client().connect(recorder,
            URI.create("ws://" + base.getAuthority() + "/v1/subscriptions/" + subscription + "/stream"), request)
        .get(10, TimeUnit.SECONDS);
    return new RawWebSocket(recorder, socket);
  }

  /** The HTTP status that refused the handshake; fails when the stream opens. */
  static int refusedHandshake(URI base, String subscription, String key) throws Exception {
    try (RawWebSocket socket = open(base, subscription, key)) {
      throw new AssertionError("the handshake was accepted; frames so far " + socket.recorder.frames);
    } catch (ExecutionException refused) {
      for (Throwable cause = refused.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof org.eclipse.jetty.websocket.api.exceptions.UpgradeException upgrade
            && upgrade.getResponseStatusCode() > 0) {
          return upgrade.getResponseStatusCode();
        }
        if (cause instanceof org.eclipse.jetty.websocket.core.exception.UpgradeException upgrade
            && upgrade.getResponseStatusCode() > 0) {
          return upgrade.getResponseStatusCode();
        }
      }
      throw refused;
    }
  }

  public static final class Recorder extends Session.Listener.AbstractAutoDemanding {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final List<StreamServerFrame> binaryFrames = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
      try {
        binaryFrames.add(StreamServerFrame.parseFrom(payload));
      } catch (InvalidProtocolBufferException e) {
        closed.completeExceptionally(e);
      }
      callback.succeed();
    }

    @Override
    public void onWebSocketText(String message) {
      try {
        frames.add(JSON.readTree(message));
      } catch (Exception e) {
        closed.completeExceptionally(e);
      }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      closed.complete(statusCode);
    }

    @Override
    public void onWebSocketError(Throwable error) {
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

  /** The subprotocol the broker accepted, empty for none. */
  String subprotocol() {
    String accepted = socket.getUpgradeResponse().getAcceptedSubProtocol();
    return accepted == null ? "" : accepted;
  }

  CompletableFuture<Integer> closed() {
    return recorder.closed;
  }

  void send(String text) throws Exception {
    Callback.Completable sent = new Callback.Completable();
    socket.sendText(text, sent);
    sent.get(5, TimeUnit.SECONDS);
  }

  /** One fragment of a binary message; {@code last} ends the message. */
  void sendBinary(byte[] data, boolean last) throws Exception {
    Callback.Completable sent = new Callback.Completable();
    socket.sendPartialBinary(ByteBuffer.wrap(data), last, sent);
    sent.get(5, TimeUnit.SECONDS);
  }

  void ack(String cursor) throws Exception {
    send("{\"type\":\"ack\",\"cursor\":\"" + cursor + "\"}");
  }

  @Override
  public void close() {
    socket.disconnect();
  }
}
