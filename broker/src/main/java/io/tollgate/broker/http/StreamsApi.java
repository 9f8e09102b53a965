package io.tollgate.broker.http;

import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.http.websocket.WebSocketConnection;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.CursorMove;
import io.tollgate.broker.session.Credential;
import io.tollgate.broker.subscription.LastEventId;
import io.tollgate.broker.subscription.Seeks;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.broker.subscription.StreamSession;
import io.tollgate.broker.subscription.SubscriptionEntity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import io.tollgate.broker.subscription.SubscriptionPreview;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The consumer's side of a subscription: its WebSocket stream, its server-sent event stream and
 * the acks an event-stream consumer posts. Each checks the same things first: the subscription
 * is the caller's (or the caller is the operator), and the credential has the subscribe scope
 * and reaches the product.
 */
public final class StreamsApi {
  private final CatalogView view;
  private final StreamSession streams;
  private final RequestRules requests;
  private final Seeks seeks;
  private final SubscriptionPreview preview;
  private final Clock clock;
  private final WebSocketConnection.Settings webSockets;

  public StreamsApi(CatalogView view, StreamSession streams, RequestRules requests, Seeks seeks,
                    SubscriptionPreview preview, Clock clock, WebSocketConnection.Settings webSockets) {
    this.webSockets = webSockets;
    this.view = view;
    this.streams = streams;
    this.requests = requests;
    this.seeks = seeks;
    this.preview = preview;
    this.clock = clock;
  }

  /** How long a stream's handshake may wait for its subscription (see {@link StreamSession#handshakeTimeout()}). */
  java.time.Duration handshakeTimeout() {
    return streams.handshakeTimeout();
  }

  /** The subscription, if the caller may stream it; another tenant's is {@code subscription_not_found}. */
  Catalog.Subscription streamable(Principal principal, String subscriptionId) {
    Catalog.Subscription subscription = view.catalog().subscription(subscriptionId)
        .filter(s -> principal.isOperator()
            || principal instanceof Principal.OfAccount caller && caller.accountId().equals(s.account()))
        .orElseThrow(() -> new Refusal("subscription_not_found", "subscription " + subscriptionId + " does not exist"));
    if (!principal.may(Scope.SUBSCRIBE, subscription.account()) || !principal.reaches(subscription.product())) {
      throw Refusal.forbidden("streaming takes a key with the subscribe scope of account " + subscription.account());
    }
    return subscription;
  }

  /**
   * The WebSocket connection of a new stream, as the bytes of its upgraded HTTP connection. The
   * stream ends when {@code credential} is revoked or runs out (see OpenSessions).
   */
  CompletionStage<Flow<ByteString, ByteString, NotUsed>> openStream(String subscriptionId, StreamFormat format,
                                                                    Credential credential, String remoteAddress) {
    Catalog catalog = view.catalog();
    return streams.open(catalog, catalog.subscription(subscriptionId).orElseThrow(), format, credential, remoteAddress)
        .thenApply(session -> WebSocketConnection.serving(session.handler(), webSockets, session.messageTooLarge()));
  }

  /**
   * Checks an event-stream request: the subscription as {@link #streamable}, an {@code Accept}
   * that takes {@code text/event-stream} (none takes anything), and a {@code Last-Event-ID} that
   * is a cursor of the subscription's partitions. Returns what the stream resumes after.
   */
  LastEventId eventStreamRequest(Principal principal, String subscriptionId, Optional<String> accept,
                                 Optional<String> lastEventId) {
    Catalog.Subscription subscription = streamable(principal, subscriptionId);
    if (accept.isPresent() && !acceptsEventStream(accept.get())) {
      throw new Refusal("not_acceptable", "this endpoint answers text/event-stream only; send "
          + "\"Accept: text/event-stream\" (or stream over WebSocket at .../stream)");
    }
    Optional<String> named = lastEventId.map(String::strip).filter(id -> !id.isEmpty());
    return named.isEmpty() ? LastEventId.none() : LastEventId.of(cursorOf(named.get(), subscription));
  }

  CompletionStage<Source<ByteString, NotUsed>> openEvents(String subscriptionId, Credential credential,
                                                          String remoteAddress, LastEventId lastEventId) {
    Catalog catalog = view.catalog();
    return streams.openEvents(catalog, catalog.subscription(subscriptionId).orElseThrow(), credential, remoteAddress,
        lastEventId);
  }

  /**
   * {@code {"cursor": ...}}: acknowledges that event and every earlier one of its partition that
   * the open stream delivered; answered once committed, so an acknowledged event is billed once.
   * A cursor the subscription already stands at or past answers the same, so a repeated ack is
   * harmless.
   */
  CompletionStage<HttpResponse> ack(Principal principal, String subscriptionId, byte[] body) {
    Catalog.Subscription subscription = streamable(principal, subscriptionId);
    String text = JsonBody.parse(requests, body, Set.of("cursor")).requiredString("cursor");
    Cursor cursor = cursorOf(text, subscription);
    return streams.ack(subscription, cursor).thenApply(answer -> {
      if (!answer.isCommitted()) {
        throw new Refusal(answer.code(), answer.message());
      }
      return Responses.json(200, JsonBody.MAPPER.createObjectNode().put("cursor", text).put("committed", true));
    });
  }

