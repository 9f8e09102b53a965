package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.ApiException;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.catalog.Visibility;
import io.tollgate.protocols.v1.journal.CatalogChange;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The audit log: who changed what in the catalog, and when. The catalog's journal is the log
 * (every change carries its actor and time), so it is complete by construction and cannot
 * disagree with the catalog. The operator sees every change; an account's admin key sees the
 * changes that account made.
 */
public final class AuditApi {
  static final int MAX_LIMIT = 1000;

  private final CurrentEventsByPersistenceIdQuery journal;
  private final ActorSystem<?> system;

  public AuditApi(CurrentEventsByPersistenceIdQuery journal, ActorSystem<?> system) {
    this.journal = journal;
    this.system = system;
  }

  CompletionStage<HttpResponse> changes(Principal principal, Optional<String> actor, Optional<String> after,
                                        Optional<String> limitText) {
    Optional<String> onlyActor = actor;
    if (!principal.isOperator()) {
      Principal.OfAccount key = (Principal.OfAccount) principal;
      if (!key.may(Scope.ADMIN, key.accountId())) {
        throw ApiException.forbidden("the audit log takes the operator's key or an admin key");
      }
      if (actor.isPresent() && !actor.get().equals(key.accountId())) {
        throw ApiException.forbidden("an account's key sees only the changes that account made");
      }
      onlyActor = Optional.of(key.accountId());
    }
    long from = parseLong(after, "after", 0) + 1;
    int limit = (int) parseLong(limitText, "limit", 100);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiException.badRequest("invalid_field", "\"limit\" must be between 1 and " + MAX_LIMIT);
    }
    Optional<String> wanted = onlyActor;
    return journal.currentEventsByPersistenceId(CatalogEntity.PERSISTENCE_ID, from, Long.MAX_VALUE)
        .map(envelope -> Pair.create(envelope.sequenceNr(), (CatalogChange) envelope.event()))
        .filter(entry -> wanted.map(entry.second().getActor()::equals).orElse(true))
        .take(limit)
        .runWith(Sink.seq(), system)
        .thenApply(entries -> Responses.json(200, render(entries)));
  }

  private static long parseLong(Optional<String> text, String name, long fallback) {
    try {
      return text.map(Long::parseLong).orElse(fallback);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid_field", "\"" + name + "\" must be an integer");
    }
  }

  private static ObjectNode render(List<Pair<Long, CatalogChange>> entries) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    ArrayNode data = body.putArray("data");
    long last = 0;
    for (Pair<Long, CatalogChange> entry : entries) {
      CatalogChange change = entry.second();
      ObjectNode node = data.addObject().put("sequence", entry.first())
          .put("at", Instant.ofEpochMilli(change.getAtMillis()).toString()).put("actor", change.getActor())
          .put("action", change.getChangeCase().name().toLowerCase(Locale.ROOT));
      describe(change, node);
      last = entry.first();
    }
    if (!entries.isEmpty()) {
      body.put("next_after", last);
    }
    return body;
  }

  /** The target of a change and its details; a key's secret hash is never shown. */
  private static void describe(CatalogChange change, ObjectNode node) {
    switch (change.getChangeCase()) {
      case ACCOUNT_CREATED -> node.put("target", change.getAccountCreated().getId())
          .put("name", change.getAccountCreated().getName());
      case API_KEY_CREATED -> {
        node.put("target", change.getApiKeyCreated().getId()).put("account", change.getApiKeyCreated().getAccountId());
        ArrayNode scopes = node.putArray("scopes");
        change.getApiKeyCreated().getScopesList().forEach(scopes::add);
      }
      case DOMAIN_CREATED -> node.put("target", change.getDomainCreated().getName())
          .put("owner", change.getDomainCreated().getOwner());
      case TOPIC_CREATED -> node.put("target", change.getTopicCreated().getName())
          .put("partitions", change.getTopicCreated().getPartitions());
      case PRODUCT_CREATED -> node.put("target", change.getProductCreated().getId())
          .put("owner", change.getProductCreated().getOwner())
          .put("visibility", Visibility.fromProto(change.getProductCreated().getVisibility()).wireName());
      case PLAN_CREATED -> node.put("target", change.getPlanCreated().getId())
          .put("product", change.getPlanCreated().getProductId());
      case SUBSCRIPTION_CREATED -> node.put("target", change.getSubscriptionCreated().getId())
          .put("account", change.getSubscriptionCreated().getAccount()).put("plan", change.getSubscriptionCreated().getPlan());
      case SUBSCRIPTION_PLAN_CHANGED -> node.put("target", change.getSubscriptionPlanChanged().getSubscription())
          .put("plan", change.getSubscriptionPlanChanged().getPlan());
      case PLAN_DELETED -> node.put("target", change.getPlanDeleted().getId());
      case CHANGE_NOT_SET -> { }
    }
  }
}
