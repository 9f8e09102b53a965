package io.tollgate.broker.catalog;

import com.google.protobuf.ByteString;
import io.tollgate.billing.Cancellation;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.ApiKeyCreated;
import io.tollgate.protocols.v1.journal.ApiKeyDeleted;
import io.tollgate.protocols.v1.journal.ApiKeyExpirySet;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanDeleted;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PlanRenamed;
import io.tollgate.protocols.v1.journal.PlanRetired;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.ProductRetired;
import io.tollgate.protocols.v1.journal.ProductTopics;
import io.tollgate.protocols.v1.journal.ProductUpdated;
import io.tollgate.protocols.v1.journal.TopicRetired;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionPaused;
import io.tollgate.protocols.v1.journal.SubscriptionResumed;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.TopicCreated;
import io.tollgate.protocols.v1.journal.TopicRetentionSet;
import io.tollgate.protocols.v1.journal.TopicSchemaAdded;
import io.tollgate.protocols.v1.journal.WebhookEndpointDisabled;
import io.tollgate.protocols.v1.journal.WebhookEndpointSet;
import io.tollgate.protocols.v1.journal.WebhookSecretRotated;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What may be asked of the catalog, in plain values. Each command says here which journal
 * change it makes, so the edges that take requests never build journal events: they parse,
 * authorize, send a command to {@link CatalogWriter} and render what the catalog then holds.
 * The catalog entity decides whether the change applies ({@link Catalog#apply}).
 */
public sealed interface CatalogCommand {
  /** The journal change this command makes, before the writer stamps its actor and time. */
  CatalogChange.Builder change();

  record CreateAccount(String id, String name) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(id).setName(name));
    }
  }

  /** A key is stored by the SHA-256 of its secret only; the secret is shown once, by the caller. */
  record CreateKey(String id, String accountId, List<String> scopes, List<String> resources,
                   Optional<Instant> expiresAt, byte[] secretSha256) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      ApiKeyCreated.Builder key = ApiKeyCreated.newBuilder().setId(id).setAccountId(accountId).addAllScopes(scopes)
          .addAllResources(resources).setSecretSha256(ByteString.copyFrom(secretSha256));
      expiresAt.ifPresent(at -> key.setExpiresAtMillis(at.toEpochMilli()));
      return CatalogChange.newBuilder().setApiKeyCreated(key);
    }
  }

  record SetKeyExpiry(String keyId, Instant expiresAt) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setApiKeyExpirySet(ApiKeyExpirySet.newBuilder().setId(keyId)
          .setExpiresAtMillis(expiresAt.toEpochMilli()));
    }
  }

  record DeleteKey(String keyId) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setApiKeyDeleted(ApiKeyDeleted.newBuilder().setId(keyId));
    }
  }

  record CreateDomain(String name, String owner) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName(name).setOwner(owner));
    }
  }

  /**
   * {@code schemaJson}: a schema already checked against the meta-schema. {@code retentionMillis}
   * and {@code retentionBytes} as {@link Catalog.Topic} holds them: 0 the node's default, -1 no bound.
   */
  record CreateTopic(String name, String domain, int partitions, Optional<String> schemaJson,
                     long retentionMillis, long retentionBytes) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      TopicCreated.Builder topic = TopicCreated.newBuilder().setName(name).setDomain(domain).setPartitions(partitions)
          .setRetentionMillis(retentionMillis).setRetentionBytes(retentionBytes);
      schemaJson.ifPresent(topic::setSchemaJson);
      return CatalogChange.newBuilder().setTopicCreated(topic);
    }
  }

  /** A topic's retention from now on, in {@link Catalog.Topic}'s terms. */
  record SetTopicRetention(String topic, long retentionMillis, long retentionBytes) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setTopicRetentionSet(TopicRetentionSet.newBuilder().setTopic(topic)
          .setRetentionMillis(retentionMillis).setRetentionBytes(retentionBytes));
    }
  }

  /** {@code compatibility}: how the version must relate to the topic's current one ({@link SchemaCompatibility}). */
  record AddTopicSchema(String topic, String schemaJson, SchemaCompatibility.Mode compatibility)
      implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setTopicSchemaAdded(TopicSchemaAdded.newBuilder().setTopic(topic)
          .setSchemaJson(schemaJson)
          .setCompatibility(compatibility == SchemaCompatibility.Mode.BACKWARD ? ""
              : compatibility.name().toLowerCase(java.util.Locale.ROOT)));
    }
  }

  record CreateProduct(String id, String name, String owner, List<String> topics, String description,
                       Visibility visibility) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setProductCreated(ProductCreated.newBuilder().setId(id).setName(name)
          .setOwner(owner).addAllTopics(topics).setDescription(description).setVisibility(visibility.toProto()));
    }
  }

  /**
   * An edit of a product: each part given replaces what it had, each left empty stays. {@code topics}
   * are the product's topics from then on (the catalog's rule for removing one: {@link Catalog}).
   */
  record UpdateProduct(String id, Optional<String> name, Optional<String> description, Optional<Visibility> visibility,
                       Optional<List<String>> topics) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      ProductUpdated.Builder update = ProductUpdated.newBuilder().setId(id);
      name.ifPresent(update::setName);
      description.ifPresent(update::setDescription);
      visibility.ifPresent(given -> update.setVisibility(given.toProto()));
      topics.ifPresent(names -> update.setTopics(ProductTopics.newBuilder().addAllNames(names)));
      return CatalogChange.newBuilder().setProductUpdated(update);
    }
  }

  record RetireProduct(String id) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setProductRetired(ProductRetired.newBuilder().setId(id));
    }
  }

  record RenamePlan(String id, String name) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setPlanRenamed(PlanRenamed.newBuilder().setId(id).setName(name));
    }
  }

  record RetirePlan(String id) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setPlanRetired(PlanRetired.newBuilder().setId(id));
    }
  }

  record RetireTopic(String topic) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setTopicRetired(TopicRetired.newBuilder().setTopic(topic));
    }
  }

  /** {@code terms}: terms the billing module has accepted ({@code PlanTermsProto.fromProto}). */
  record CreatePlan(String id, String productId, String name, PlanTerms terms) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setPlanCreated(PlanCreated.newBuilder().setId(id).setProductId(productId)
          .setName(name).setTerms(terms));
    }
  }

  /**
   * {@code start}: where the subscription begins in each partition (none: at the beginning);
   * {@code webhook}: its endpoint, when its delivery type is {@code webhook}.
   */
  record CreateSubscription(String id, String account, String product, String plan, String deliveryType,
                            Optional<String> filterJson, List<AckPoint> start, Optional<WebhookTarget> webhook)
      implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      SubscriptionCreated.Builder created = SubscriptionCreated.newBuilder().setId(id).setAccount(account)
          .setProduct(product).setPlan(plan).setDeliveryType(deliveryType);
      filterJson.ifPresent(created::setFilterJson);
      webhook.ifPresent(target -> created.setWebhook(target.toProto(id)));
      start.forEach(point -> created.addStart(point.toProto()));
      return CatalogChange.newBuilder().setSubscriptionCreated(created);
    }
  }

  /**
   * A webhook endpoint: where it posts, how many events a request carries and how many requests
   * are in flight at once, its own dead-letter policy, and its signing secret encrypted (empty:
   * the secrets it has stay).
   */
  record WebhookTarget(String url, int batchSize, int concurrency, Catalog.DeadLetterChoice deadLetters,
                       byte[] secretCiphertext) {
    WebhookEndpointSet toProto(String subscription) {
      WebhookEndpointSet.Builder set = WebhookEndpointSet.newBuilder().setSubscription(subscription).setUrl(url)
          .setBatchSize(batchSize).setConcurrency(concurrency).setSecretCiphertext(ByteString.copyFrom(secretCiphertext));
      deadLetters.toProto().ifPresent(set::setDeadLetters);
      return set.build();
    }
  }

  /** Changes a webhook subscription's endpoint, and enables it if it was disabled. */
  record SetWebhookEndpoint(String subscription, WebhookTarget target) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setWebhookEndpointSet(target.toProto(subscription));
    }
  }

  /** A new signing secret; the ones it replaces keep signing until {@code previousExpireAt}. */
  record RotateWebhookSecret(String subscription, byte[] secretCiphertext, Instant previousExpireAt)
      implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setWebhookSecretRotated(WebhookSecretRotated.newBuilder()
          .setSubscription(subscription).setSecretCiphertext(ByteString.copyFrom(secretCiphertext))
          .setPreviousExpireAtMillis(previousExpireAt.toEpochMilli()));
    }
  }

  /** The endpoint receives nothing more until it is set again: {@code reason} is {@code gone} or {@code failing}. */
  record DisableWebhookEndpoint(String subscription, String reason, String message) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setWebhookEndpointDisabled(WebhookEndpointDisabled.newBuilder()
          .setSubscription(subscription).setReason(reason).setMessage(message));
    }
  }

  record ChangePlan(String subscription, String plan) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder()
          .setSubscription(subscription).setPlan(plan));
    }
  }

  /** {@code endsAt}: when the subscription ends, {@code at} as the cancel asked. */
  record CancelSubscription(String subscription, Cancellation at, Instant endsAt) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setSubscriptionCancelled(SubscriptionCancelled.newBuilder()
          .setSubscription(subscription).setAt(at.wireName()).setEndsAtMillis(endsAt.toEpochMilli()));
    }
  }

  record PauseSubscription(String subscription) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setSubscriptionPaused(SubscriptionPaused.newBuilder().setSubscription(subscription));
    }
  }

  record ResumeSubscription(String subscription) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setSubscriptionResumed(SubscriptionResumed.newBuilder().setSubscription(subscription));
    }
  }

  record DeletePlan(String id) implements CatalogCommand {
    @Override
    public CatalogChange.Builder change() {
      return CatalogChange.newBuilder().setPlanDeleted(PlanDeleted.newBuilder().setId(id));
    }
  }
}
