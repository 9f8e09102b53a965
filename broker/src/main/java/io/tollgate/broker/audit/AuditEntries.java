package io.tollgate.broker.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.catalog.Visibility;
import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * What the audit log shows of a journal entry: every catalog change, and the administrative
 * actions of a billing journal (top-ups, invoices paid or voided, credit notes); a billing
 * journal's other entries (usage, invoicing) are the broker's own work and are not shown.
 */
public final class AuditEntries {
  public static final String CATALOG = "catalog";
  /** Billing entries journaled before the actor was kept were the operator's: only it could make them. */
  private static final String EARLIER_BILLING_ACTOR = "admin";
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditEntries() {}

  static AuditEntry ofCatalog(long sequence, CatalogChange change) {
    ObjectNode node = JSON.createObjectNode().put("action", change.getChangeCase().name().toLowerCase(Locale.ROOT));
    describe(change, node);
    return AuditEntry.newBuilder().setAtMillis(change.getAtMillis()).setJournal(CATALOG).setSequence(sequence)
        .setActor(change.getActor()).setAccount(change.getActor()).setDetailsJson(node.toString()).build();
  }

  static Optional<AuditEntry> ofBilling(String account, long sequence, Object event) {
    ObjectNode node = JSON.createObjectNode();
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
    return Optional.of(AuditEntry.newBuilder().setAtMillis(at).setJournal(account).setSequence(sequence)
        .setActor(actor.isEmpty() ? EARLIER_BILLING_ACTOR : actor).setAccount(account).setDetailsJson(node.toString())
        .build());
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
      case TOPIC_SCHEMA_ADDED -> node.put("target", change.getTopicSchemaAdded().getTopic());
      case API_KEY_EXPIRY_SET -> node.put("target", change.getApiKeyExpirySet().getId())
          .put("expires_at", Instant.ofEpochMilli(change.getApiKeyExpirySet().getExpiresAtMillis()).toString());
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
