package io.tollgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Receives a subscription's events over WebSocket ({@code /v1/subscriptions/{id}/stream}, JSON
 * frames). Each event goes to the handler, one at a time and in order; when the handler has
 * returned for every event of a frame, the subscriber acks the last cursor of each partition
 * in it. An event whose handler threw is not acked, and the stream ends with that exception.
 * Delivery is at least once: after a reconnect, events that were not acked arrive again.
 */
public final class Subscriber implements AutoCloseable {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** Receives one event; throwing stops the subscriber without acknowledging the event. */
  @FunctionalInterface
  public interface Handler {
    void onDelivery(Delivery delivery) throws Exception;
  }

  /** A frame other than events, such as {@code quota} or {@code error}; {@code frame} is all of it. */
  public record Notice(String type, String code, String message, JsonNode frame) {}

  private final WebSocket webSocket;
  private final StreamListener listener;

  private Subscriber(WebSocket webSocket, StreamListener listener) {
    this.webSocket = webSocket;
    this.listener = listener;
  }

  public static Builder builder(URI baseUrl, String apiKey, String subscriptionId) {
    return new Builder(baseUrl, apiKey, subscriptionId);
  }

  /**
   * Completes when the stream is over: normally after {@link #close()} or a normal close by
   * the broker; exceptionally with the handler's exception, the broker's last {@code error}
   * notice, or a {@link TollgateException} when the connection failed.
   */
  public CompletableFuture<Void> closed() {
    return listener.closed().copy();
  }

  /**
   * Stops delivering, acks what was delivered and closes the stream. Called from inside the
   * handler it returns at once and the stream closes after the handler returns (wait on
   * {@link #closed()} elsewhere); otherwise it waits up to 5 s for the broker to confirm.
   */
  @Override
  public void close() {
    if (listener.requestClose()) {
      return;
    }
    try {
      listener.closed().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Closing anyway: the failure, if any, stays visible through closed().
    }
    webSocket.abort();
    listener.closed().complete(null);
  }

  public static final class Builder {
    private final URI baseUrl;
    private final String apiKey;
    private final String subscriptionId;
    private Handler handler;
    private Consumer<Notice> notices = notice -> { };
    private HttpClient http;
    private Duration connectTimeout = HttpSupport.STREAM_HANDSHAKE_TIMEOUT;
    private long maxEvents = Long.MAX_VALUE;

    private Builder(URI baseUrl, String apiKey, String subscriptionId) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      this.subscriptionId = Objects.requireNonNull(subscriptionId, "subscriptionId");
    }

    public Builder onDelivery(Handler handler) {
      this.handler = handler;
      return this;
    }

    public Builder onNotice(Consumer<Notice> notices) {
      this.notices = notices;
      return this;
    }

    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /**
     * Close by itself once the handler has accepted this many events (acked like any other);
     * the rest of a frame that is not delivered is not acked.
     */
    public Builder maxEvents(long maxEvents) {
      if (maxEvents < 1) {
        throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
      }
      this.maxEvents = maxEvents;
      return this;
    }

    /**
     * How long the whole opening handshake may take (75 s unless set): the broker holds it while
     * a node that died with the subscription is being downed, so that the reconnect succeeds.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * Opens the stream; the handler may be called before this returns. A refused handshake
     * throws the broker's error (its code when the reply has one, else one for the status:
     * {@code unauthorized}, {@code forbidden}, {@code not_found}).
     */
    public Subscriber connect() {
      Objects.requireNonNull(handler, "onDelivery handler");
      URI uri = streamUri(baseUrl, subscriptionId);
      StreamListener listener = new StreamListener(handler, notices, maxEvents);
      try {
        WebSocket webSocket = (http != null ? http : HttpSupport.newClient()).newWebSocketBuilder()
            .header("Authorization", HttpSupport.bearer(apiKey))
            .connectTimeout(connectTimeout)
            .buildAsync(uri, listener)
            .get();
        return new Subscriber(webSocket, listener);
      } catch (InterruptedException e) {
        throw TollgateException.interrupted(e);
      } catch (ExecutionException e) {
        throw handshakeError(uri, e.getCause());
      }
    }
  }

  static URI streamUri(URI baseUrl, String subscriptionId) {
    String base = HttpSupport.base(baseUrl);
    // http -> ws and https -> wss; a ws:// or wss:// base is kept as it is.
    String webSocketBase = base.startsWith("http") ? "ws" + base.substring("http".length()) : base;
    return URI.create(webSocketBase + "/v1/subscriptions/" + HttpSupport.segment(subscriptionId) + "/stream");
  }

  private static TollgateException handshakeError(URI uri, Throwable cause) {
    if (cause instanceof WebSocketHandshakeException handshake) {
      HttpResponse<?> response = handshake.getResponse();
      int status = response.statusCode();
      if (status >= 400) {
        Object body = response.body();
        byte[] bytes = body instanceof byte[] raw ? raw
            : body instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : null;
        return HttpSupport.error(status, bytes);
      }
      return new TollgateException(TollgateException.PROTOCOL_ERROR,
          "the WebSocket handshake with " + uri + " failed (HTTP " + status + "): " + handshake.getMessage(), status, handshake);
    }
    return HttpSupport.connectionError("opening " + uri, cause);
  }
}
