package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.webhook.Attempt;
import io.tollgate.broker.webhook.Webhooks;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * A webhook subscription's endpoint: moving it (which enables it again), rotating its signing
 * secret, and the log of its delivery attempts, a page at a time. Its tenant reads; a key with
 * the subscribe scope changes.
 */
public final class WebhooksApi {
  /** The largest page of attempts. */
  static final int MAX_ATTEMPTS_PAGE = 100;

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

  /** Moves the endpoint; {@code batch_size} and {@code concurrency} stay what they were unless given. */
  CompletionStage<HttpResponse> setEndpoint(Principal principal, String subscriptionId, byte[] body) {
    Catalog.WebhookEndpoint endpoint = changeable(principal, subscriptionId, "change the webhook of ");
    JsonBody request = JsonBody.parse(requests, body, Set.of("url", "batch_size", "concurrency"));
    String url = request.requiredString("url", FieldLengths.Kind.TEXT);
    int batchSize = between(request, "batch_size", endpoint.batchSize(), webhooks.settings().maxBatchSize());
    int concurrency = between(request, "concurrency", endpoint.concurrency(), webhooks.settings().maxConcurrency());
    return webhooks.setEndpoint(principal.actor(), subscriptionId, url, batchSize, concurrency).thenApply(catalog -> {
      webhooks.wake(subscriptionId);
      ObjectNode delivery = JsonBody.MAPPER.createObjectNode().put("type", "webhook");
      render(catalog.webhook(subscriptionId).orElseThrow(), clock.instant(), delivery);
      return Responses.json(200, delivery);
    });
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

  /**
   * A webhook endpoint as a subscription's {@code delivery} shows it: never its secrets, only how
   * many sign now and until when the rotated-out ones do.
   */
  static void render(Catalog.WebhookEndpoint endpoint, Instant now, ObjectNode delivery) {
    delivery.put("url", endpoint.url()).put("batch_size", endpoint.batchSize())
        .put("concurrency", endpoint.concurrency())
        .put("status", endpoint.disabled().isPresent() ? "disabled" : "enabled");
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
