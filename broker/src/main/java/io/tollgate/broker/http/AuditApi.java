package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.catalog.Visibility;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The audit log: who changed what, and when. It is read from the journals themselves: the
 * catalog's (every catalog change) and each account's billing journal (top-ups, invoices paid or
 * voided, credit notes), whose entries carry their actor and time. So it is complete by
 * construction and cannot disagree with what it describes. Entries are ordered by time, then by
 * journal and sequence number, which is also the order {@code after} pages in.
 *
 * <p>The operator sees every entry. An account's admin key sees the catalog changes that account
 * made and the billing actions on that account (the operator's, as only it may take them).
 */
public final class AuditApi {
  static final int MAX_LIMIT = 1000;
  private static final String CATALOG = "catalog";
  /** Billing entries journaled before the actor was kept were the operator's: only it could make them. */
  private static final String EARLIER_BILLING_ACTOR = "admin";

  private final CurrentEventsByPersistenceIdQuery journal;
  private final CatalogView view;
  private final ActorSystem<?> system;

  public AuditApi(CurrentEventsByPersistenceIdQuery journal, CatalogView view, ActorSystem<?> system) {
    this.journal = journal;
    this.view = view;
    this.system = system;
  }

  /** One entry; {@code journal} is {@value #CATALOG} or the account whose billing journal holds it. */
  private record Entry(long atMillis, String journal, long sequence, String actor, ObjectNode details)
      implements Comparable<Entry> {
    private static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::atMillis)
        .thenComparing(Entry::journal).thenComparingLong(Entry::sequence);

    @Override
    public int compareTo(Entry other) {
      return ORDER.compare(this, other);
    }

    /** Where the next page starts: {@code <at millis>.<journal>.<sequence>}. */
    String position() {
      return atMillis + "." + journal + "." + sequence;
    }

    static Entry at(String position) {
      String[] parts = position.split("\\.");
      try {
        if (parts.length == 3 && !parts[1].isEmpty()) {
          return new Entry(Long.parseLong(parts[0]), parts[1], Long.parseLong(parts[2]), "", null);
        }
      } catch (NumberFormatException e) {
        // falls through to the refusal below
      }
      throw new Refusal("invalid_field", "\"after\" must be a next_after the audit log gave");
    }
  }

  CompletionStage<HttpResponse> changes(Principal principal, Optional<String> actor, Optional<String> after,
                                        Optional<String> limitText) {
    Predicate<Entry> visible = entry -> true;
    List<String> accounts;
    if (principal.isOperator()) {
      accounts = view.catalog().accounts().stream().map(Catalog.Account::id).sorted().toList();
    } else {
      Principal.OfAccount key = (Principal.OfAccount) principal;
      if (!key.may(Scope.ADMIN, key.accountId())) {
        throw Refusal.forbidden("the audit log takes the operator's key or an admin key");
      }
      // The log names every topic, product and key of the account: a document of the whole account.
      AccountReads.requireUnlimited(key, "the account's audit log");
      if (actor.isPresent() && !actor.get().equals(key.accountId())) {
        throw Refusal.forbidden("an account's key sees only the changes that account made");
      }
      accounts = List.of(key.accountId());
      visible = entry -> !entry.journal().equals(CATALOG) || entry.actor().equals(key.accountId());
    }
    if (actor.isPresent()) {
      visible = visible.and(entry -> entry.actor().equals(actor.get()));
    }
    Optional<Entry> from = after.map(Entry::at);
    int limit = parseLimit(limitText);
    Predicate<Entry> wanted = visible.and(entry -> from.map(start -> entry.compareTo(start) > 0).orElse(true));
    Source<Entry, NotUsed> catalog = journal.currentEventsByPersistenceId(CatalogEntity.PERSISTENCE_ID, 0, Long.MAX_VALUE)
        .map(envelope -> catalogEntry(envelope.sequenceNr(), (CatalogChange) envelope.event()))
        .mapMaterializedValue(unused -> NotUsed.getInstance());
    Source<Entry, NotUsed> billing = Source.from(accounts).flatMapConcat(account -> journal
        .currentEventsByPersistenceId(AccountBilling.persistenceId(account), 0, Long.MAX_VALUE)
        .mapConcat(envelope -> billingEntry(account, envelope.sequenceNr(), envelope.event()).stream().toList()));
    return catalog.concat(billing)
        .filter(wanted::test)
        .runWith(Sink.seq(), system)
        .thenApply(entries -> Responses.json(200, render(entries.stream().sorted().limit(limit).toList())));
  }

  private static int parseLimit(Optional<String> text) {
    try {
      int limit = text.map(Integer::parseInt).orElse(100);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal below
    }
    throw new Refusal("invalid_field", "\"limit\" must be an integer between 1 and " + MAX_LIMIT);
  }

  private static Entry catalogEntry(long sequence, CatalogChange change) {
    ObjectNode node = JsonBody.MAPPER.createObjectNode()
        .put("action", change.getChangeCase().name().toLowerCase(Locale.ROOT));
    describe(change, node);
    return new Entry(change.getAtMillis(), CATALOG, sequence, change.getActor(), node);
  }

  /** The administrative actions of a billing journal; its other entries (usage, invoicing) are the broker's own work. */
  private static Optional<Entry> billingEntry(String account, long sequence, Object event) {
    ObjectNode node = JsonBody.MAPPER.createObjectNode();
    long at;
    String actor;
    if (event instanceof WalletToppedUp topUp) {
      node.put("action", "wallet_topped_up").put("target", account).put("amount", topUp.getAmount())
          .put("currency", topUp.getCurrency()).put("idempotency_key", topUp.getIdempotencyKey());
      at = topUp.getAtMillis();
      actor = topUp.getActor();
    } else if (event instanceof InvoiceStatusChanged changed) {
      node.put("action", "invoice_status_changed").put("target", changed.getInvoice()).put("status", changed.getStatus());
      at = changed.getAtMillis();
      actor = changed.getActor();
    } else if (event instanceof CreditNoteIssued note) {
      node.put("action", "credit_note_issued").put("target", note.getId()).put("invoice", note.getInvoice())
          .put("number", note.getNumber()).put("amount", note.getAmount()).put("currency", note.getCurrency())
          .put("reason", note.getReason());
      at = note.getAtMillis();
      actor = note.getActor();
    } else {
      return Optional.empty();
    }
    node.put("account", account);
    return Optional.of(new Entry(at, account, sequence, actor.isEmpty() ? EARLIER_BILLING_ACTOR : actor, node));
  }

  private static ObjectNode render(List<Entry> entries) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    ArrayNode data = body.putArray("data");
    for (Entry entry : entries) {
      data.addObject().put("log", entry.journal().equals(CATALOG) ? CATALOG : "billing").put("sequence", entry.sequence())
          .put("at", Instant.ofEpochMilli(entry.atMillis()).toString()).put("actor", entry.actor())
          .setAll(entry.details());
    }
    if (!entries.isEmpty()) {
      body.put("next_after", entries.get(entries.size() - 1).position());
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
      case SUBSCRIPTION_CANCELLED -> node.put("target", change.getSubscriptionCancelled().getSubscription())
          .put("at", change.getSubscriptionCancelled().getAt())
          .put("ends_at", Instant.ofEpochMilli(change.getSubscriptionCancelled().getEndsAtMillis()).toString());
      case SUBSCRIPTION_PAUSED -> node.put("target", change.getSubscriptionPaused().getSubscription());
      case SUBSCRIPTION_RESUMED -> node.put("target", change.getSubscriptionResumed().getSubscription());
      case PLAN_DELETED -> node.put("target", change.getPlanDeleted().getId());
      case TOPIC_RETENTION_SET -> node.put("target", change.getTopicRetentionSet().getTopic())
          .put("retention_millis", change.getTopicRetentionSet().getRetentionMillis())
          .put("retention_bytes", change.getTopicRetentionSet().getRetentionBytes());
      case API_KEY_DELETED -> node.put("target", change.getApiKeyDeleted().getId());
      case PRODUCT_UPDATED -> {
        var update = change.getProductUpdated();
        node.put("target", update.getId());
        if (update.hasName()) {
          node.put("name", update.getName());
        }
        if (update.getVisibility() != io.tollgate.protocols.v1.journal.ProductVisibility.PRODUCT_VISIBILITY_UNSPECIFIED) {
          node.put("visibility", Visibility.fromProto(update.getVisibility()).wireName());
        }
        if (update.hasDescription()) {
          node.put("description", update.getDescription());
        }
        if (update.hasTopics()) {
          ArrayNode topics = node.putArray("topics");
          update.getTopics().getNamesList().forEach(topics::add);
        }
      }
      case PRODUCT_RETIRED -> node.put("target", change.getProductRetired().getId());
      case PLAN_RENAMED -> node.put("target", change.getPlanRenamed().getId()).put("name", change.getPlanRenamed().getName());
      case PLAN_RETIRED -> node.put("target", change.getPlanRetired().getId());
      case TOPIC_RETIRED -> node.put("target", change.getTopicRetired().getTopic());
      case WEBHOOK_ENDPOINT_SET -> node.put("target", change.getWebhookEndpointSet().getSubscription())
          .put("url", change.getWebhookEndpointSet().getUrl());
      case WEBHOOK_SECRET_ROTATED -> node.put("target", change.getWebhookSecretRotated().getSubscription());
      case WEBHOOK_ENDPOINT_DISABLED -> node.put("target", change.getWebhookEndpointDisabled().getSubscription())
          .put("reason", change.getWebhookEndpointDisabled().getReason());
      case CHANGE_NOT_SET -> { }
    }
  }
}
