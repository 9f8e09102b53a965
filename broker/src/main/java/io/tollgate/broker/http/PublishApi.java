package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.ops.Metrics;
import io.tollgate.broker.topic.Publisher;
import io.tollgate.protocols.CloudEventFormatException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code POST /v1/topics/{topic}/events} in the three CloudEvents HTTP modes: structured
 * ({@code application/cloudevents+json}), batch ({@code application/cloudevents-batch+json})
 * and binary ({@code ce-*} headers, the body is the data).
 */
public final class PublishApi {
  static final String STRUCTURED = "application/cloudevents+json";
  static final String BATCH = "application/cloudevents-batch+json";

  /** An event's envelope in a batch body: the array and the event object around its data. */
  private static final int ENVELOPE_LEVELS = 2;

  private final Publisher publisher;
  private final Metrics metrics;
  /** Bodies: the events' data limit with room for their envelopes; the data itself is checked by {@link Publisher}. */
  private final StrictJson bodies;
  private final StrictJson data;

  public PublishApi(Publisher publisher, Metrics metrics, StrictJson data) {
    this.publisher = publisher;
    this.metrics = metrics;
    this.data = data;
    this.bodies = data.deeper(ENVELOPE_LEVELS);
  }

  CompletionStage<HttpResponse> publish(Principal principal, String topic, HttpRequest request, byte[] body) {
    long started = System.nanoTime();
    CompletionStage<List<Publisher.Published>> published;
    try {
      publisher.authorize(principal, topic);
      published = publisher.publish(principal, topic, events(request, body));
    } catch (Refusal refused) {
      published = java.util.concurrent.CompletableFuture.failedFuture(refused);
    }
    return published.whenComplete((events, failure) -> {
      if (failure == null) {
        metrics.publishedEvents.labelValues("http").inc(events.size());
        metrics.publishedTo(topic, events.size());
        metrics.publishSeconds.labelValues("http").observe((System.nanoTime() - started) / 1e9);
      } else {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
        metrics.publishErrors.labelValues("http", cause instanceof Refusal api ? api.code() : "internal_error").inc();
      }
    }).thenApply(events -> Responses.json(202, render(events)));
  }

  private List<CloudEvent> events(HttpRequest request, byte[] body) {
    String mediaType = request.entity().getContentType().mediaType().toString().toLowerCase(Locale.ROOT);
    Map<String, String> ceHeaders = ceHeaders(request);
    try {
      if (mediaType.equals(STRUCTURED)) {
        return List.of(CloudEventJson.parseStructured(JsonBody.read(bodies, body)));
      }
      if (mediaType.equals(BATCH)) {
        return CloudEventJson.parseBatch(JsonBody.read(bodies, body));
      }
      if (!ceHeaders.isEmpty()) {
        String contentType = request.entity().getContentType().toString();
        return List.of(CloudEventJson.fromBinary(ceHeaders, body.length == 0 && contentType.equals("none/none") ? null : contentType, body, data));
      }
    } catch (CloudEventFormatException e) {
      throw new Refusal(e.code(), e.getMessage());
    } catch (StrictJsonException e) {
      throw new Refusal(e.code(), "the body: " + e.getMessage());
    }
    throw new Refusal("unsupported_media_type", "publish with Content-Type " + STRUCTURED + " or " + BATCH
        + ", or in binary mode with ce-specversion, ce-id, ce-source and ce-type headers; got " + mediaType);
  }

  /** The {@code ce-} headers, names lower-cased without the prefix, values percent-decoded. */
  private static Map<String, String> ceHeaders(HttpRequest request) {
    Map<String, String> headers = new HashMap<>();
    for (HttpHeader header : request.getHeaders()) {
      String name = header.lowercaseName();
      if (name.startsWith("ce-")) {
        headers.put(name.substring(3), URLDecoder.decode(header.value().replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return headers;
  }

  static ObjectNode render(List<Publisher.Published> published) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    body.put("accepted", published.size());
    body.put("duplicates", published.stream().filter(p -> p.position().duplicate()).count());
    ArrayNode positions = body.putArray("positions");
    for (Publisher.Published event : published) {
      positions.addObject()
          .put("partition", event.partition())
          .put("offset", event.position().offset())
          .put("cursor", event.cursor())
          .put("duplicate", event.position().duplicate());
    }
    return body;
  }
}
