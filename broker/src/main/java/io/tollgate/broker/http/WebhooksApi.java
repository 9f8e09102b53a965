package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.broker.webhook.Attempt;
import io.tollgate.broker.webhook.DeadLetter;
import io.tollgate.broker.webhook.DeadLetterPolicy;
import io.tollgate.broker.webhook.DeadLetterSelection;
import io.tollgate.broker.webhook.Webhooks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * A webhook subscription's endpoint: moving it (which enables it again), rotating its signing
 * secret, the log of its delivery attempts, a page at a time, and its dead letters: listed,
 * replayed or deleted, all or those a selection takes. Its tenant reads; a key with the
 * subscribe scope changes.
 */
public final class WebhooksApi {
  /** The largest page of attempts. */
  static final int MAX_ATTEMPTS_PAGE = 100;
  /** The largest page of dead letters. */
  static final int MAX_DEAD_LETTER_PAGE = 100;
  private static final Set<String> SELECTION = Set.of("from", "to", "from_cursor", "to_cursor", "number");
  private static final Set<String> DEAD_LETTER_FIELDS = Set.of("enabled", "after", "after_attempts");

  private final CatalogView view;
  private final Webhooks webhooks;
  private final RequestRules requests;
  private final Clock clock;

  public WebhooksApi(CatalogView view, Webhooks webhooks, RequestRules requests, Clock clock) {
    this.view = view;
    this.webhooks = webhooks;
    this.requests = requests;
    this.clock = clock;
  }

  /**
   * Moves the endpoint; {@code batch_size}, {@code concurrency} and {@code dead_letters} stay what
   * they were unless given ({@code "dead_letters": null}: the node's policy again).
   */
  CompletionStage<HttpResponse> setEndpoint(Principal principal, String subscriptionId, byte[] body) {
    Catalog.WebhookEndpoint endpoint = changeable(principal, subscriptionId, "change the webhook of ");
    JsonBody request = JsonBody.parse(requests, body, Set.of("url", "batch_size", "concurrency", "dead_letters"));
    String url = request.requiredString("url", FieldLengths.Kind.TEXT);
    int batchSize = between(request, "batch_size", endpoint.batchSize(), webhooks.settings().maxBatchSize());
    int concurrency = between(request, "concurrency", endpoint.concurrency(), webhooks.settings().maxConcurrency());
    Catalog.DeadLetterChoice deadLetters = deadLetters(request, endpoint.deadLetters());
    return webhooks.setEndpoint(principal.actor(), subscriptionId, url, batchSize, concurrency, deadLetters)
        .thenApply(catalog -> {
          webhooks.wake(subscriptionId);
          ObjectNode delivery = JsonBody.MAPPER.createObjectNode().put("type", "webhook");
          render(catalog.webhook(subscriptionId).orElseThrow(), webhooks.settings().deadLetters().policy(),
              clock.instant(), delivery);
          return Responses.json(200, delivery);
        });
  }

  /**
   * A subscription's own dead-letter policy as a webhook delivery's {@code dead_letters} gives it:
   * absent, {@code current}; {@code null}, the node's again; an object, each of {@code enabled} (a
   * boolean), {@code after} (an ISO-8601 duration such as {@code "PT10M"}) and {@code after_attempts}
   * (a count, 0: none) given, the others following the node's setting. Each bad field has its code,
   * within the bounds the node's own settings have.
   */
  static Catalog.DeadLetterChoice deadLetters(JsonBody delivery, Catalog.DeadLetterChoice current) {
    JsonNode given = delivery.json().get("dead_letters");
    if (given == null) {
      return current;
    }
    if (given.isNull()) {
      return Catalog.DeadLetterChoice.NODE;
    }
    JsonBody policy = delivery.optionalObject("dead_letters", DEAD_LETTER_FIELDS).orElseThrow();
    return new Catalog.DeadLetterChoice(present(policy, "enabled").map(WebhooksApi::enabled),
        present(policy, "after").map(WebhooksApi::after), present(policy, "after_attempts").map(WebhooksApi::attempts));
  }

  private static Optional<JsonNode> present(JsonBody body, String field) {
    return Optional.ofNullable(body.json().get(field)).filter(value -> !value.isNull());
  }

