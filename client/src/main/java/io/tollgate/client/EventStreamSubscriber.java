package io.tollgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.CloudEventFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Receives a subscription's events as server-sent events ({@code /v1/subscriptions/{id}/events}),
 * for where a WebSocket is not an option. Each event goes to the handler, one at a time and in
 * order; once the handler has returned, the subscriber acknowledges it with
 * {@code POST /v1/subscriptions/{id}/acks} and waits until the broker has committed it (so it
 * is billed), which also acknowledges the earlier events of its partition. An event whose
 * handler threw is not acknowledged, and the stream ends with that exception. Delivery is at
 * least once; {@link Builder#lastEventId} resumes after a cursor received on an earlier
 * connection, acknowledging it. With {@link Builder#coalescedAcks} the handler gets the next
 * event without waiting for the commit, and acks go out in the background ({@link CoalescedAcks}),
 * which is what makes a fast consumer fast: each synchronous ack waits for the broker's group
 * commit of acks.
 */
public final class EventStreamSubscriber implements AutoCloseable {
  private final HttpClient http;
  private final URI acks;
  private final String apiKey;
  private final Subscriber.Handler handler;
  private final Consumer<Subscriber.Notice> notices;
  private final HttpResponse<InputStream> response;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Acks sent in the background; null when each ack is awaited before the next event. */
  private final CoalescedAcks coalesced;
  private final Thread reader;
  private volatile boolean closing;
  private volatile String lastEventId;
  private long remaining;

  private EventStreamSubscriber(Builder builder, HttpClient http, HttpResponse<InputStream> response) {
    this.http = http;
    this.acks = URI.create(HttpSupport.base(builder.baseUrl) + "/v1/subscriptions/"
        + HttpSupport.segment(builder.subscriptionId) + "/acks");
    this.apiKey = builder.apiKey;
    this.handler = builder.handler;
    this.notices = builder.notices;
    this.response = response;
    this.remaining = builder.maxEvents;
    this.lastEventId = builder.lastEventId;
    this.coalesced = builder.coalescedAcks ? new CoalescedAcks(cursor -> http.sendAsync(ack(cursor),
        HttpResponse.BodyHandlers.ofByteArray()).thenApply(HttpSupport::json)) : null;
    if (coalesced != null) {
      coalesced.failed().whenComplete((never, failure) -> {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException wrapped && wrapped.getCause() != null
            ? wrapped.getCause() : failure;
        closed.completeExceptionally(cause);
        closeConnection();
      });
    }
    this.reader = new Thread(this::read, "tollgate-event-stream");
    reader.setDaemon(true);
    reader.start();
  }

  public static Builder builder(URI baseUrl, String apiKey, String subscriptionId) {
    return new Builder(baseUrl, apiKey, subscriptionId);
  }

  /**
   * Completes when the stream is over: normally after {@link #close()} or {@code maxEvents};
   * exceptionally with the handler's exception, the broker's last {@code error} event, a
   * refused ack, or a {@link TollgateException} when the connection failed or ended.
   */
  public CompletableFuture<Void> closed() {
    return closed.copy();
  }

  /** The cursor of the last event received, to pass as {@link Builder#lastEventId} when reconnecting. */
  public Optional<String> lastEventId() {
    return Optional.ofNullable(lastEventId);
  }

  /**
   * Stops reading and closes the connection; an event being handled is still acknowledged, and
   * with coalesced acks the connection stays open until the acks in flight are answered (an ack
   * needs its stream open), for at most the request timeout.
   */
  @Override
  public void close() {
    closing = true;
    if (coalesced != null) {
      try {
        coalesced.settled().get(HttpSupport.REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // closed() already tells the failure; the connection closes anyway.
      }
    }
    closeConnection();
    closed.complete(null);
  }

  private void closeConnection() {
    closing = true;
    try {
      response.body().close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  private void read() {
    EventStreamParser parser = new EventStreamParser();
    TollgateException lastError = null;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null && !closing; line = lines.readLine()) {
        Optional<EventStreamParser.Event> event = parser.line(line);
        if (event.isEmpty()) {
          continue;
        }
        JsonNode frame = Json.MAPPER.readTree(event.get().data());
        if (event.get().name().equals("event")) {
          deliver(StreamListener.delivery(frame));
          if (--remaining == 0) {
            close();
          }
        } else {
          Subscriber.Notice notice = new Subscriber.Notice(event.get().name(), frame.path("code").asText(""),
              frame.path("message").asText(""), frame);
          if (notice.type().equals("error")) {
            lastError = new TollgateException(notice.code(), notice.message());
          }
          notices.accept(notice);
        }
      }
      if (!closing) {
        closed.completeExceptionally(lastError != null ? lastError : new TollgateException(
            TollgateException.CONNECTION_CLOSED, "the broker ended the event stream"));
      }
    } catch (IOException | TollgateException | CloudEventFormatException e) {
      if (!closing) {
        closed.completeExceptionally(e instanceof TollgateException tollgate ? tollgate
            : new TollgateException(TollgateException.CONNECTION_CLOSED, "the event stream failed: "
                + HttpSupport.describe(e), e));
      }
    } catch (Exception handlerFailure) {
      closed.completeExceptionally(handlerFailure);
      close();
    }
  }

  private void deliver(Delivery delivery) throws Exception {
    handler.onDelivery(delivery);
    lastEventId = delivery.cursor();
    if (coalesced != null) {
      coalesced.handled(delivery.topic() + "/" + delivery.partition(), delivery.cursor());
    } else {
      HttpSupport.json(http.send(ack(delivery.cursor()), HttpResponse.BodyHandlers.ofByteArray()));
    }
  }

  private HttpRequest ack(String cursor) {
    return HttpRequest.newBuilder(acks).timeout(HttpSupport.REQUEST_TIMEOUT)
        .header("Authorization", HttpSupport.bearer(apiKey)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.object().put("cursor", cursor).toString()))
        .build();
  }

  public static final class Builder {
    private final URI baseUrl;
    private final String apiKey;
    private final String subscriptionId;
    private Subscriber.Handler handler;
    private Consumer<Subscriber.Notice> notices = notice -> { };
    private HttpClient http;
    private Duration connectTimeout = HttpSupport.CONNECT_TIMEOUT;
    private long maxEvents = Long.MAX_VALUE;
    private String lastEventId;
    private boolean coalescedAcks;

    private Builder(URI baseUrl, String apiKey, String subscriptionId) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      this.subscriptionId = Objects.requireNonNull(subscriptionId, "subscriptionId");
    }

    public Builder onDelivery(Subscriber.Handler handler) {
      this.handler = handler;
      return this;
    }

    /** Events other than deliveries ({@code quota}, {@code plan}, {@code error}), with the same fields as WebSocket notices. */
    public Builder onNotice(Consumer<Subscriber.Notice> notices) {
      this.notices = notices;
      return this;
    }

    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Close by itself once the handler has accepted (and the broker committed) this many events. */
    public Builder maxEvents(long maxEvents) {
      if (maxEvents < 1) {
        throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
      }
      this.maxEvents = maxEvents;
      return this;
    }

    /** Sent as {@code Last-Event-ID}: that event and the earlier ones of its partition are acknowledged, and the stream resumes after it. */
    public Builder lastEventId(String cursor) {
      this.lastEventId = cursor;
      return this;
    }

    /**
     * Acknowledge in the background: the handler gets the next event at once, and each partition
     * has up to 4 acks in flight, at least 40 ms apart, each covering every event of it handled by
     * the time it goes out (a commit's answer takes up to the broker's commit interval, so one ack
     * at a time would free the stream's window only once per interval). Billing
     * is the same (an event counts once an ack covering it is committed); a failed ack ends the
     * stream with its error, and {@link #close()} waits for the acks in flight.
     */
    public Builder coalescedAcks() {
      this.coalescedAcks = true;
      return this;
    }

    /** Opens the stream; a refusal throws the broker's error with its code. */
    public EventStreamSubscriber connect() {
      Objects.requireNonNull(handler, "onDelivery handler");
      HttpClient client = http != null ? http : HttpSupport.newClient();
      URI uri = URI.create(HttpSupport.base(baseUrl) + "/v1/subscriptions/" + HttpSupport.segment(subscriptionId)
          + "/events");
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
          .header("Authorization", HttpSupport.bearer(apiKey));
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<InputStream> response;
      try {
        // The answer's head, not its body: the body is the stream, read until it ends.
        response = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
            .get(connectTimeout.plus(HttpSupport.REQUEST_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        throw TollgateException.interrupted(e);
      } catch (ExecutionException | TimeoutException e) {
        throw HttpSupport.connectionError("opening " + uri, e.getCause() != null ? e.getCause() : e);
      }
      if (response.statusCode() != 200) {
        try (InputStream body = response.body()) {
          throw HttpSupport.error(response.statusCode(), body.readAllBytes());
        } catch (IOException e) {
          throw HttpSupport.error(response.statusCode(), null);
        }
      }
      return new EventStreamSubscriber(this, client, response);
    }
  }
}
