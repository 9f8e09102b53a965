package io.tollgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.JettyUpgradeListener;

/**
 * Receives a subscription's events over WebSocket ({@code /v1/subscriptions/{id}/stream}, JSON
 * frames). Each event goes to the handler, one at a time and in order; when the handler has
 * returned for every event of a frame, the subscriber acks the last cursor of each partition
 * in it. An event whose handler threw is not acked, and the stream ends with that exception.
 * Delivery is at least once: after a reconnect, events that were not acked arrive again.
 *
 * <p>The connection is Jetty's WebSocket client, one per TLS context shared by all subscribers
 * of the process ({@link WebSocketClients}); the JDK's loses bytes that follow the handshake
 * closely (docs/ARCHITECTURE.md, "The SDK's WebSocket transport").
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

  private final WebSocketStream stream;
  private final StreamListener listener;
  private final WebSocketClients.Lease lease;

  private Subscriber(WebSocketStream stream, StreamListener listener, WebSocketClients.Lease lease) {
    this.stream = stream;
    this.listener = listener;
    this.lease = lease;
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
   * {@link #closed()} elsewhere); otherwise it waits up to 5 s for the broker to confirm, and
   * then drops the connection.
   */
  @Override
  public void close() {
    if (listener.requestClose()) {
      return;
    }
    try {
      stream.ended().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Closing anyway: the failure, if any, stays visible through closed().
    }
    if (!stream.ended().isDone()) {
      stream.abort();
    }
    listener.closed().complete(null);
    lease.release();
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

    /**
     * Trust (and client certificate) for {@code wss://}: the stream takes the client's TLS
     * context ({@link HttpClient#sslContext()}, as {@link ClientTls#httpClient()} sets it) and
     * nothing else of it; it connects through a WebSocket client of its own, shared by all
     * subscribers with the same TLS context. Without one, the JVM's default TLS context.
     */
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
      WebSocketClients.Lease lease = WebSocketClients.lease(tls());
      WebSocketStream stream = new WebSocketStream(listener);
      stream.ended().thenRun(lease::release);
      ClientUpgradeRequest request = new ClientUpgradeRequest();
      request.setHeader("Authorization", HttpSupport.bearer(apiKey));
      request.setTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      RefusalBody refusal = new RefusalBody();
      CompletableFuture<Session> opening;
      try {
        opening = lease.client().connect(stream, uri, request, refusal);
      } catch (IOException e) {
        lease.release();
        throw HttpSupport.connectionError("opening " + uri, e);
      }
      try {
        opening.get();
        return new Subscriber(stream, listener, lease);
      } catch (InterruptedException e) {
        opening.cancel(true);
        lease.release();
        throw TollgateException.interrupted(e);
      } catch (ExecutionException e) {
        lease.release();
        throw handshakeError(uri, e.getCause(), refusal.body());
      }
    }

    private SSLContext tls() {
      if (http != null) {
        return http.sslContext();
      }
      try {
        return SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JVM has no default TLS context: " + e.getMessage(), e);
      }
    }
  }

  /** Keeps the body of the handshake's reply: a refusal's carries the broker's error code. */
  private static final class RefusalBody implements JettyUpgradeListener {
    private static final int MAX_BYTES = 64 * 1024;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    @Override
    public void onHandshakeRequest(Request request) {
      request.onResponseContent(this::append);
    }

    private void append(Response response, ByteBuffer content) {
      synchronized (body) {
        int length = Math.min(content.remaining(), MAX_BYTES - body.size());
        byte[] bytes = new byte[length];
        content.get(bytes);
        body.write(bytes, 0, length);
      }
    }

    byte[] body() {
      synchronized (body) {
        return body.toByteArray();
      }
    }
  }

  static URI streamUri(URI baseUrl, String subscriptionId) {
    String base = HttpSupport.base(baseUrl);
    // http -> ws and https -> wss; a ws:// or wss:// base is kept as it is.
    String webSocketBase = base.startsWith("http") ? "ws" + base.substring("http".length()) : base;
    return URI.create(webSocketBase + "/v1/subscriptions/" + HttpSupport.segment(subscriptionId) + "/stream");
  }

  private static TollgateException handshakeError(URI uri, Throwable failure, byte[] body) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() > 0) {
      int status = upgrade.getResponseStatusCode();
      if (status >= 400) {
        return HttpSupport.error(status, body);
      }
      return new TollgateException(TollgateException.PROTOCOL_ERROR,
          "the WebSocket handshake with " + uri + " failed: the broker answered HTTP " + status + " instead of 101", status, upgrade);
    }
    // Jetty wraps a failure before any reply (a timeout, say) in two upgrade exceptions without a status.
    while ((cause instanceof UpgradeException || cause instanceof org.eclipse.jetty.websocket.core.exception.UpgradeException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return HttpSupport.connectionError("opening " + uri, cause);
  }
}
