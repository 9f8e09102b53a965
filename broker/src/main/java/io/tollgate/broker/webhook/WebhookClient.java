package io.tollgate.broker.webhook;

import io.tollgate.broker.error.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * The edge that posts webhook requests, through Pekko HTTP's pooled client: a connection takes
 * at most the connect timeout, a request at most the request timeout until its status, and at
 * most {@code maxExcerptBytes} of an answer's body are read, for at most the body timeout (the
 * rest is dropped with the connection). Every connection's address is resolved and checked
 * ({@link WebhookTargets#connectable}) when it opens. It never fails: an answer without a status
 * says why in {@link Answer#error}.
 */
public final class WebhookClient {
  /** What came back: a status (0: none, then {@code error} says why), the start of the body, and {@code Retry-After}. */
  public record Answer(int status, String excerpt, Optional<String> retryAfter, long latencyMillis, String error) {}

  private final ActorSystem<?> system;
  private final WebhookSettings settings;
  private final ConnectionPoolSettings pool;
  private final Http http;

  public WebhookClient(ActorSystem<?> system, WebhookSettings settings, WebhookTargets targets, Executor resolving) {
    this.system = system;
    this.settings = settings;
    this.http = Http.get(system);
    ClientTransport checked = ClientTransport.withCustomResolver((host, port) ->
        CompletableFuture.supplyAsync(() -> targets.connectable(host, (Integer) port), resolving));
    this.pool = ConnectionPoolSettings.create(Adapter.toClassic(system))
        .withMaxRetries(0)
        .withMaxConnections(settings.maxConcurrency())
        .withMaxOpenRequests(Integer.highestOneBit(Math.max(2, settings.maxConcurrency()) * 4))
        .withConnectionSettings(ClientConnectionSettings.create(Adapter.toClassic(system))
            .withConnectingTimeout(settings.connectTimeout())
            .withIdleTimeout(settings.requestTimeout().plus(settings.bodyTimeout()).multipliedBy(2))
            .withTransport(checked));
  }

  public CompletionStage<Answer> post(Uri url, List<HttpHeader> headers, byte[] body) {
    HttpRequest request = HttpRequest.create().withMethod(HttpMethods.POST).withUri(url).addHeaders(headers)
        .withEntity(ContentTypes.APPLICATION_JSON, body);
    long started = System.nanoTime();
    return http.singleRequest(request, http.defaultClientHttpsContext(), pool, Adapter.toClassic(system).log())
        .toCompletableFuture()
        .orTimeout(settings.requestTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenCompose(response -> read(response, (System.nanoTime() - started) / 1_000_000))
        .exceptionally(failure -> new Answer(0, "", Optional.empty(), (System.nanoTime() - started) / 1_000_000,
            errorOf(failure)));
  }

  private CompletionStage<Answer> read(HttpResponse response, long latencyMillis) {
    int limit = settings.maxExcerptBytes();
    Optional<String> retryAfter = response.getHeader("Retry-After").map(HttpHeader::value);
    int status = response.status().intValue();
    return response.entity().getDataBytes()
        .scan(ByteString.emptyByteString(), (read, chunk) -> read.concat(chunk.take(limit - read.size())))
        .takeWhile(read -> read.size() < limit, true)
        .completionTimeout(settings.bodyTimeout())
        .runWith(Sink.last(), Materializer.matFromSystem(system))
        .handle((read, failure) -> new Answer(status, read == null ? "" : excerpt(read),
            retryAfter, latencyMillis, failure == null ? "" : "body_timeout"));
  }

  /** The bytes as text, cut at a whole character. */
  private static String excerpt(ByteString read) {
    String text = new String(read.toArray(), StandardCharsets.UTF_8);
    return text.endsWith("\uFFFD") ? text.substring(0, text.length() - 1) : text;
  }

  /** The refusal code when the target was refused, else {@code timeout} or {@code connection_failed}. */
  private static String errorOf(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refusal refusal) {
        return refusal.code();
      }
      if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
        return "timeout";
      }
    }
    String message = String.valueOf(failure.getMessage());
    for (String code : List.of("webhook_target_loopback", "webhook_target_private", "webhook_target_link_local",
        "webhook_host_unresolvable")) {
      if (message.contains(code)) {
        return code;
      }
    }
    return "connection_failed";
  }

}