  private static boolean enabled(JsonNode value) {
    if (!value.isBoolean()) {
      throw new Refusal("invalid_dead_letter_enabled", "\"dead_letters.enabled\" is true or false");
    }
    return value.booleanValue();
  }

  private static Duration after(JsonNode value) {
    String problem = "\"dead_letters.after\" is an ISO-8601 duration such as \"PT10M\", above zero and at most "
        + DeadLetterPolicy.MAX_AFTER.toDays() + " days";
    if (!value.isTextual()) {
      throw new Refusal("invalid_dead_letter_after", problem);
    }
    Duration after;
    try {
      after = Duration.parse(value.textValue());
    } catch (DateTimeParseException e) {
      throw new Refusal("invalid_dead_letter_after", problem);
    }
    if (after.isNegative() || after.isZero() || after.compareTo(DeadLetterPolicy.MAX_AFTER) > 0) {
      throw new Refusal("invalid_dead_letter_after", problem);
    }
    return after;
  }

  private static int attempts(JsonNode value) {
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0
        || value.intValue() > DeadLetterPolicy.MAX_AFTER_ATTEMPTS) {
      throw new Refusal("invalid_dead_letter_attempts", "\"dead_letters.after_attempts\" is a whole number from 0 "
          + "(no count) to " + DeadLetterPolicy.MAX_AFTER_ATTEMPTS);
    }
    return value.intValue();
  }

  /** A new secret, shown in this answer only; the previous ones sign too until {@code previous_expire_at}. */
  CompletionStage<HttpResponse> rotateSecret(Principal principal, String subscriptionId) {
    changeable(principal, subscriptionId, "rotate the webhook secret of ");
    Instant previousExpireAt = clock.instant().plus(webhooks.settings().secretOverlap());
    return webhooks.rotate(principal.actor(), subscriptionId).thenApply(secret -> Responses.json(201,
        JsonBody.MAPPER.createObjectNode().put("secret", secret)
            .put("previous_expire_at", previousExpireAt.toString())));
  }

  /** Attempts newest first; {@code before} is the {@code number} of the last attempt of the page before. */
  CompletionStage<HttpResponse> attempts(Principal principal, String subscriptionId, Optional<String> limitText,
                                         Optional<String> beforeText) {
    Catalog.Subscription subscription = visible(principal, subscriptionId);
    AccountReads.requireRead(principal, subscription.account());
    view.catalog().webhook(subscriptionId).orElseThrow(() -> notWebhook(subscriptionId));
    int limit = (int) parse(limitText, "limit", MAX_ATTEMPTS_PAGE, 1, MAX_ATTEMPTS_PAGE);
    long before = parse(beforeText, "before", 0, 1, Long.MAX_VALUE);
    return webhooks.attempts(subscriptionId, before, limit).thenApply(page -> {
      ObjectNode body = JsonBody.MAPPER.createObjectNode().put("state", page.state());
      ArrayNode data = body.putArray("data");
      page.attempts().forEach(attempt -> data.add(render(attempt)));
      if (page.more()) {
        body.put("next_before", page.attempts().get(page.attempts().size() - 1).number());
      }
      return Responses.json(200, body);
    });
  }

  /** Dead letters oldest first, each event as a webhook body lists it; {@code after} is the last {@code number} of the page before. */
  CompletionStage<HttpResponse> deadLetters(Principal principal, String subscriptionId, Optional<String> limitText,
                                            Optional<String> afterText) {
    Catalog.Subscription subscription = visible(principal, subscriptionId);
    AccountReads.requireRead(principal, subscription.account());
    view.catalog().webhook(subscriptionId).orElseThrow(() -> notWebhook(subscriptionId));
    int limit = (int) parse(limitText, "limit", MAX_DEAD_LETTER_PAGE, 1, MAX_DEAD_LETTER_PAGE);
    long after = parse(afterText, "after", 0, 0, Long.MAX_VALUE);
    return webhooks.deadLetters(subscriptionId, after, limit).thenApply(page -> {
      ObjectNode body = JsonBody.MAPPER.createObjectNode().put("count", page.count()).put("bytes", page.bytes());
      ArrayNode data = body.putArray("data");
      page.letters().forEach(letter -> data.add(render(letter)));
      if (page.more()) {
        body.put("next_after", page.letters().get(page.letters().size() - 1).number());
      }
      return Responses.json(200, body);
    });
  }

  /**
   * Queues the dead letters a selection takes ({@code from}/{@code to}: dead-lettered in that time
   * range; {@code from_cursor}/{@code to_cursor}: of one partition, both ends included;
   * {@code number}: one; nothing: all) for the worker to send again through the signed delivery
   * path; each is billed when a 2xx acknowledges it.
   */
  CompletionStage<HttpResponse> replayDeadLetters(Principal principal, String subscriptionId, byte[] body) {
    changeable(principal, subscriptionId, "replay the dead letters of ");
    JsonBody request = JsonBody.parse(requests, body, SELECTION);
    DeadLetterSelection selection = selection(field -> request.optionalString(field, FieldLengths.Kind.TEXT),
        request.optionalLong("number"));
    return webhooks.selectDeadLetters(subscriptionId, "replay", selection).thenApply(count ->
        Responses.json(202, JsonBody.MAPPER.createObjectNode().put("queued", count)));
  }

  /** Deletes the dead letters the query's selection takes (as a replay's body names it), all when it names none. */
  CompletionStage<HttpResponse> deleteDeadLetters(Principal principal, String subscriptionId,
                                                  java.util.function.Function<String, Optional<String>> query) {
    changeable(principal, subscriptionId, "delete the dead letters of ");
    Optional<Long> number = query.apply("number").map(text -> parse(Optional.of(text), "number", 0, 1, Long.MAX_VALUE));
    DeadLetterSelection selection = selection(query, number);
    return webhooks.selectDeadLetters(subscriptionId, "delete", selection).thenApply(count ->
        Responses.json(200, JsonBody.MAPPER.createObjectNode().put("deleted", count)));
  }

  /** A selection from its fields; each bad one has its own code. */
  static DeadLetterSelection selection(java.util.function.Function<String, Optional<String>> field,
                                       Optional<Long> number) {
    Optional<Instant> from = field.apply("from").map(text -> instant("from", text));
    Optional<Instant> to = field.apply("to").map(text -> instant("to", text));
    Optional<Cursor> fromCursor = field.apply("from_cursor").map(WebhooksApi::cursor);
    Optional<Cursor> toCursor = field.apply("to_cursor").map(WebhooksApi::cursor);
    if (number.isPresent() && (from.isPresent() || to.isPresent() || fromCursor.isPresent() || toCursor.isPresent())) {
      throw new Refusal("dead_letter_selection_mixed", "\"number\" names one dead letter; it takes no time or cursor "
          + "range besides");
    }
    if (number.isPresent() && number.get() < 1) {
      throw new Refusal("invalid_number", "\"number\" is an integer from 1");
    }
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new Refusal("empty_dead_letter_range", "\"from\" must be before \"to\"");
    }
    if (fromCursor.isPresent() && toCursor.isPresent()) {
      if (!fromCursor.get().partitionRef().equals(toCursor.get().partitionRef())) {
        throw new Refusal("dead_letter_cursors_span_partitions", "\"from_cursor\" and \"to_cursor\" must be of one "
            + "partition: cursors of different partitions have no order");
      }
      if (fromCursor.get().isAfter(toCursor.get())) {
        throw new Refusal("empty_dead_letter_range", "\"from_cursor\" must not be after \"to_cursor\"");
      }
    }
    return new DeadLetterSelection(from, to, fromCursor, toCursor, number.orElse(0L));
  }

  private static Instant instant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new Refusal("invalid_dead_letter_time", "\"" + field + "\" must be an instant such as "
          + "\"2026-12-06T10:00:00Z\"");
    }
  }

  private static Cursor cursor(String text) {
    try {
      return Cursor.parse(text);
    } catch (IllegalArgumentException e) {
      throw new Refusal("malformed_cursor", "\"" + text + "\" is not a cursor");
    }
  }

  private static ObjectNode render(DeadLetter letter) {
    ObjectNode node = JsonBody.MAPPER.createObjectNode().put("number", letter.number())
        .put("cursor", letter.point().cursor().encode()).put("dead_at", letter.deadAt().toString())
        .put("reason", letter.reason()).put("queued", letter.queued());
    try {
      node.set("event", JsonBody.MAPPER.readTree(StreamFormat.Json.batchItem(new Delivery(letter.point().cursor(),
          letter.point().offset(), letter.event(), letter.appendedAt().toEpochMilli()))));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return node;
  }

  /**
   * A webhook endpoint as a subscription's {@code delivery} shows it: never its secrets, only how
   * many sign now and until when the rotated-out ones do; its dead-letter policy as it applies
   * (its own fields over {@code node}'s), with the fields that follow the node's in {@code from_node}.
   */
  static void render(Catalog.WebhookEndpoint endpoint, DeadLetterPolicy node, Instant now, ObjectNode delivery) {
    delivery.put("url", endpoint.url()).put("batch_size", endpoint.batchSize())
        .put("concurrency", endpoint.concurrency());
    Catalog.DeadLetterChoice own = endpoint.deadLetters();
    DeadLetterPolicy policy = DeadLetterPolicy.chosen(own, node);
    ObjectNode deadLetters = delivery.putObject("dead_letters").put("enabled", policy.enabled())
        .put("after", policy.after().toString()).put("after_attempts", policy.afterAttempts());
    ArrayNode fromNode = deadLetters.putArray("from_node");
    if (own.enabled().isEmpty()) {
      fromNode.add("enabled");
    }
    if (own.after().isEmpty()) {
      fromNode.add("after");
    }
    if (own.afterAttempts().isEmpty()) {
      fromNode.add("after_attempts");
    }
    delivery.put("status", endpoint.disabled().isPresent() ? "disabled" : "enabled");
    endpoint.disabled().ifPresent(disabled -> delivery.put("disabled_reason", disabled.reason())
        .put("disabled_message", disabled.message()).put("disabled_at", disabled.at().toString()));
    delivery.put("signing_secrets", endpoint.signingAt(now).size());
    endpoint.signingAt(now).stream().flatMap(secret -> secret.expiresAt().stream()).max(Instant::compareTo)
        .ifPresent(end -> delivery.put("previous_secrets_expire_at", end.toString()));
  }

  /** An optional whole number from 1 to {@code max}, {@code fallback} when absent. */
  static int between(JsonBody body, String field, int fallback, int max) {
    long value = body.optionalLong(field).orElse((long) fallback);
    if (value < 1 || value > max) {
      throw body.invalid(field, "must be from 1 to " + max);
    }
    return (int) value;
  }

  private static ObjectNode render(Attempt attempt) {
    ObjectNode node = JsonBody.MAPPER.createObjectNode().put("number", attempt.number())
        .put("webhook_id", attempt.webhookId()).put("at", attempt.at().toString()).put("try", attempt.tryNumber())
        .put("events", attempt.events()).put("first_cursor", attempt.firstCursor())
        .put("last_cursor", attempt.lastCursor()).put("latency_ms", attempt.latencyMillis());
    if (attempt.status() > 0) {
      node.put("status", attempt.status());
    }
    if (!attempt.error().isEmpty()) {
      node.put("error", attempt.error());
    }
    node.put("response_excerpt", attempt.excerpt());
    if (attempt.replay()) {
      node.put("replay", true);
    }
    attempt.nextTryAt().ifPresent(next -> node.put("next_try_at", next.toString()));
    return node;
  }

  private Catalog.WebhookEndpoint changeable(Principal principal, String subscriptionId, String action) {
    Catalog.Subscription subscription = visible(principal, subscriptionId);
    AdminApi.requireScope(principal, Scope.SUBSCRIBE, subscription.account(), action + subscriptionId);
    return view.catalog().webhook(subscriptionId).orElseThrow(() -> notWebhook(subscriptionId));
  }

  private Catalog.Subscription visible(Principal principal, String subscriptionId) {
    Catalog.Subscription subscription = view.catalog().subscription(subscriptionId)
        .filter(s -> AccountReads.isTenantOf(principal, s.account()))
        .orElseThrow(() -> AdminApi.notFound("subscription", subscriptionId));
    AdminApi.requireReaches(principal, subscription.product());
    return subscription;
  }

  private static Refusal notWebhook(String subscriptionId) {
    return new Refusal("not_a_webhook_subscription", "subscription " + subscriptionId
        + " is not delivered by webhook; its delivery type was chosen when it was created");
  }

  private static long parse(Optional<String> text, String name, long fallback, long min, long max) {
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.get());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new Refusal("invalid_" + name, "\"" + name + "\" is an integer from " + min + " to " + max);
  }
}
