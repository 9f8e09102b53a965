package io.tollgate.client;

import io.tollgate.protocols.v1.CloudEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Publishes over HTTP: {@code POST /v1/topics/{topic}/events}. Requests are asynchronous, so
 * one publisher can keep many in flight; each one is answered once its events are durable.
 * Publishes that are in flight at the same time may be stored in any order.
 */
public final class HttpPublisher implements Publisher {
  static final String SINGLE = "application/cloudevents+json";
  static final String BATCH = "application/cloudevents-batch+json";

  private final String base;
  private final String authorization;
  private final HttpClient http;

  public HttpPublisher(URI baseUrl, String apiKey) {
    this(baseUrl, apiKey, HttpSupport.newClient());
  }

  public HttpPublisher(URI baseUrl, String apiKey, HttpClient http) {
    this.base = HttpSupport.base(baseUrl);
    this.authorization = HttpSupport.bearer(apiKey);
    this.http = http;
  }

  /** Batch mode: all events in one request. */
  @Override
  public CompletableFuture<PublishResult> publish(String topic, List<CloudEvent> events) {
    return send(topic, BATCH, Json.batchBytes(events));
  }

  /** Structured mode: one event per request. */
  public CompletableFuture<PublishResult> publish(String topic, CloudEvent event) {
    return send(topic, SINGLE, Json.eventBytes(event));
  }

  private CompletableFuture<PublishResult> send(String topic, String contentType, byte[] body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/topics/" + HttpSupport.segment(topic) + "/events"))
        .timeout(HttpSupport.REQUEST_TIMEOUT)
        .header("Authorization", authorization)
        .header("Content-Type", contentType)
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            throw HttpSupport.connectionError("POST " + request.uri(), cause);
          }
          return Json.publishResult(HttpSupport.json(response));
        });
  }

  /** Nothing to release: a Java 17 HttpClient frees its connections when it is no longer referenced. */
  @Override
  public void close() {}

  /** Each request finds or opens its own connection. */
  @Override
  public boolean reconnects() {
    return true;
  }
}