  /**
   * Moves the subscription's cursor (a seek): {@code {"to":"start"}}, {@code {"to":"end"}},
   * {@code {"to":"time","time":"<instant>"}} or {@code {"to":"cursors","cursors":[...]}}, each
   * cursor of a different partition, which resumes after it as a {@code Last-Event-ID} does.
   * Answers once the subscription stands there; its open stream has ended with {@code cursor_moved}.
   */
  CompletionStage<SubscriptionEntity.Attached> seek(Principal principal, String subscriptionId, byte[] body) {
    Catalog.Subscription subscription = streamable(principal, subscriptionId);
    JsonBody request = JsonBody.parse(requests, body, Set.of("to", "time", "cursors"));
    String to = request.requiredString("to");
    if (!to.equals("time") && request.has("time")) {
      throw request.invalid("time", "is given only with \"to\":\"time\"");
    }
    if (!to.equals("cursors") && request.has("cursors")) {
      throw request.invalid("cursors", "is given only with \"to\":\"cursors\"");
    }
    CursorMove move = switch (to) {
      case "start" -> new CursorMove.ToStart();
      case "end" -> new CursorMove.ToEnd();
      case "time" -> new CursorMove.ToTime(instantOf(request, request.requiredString("time")));
      case "cursors" -> new CursorMove.AfterCursors(cursorsOf(request, subscription));
      default -> throw request.invalid("to", "must be \"start\", \"end\", \"time\" or \"cursors\"");
    };
    return seeks.seek(view.catalog(), subscription, move);
  }

  private static Instant instantOf(JsonBody request, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw request.invalid("time", "must be an instant such as \"2026-12-06T10:00:00Z\"");
    }
  }

  private List<Cursor> cursorsOf(JsonBody request, Catalog.Subscription subscription) {
    List<Cursor> cursors = request.stringList("cursors", FieldLengths.Kind.TEXT).stream()
        .map(text -> cursorOf(text, subscription)).toList();
    if (cursors.isEmpty()) {
      throw request.invalid("cursors", "must name at least one cursor");
    }
    if (cursors.stream().map(Cursor::partitionRef).distinct().count() < cursors.size()) {
      throw request.invalid("cursors", "must name each partition at most once");
    }
    return cursors;
  }

  /**
   * The newest events the subscription's consumer may see ({@code ?limit=}, 1 to
   * {@value #MAX_PREVIEW}, default {@value #DEFAULT_PREVIEW}), for the console's live preview:
   * read from the journals, so nothing is acknowledged or billed. It takes the same credential
   * as streaming, and a cancelled subscription shows nothing more. Only the operator sees the
   * events' data: a consumer polling its preview would otherwise read a slow topic unbilled.
   */
  CompletionStage<HttpResponse> preview(Principal principal, String subscriptionId, Optional<String> limitText) {
    Catalog.Subscription subscription = streamable(principal, subscriptionId);
    int limit = previewLimit(limitText);
    Catalog catalog = view.catalog();
    if (subscription.endedAt(clock.instant())) {
      throw new Refusal("subscription_cancelled", "subscription " + subscriptionId + " was cancelled; it has ended");
    }
    return preview.newest(catalog, subscription, limit).thenApply(deliveries -> HttpResponse.create()
        .withStatus(200)
        .withEntity(ContentTypes.APPLICATION_JSON, StreamFormat.Json.previewJson(subscriptionId, deliveries, principal.isOperator())));
  }

  static final int MAX_PREVIEW = 100;
  static final int DEFAULT_PREVIEW = 20;

  static int previewLimit(Optional<String> limitText) {
    if (limitText.isEmpty()) {
      return DEFAULT_PREVIEW;
    }
    int limit;
    try {
      limit = Integer.parseInt(limitText.get());
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > MAX_PREVIEW) {
      throw new Refusal("invalid_limit", "\"limit\" is an integer from 1 to " + MAX_PREVIEW);
    }
    return limit;
  }

  private Cursor cursorOf(String text, Catalog.Subscription subscription) {
    Cursor cursor;
    try {
      cursor = Cursor.parse(text);
    } catch (IllegalArgumentException e) {
      throw new Refusal("malformed_cursor", "\"" + text + "\" is not a cursor");
    }
    Catalog catalog = view.catalog();
    boolean ofThisProduct = catalog.product(subscription.product())
        .map(product -> catalog.partitionsOf(product).contains(cursor.partitionRef())).orElse(false);
    if (!ofThisProduct) {
      throw new Refusal("unknown_cursor", "cursor " + text + " is not of a partition subscription "
          + subscription.id() + " reads");
    }
    return cursor;
  }

  /** Whether an {@code Accept} header's media ranges take {@code text/event-stream}. */
  static boolean acceptsEventStream(String accept) {
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].strip().toLowerCase(Locale.ROOT);
      boolean refusedByQuality = false;
      for (int i = 1; i < parts.length; i++) {
        String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace(" ", "");
        refusedByQuality |= parameter.matches("q=0(\\.0{0,3})?");
      }
      if (!refusedByQuality && (type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*"))) {
        return true;
      }
    }
    return false;
  }
}
