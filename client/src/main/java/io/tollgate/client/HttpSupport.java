package io.tollgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** What the HTTP publisher, the admin helper, the event-stream subscriber and the WebSocket subscriber's handshake have in common. */
final class HttpSupport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * A stream's handshake may wait while the cluster downs a node that died holding the
   * subscription (53 s with the broker's defaults, tollgate.subscriptions.failover-margin): the
   * first reconnect after a node dies then succeeds instead of timing out.
   */
  static final Duration STREAM_HANDSHAKE_TIMEOUT = Duration.ofSeconds(75);
  /** Publishes reply only once the events are durable, so allow for a slow disk, not just the network. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private HttpSupport() {}

  static HttpClient newClient() {
    return builder().build();
  }

  static HttpClient newClient(SSLContext tls) {
    return builder().sslContext(tls).build();
  }

  private static HttpClient.Builder builder() {
    // HTTP/1.1 explicitly: the default would try an h2c upgrade on every plain-HTTP request.
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT);
  }

  static String bearer(String apiKey) {
    return "Bearer " + apiKey;
  }

  /** The base URL without a trailing slash, so paths can be appended as text. */
  static String base(URI baseUrl) {
    String text = baseUrl.toString();
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  static String segment(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The body of a successful reply as JSON, or the broker's error as an exception. */
  static JsonNode json(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw error(status, response.body());
    }
    byte[] body = response.body();
    if (body == null || body.length == 0) {
      return Json.object();
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new TollgateException(TollgateException.PROTOCOL_ERROR,
          "the broker replied " + status + " with a body that is not JSON", status, e);
    }
  }

  /**
   * The broker's {@code {"error": {"code", "message"}}} as an exception; a body without one
   * (a proxy's page, an empty reply) gets a code derived from the status.
   */
  static TollgateException error(int status, byte[] body) {
    String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode error = text.isEmpty() ? null : Json.MAPPER.readTree(text).path("error");
      if (error != null && error.path("code").isTextual()) {
        return new TollgateException(error.get("code").asText(), error.path("message").asText(""), status, null);
      }
    } catch (IOException notJson) {
      // Fall through: the status is all there is to go on.
    }
    String message = text.isBlank() ? "HTTP " + status : "HTTP " + status + ": " + abbreviate(text.strip());
    return new TollgateException(codeForStatus(status), message, status, null);
  }

  /** A failure to reach the broker: {@code tls_failed} when TLS is why, else {@code connection_failed}. */
  static TollgateException connectionError(String what, Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return new TollgateException(TollgateException.TLS_FAILED, what + " failed: TLS: " + describe(c), cause);
      }
    }
    return new TollgateException(TollgateException.CONNECTION_FAILED, what + " failed: " + describe(cause), cause);
  }

  /**
   * The JDK's connect failures often have no message; their class name is the next best thing.
   * An exception without a message that wraps another is followed by its causes.
   */
  static String describe(Throwable cause) {
    String own = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    Throwable inner = cause.getCause();
    return inner == null || inner == cause || cause.getMessage() != null ? own : own + ": " + describe(inner);
  }

  private static String codeForStatus(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 409 -> "conflict";
      case 429 -> "too_many_requests";
      case 503 -> "unavailable";
      default -> "http_" + status;
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
