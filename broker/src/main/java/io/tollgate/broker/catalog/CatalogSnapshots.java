package io.tollgate.broker.catalog;

import com.google.protobuf.ByteString;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import io.tollgate.protocols.v1.journal.SnapshotAccount;
import io.tollgate.protocols.v1.journal.SnapshotApiKey;
import io.tollgate.protocols.v1.journal.SnapshotDisabled;
import io.tollgate.protocols.v1.journal.SnapshotDomain;
import io.tollgate.protocols.v1.journal.SnapshotPause;
import io.tollgate.protocols.v1.journal.SnapshotPlan;
import io.tollgate.protocols.v1.journal.SnapshotPlanSpan;
import io.tollgate.protocols.v1.journal.SnapshotProduct;
import io.tollgate.protocols.v1.journal.SnapshotSecret;
import io.tollgate.protocols.v1.journal.SnapshotSubscription;
import io.tollgate.protocols.v1.journal.SnapshotTopic;
import io.tollgate.protocols.v1.journal.SnapshotWebhook;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The catalog's entries in their snapshot form and back (journal.proto, CatalogSnapshot): the
 * one place that maps them, so a field added to an entry is added here and to its message.
 * Entries are written in a fixed order, so the same catalog always makes the same snapshot.
 */
final class CatalogSnapshots {
  private CatalogSnapshots() {}

  /** The catalog's entries; {@link Holdings} and the version are added by the catalog itself. */
  static CatalogSnapshot.Builder entriesOf(Catalog catalog) {
    CatalogSnapshot.Builder snapshot = CatalogSnapshot.newBuilder().setVersion(catalog.version());
    catalog.accounts().stream().sorted(Comparator.comparing(Catalog.Account::id))
        .forEach(account -> snapshot.addAccounts(toProto(account)));
    catalog.keys().stream().sorted(Comparator.comparing(Catalog.ApiKey::id)).forEach(key -> snapshot.addKeys(toProto(key)));
    catalog.domains().stream().sorted(Comparator.comparing(Catalog.Domain::name))
        .forEach(domain -> snapshot.addDomains(toProto(domain)));
    catalog.products().stream().sorted(Comparator.comparing(Catalog.Product::id))
        .forEach(product -> snapshot.addProducts(toProto(product)));
    catalog.plans().stream().sorted(Comparator.comparing(Catalog.Plan::id)).forEach(plan -> snapshot.addPlans(toProto(plan)));
    catalog.webhooks().stream().sorted(Comparator.comparing(Catalog.WebhookEndpoint::subscription))
        .forEach(webhook -> snapshot.addWebhooks(toProto(webhook)));
    return snapshot;
  }

  static SnapshotAccount toProto(Catalog.Account account) {
    return SnapshotAccount.newBuilder().setId(account.id()).setName(account.name())
        .setCreatedAtMillis(account.createdAt().toEpochMilli()).build();
  }

  static Catalog.Account fromProto(SnapshotAccount proto) {
    return new Catalog.Account(proto.getId(), proto.getName(), Instant.ofEpochMilli(proto.getCreatedAtMillis()));
  }

  static SnapshotApiKey toProto(Catalog.ApiKey key) {
    SnapshotApiKey.Builder proto = SnapshotApiKey.newBuilder().setId(key.id()).setAccountId(key.accountId())
        .addAllScopes(key.scopes().stream().map(Scope::wireName).sorted().toList()).addAllResources(key.resources())
        .setSecretSha256(ByteString.copyFrom(key.secretSha256())).setCreatedAtMillis(key.createdAt().toEpochMilli());
    key.expiresAt().ifPresent(at -> proto.setExpiresAtMillis(at.toEpochMilli()));
    return proto.build();
  }

  static Catalog.ApiKey fromProto(SnapshotApiKey proto) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    proto.getScopesList().forEach(name -> Scope.parse(name).ifPresent(scopes::add));
    return new Catalog.ApiKey(proto.getId(), proto.getAccountId(), Set.copyOf(scopes), List.copyOf(proto.getResourcesList()),
        proto.getSecretSha256().toByteArray(), Instant.ofEpochMilli(proto.getCreatedAtMillis()),
        proto.hasExpiresAtMillis() ? Optional.of(Instant.ofEpochMilli(proto.getExpiresAtMillis())) : Optional.empty());
  }

  static SnapshotDomain toProto(Catalog.Domain domain) {
    return SnapshotDomain.newBuilder().setName(domain.name()).setOwner(domain.owner())
        .setCreatedAtMillis(domain.createdAt().toEpochMilli()).build();
  }

  static Catalog.Domain fromProto(SnapshotDomain proto) {
    return new Catalog.Domain(proto.getName(), proto.getOwner(), Instant.ofEpochMilli(proto.getCreatedAtMillis()));
  }

  static SnapshotTopic toProto(Catalog.Topic topic) {
    SnapshotTopic.Builder proto = SnapshotTopic.newBuilder().setName(topic.name()).setDomain(topic.domain())
        .setPartitions(topic.partitions()).addAllSchemas(topic.schemas()).setCreatedAtMillis(topic.createdAt().toEpochMilli())
        .setRetentionMillis(topic.retentionMillis()).setRetentionBytes(topic.retentionBytes());
    topic.retiredAt().ifPresent(at -> proto.setRetiredAtMillis(at.toEpochMilli()));
    return proto.build();
  }

  static Catalog.Topic fromProto(SnapshotTopic proto) {
    return new Catalog.Topic(proto.getName(), proto.getDomain(), proto.getPartitions(), List.copyOf(proto.getSchemasList()),
        Instant.ofEpochMilli(proto.getCreatedAtMillis()), proto.getRetentionMillis(), proto.getRetentionBytes(),
        proto.hasRetiredAtMillis() ? Optional.of(Instant.ofEpochMilli(proto.getRetiredAtMillis())) : Optional.empty());
  }

  static SnapshotProduct toProto(Catalog.Product product) {
    SnapshotProduct.Builder proto = SnapshotProduct.newBuilder().setId(product.id()).setName(product.name())
        .setOwner(product.owner()).addAllTopics(product.topics()).setDescription(product.description())
        .setVisibility(product.visibility().toProto()).setCreatedAtMillis(product.createdAt().toEpochMilli());
    product.retiredAt().ifPresent(at -> proto.setRetiredAtMillis(at.toEpochMilli()));
    return proto.build();
  }

  static Catalog.Product fromProto(SnapshotProduct proto) {
    return new Catalog.Product(proto.getId(), proto.getName(), proto.getOwner(), List.copyOf(proto.getTopicsList()),
        proto.getDescription(), Visibility.fromProto(proto.getVisibility()), Instant.ofEpochMilli(proto.getCreatedAtMillis()),
        proto.hasRetiredAtMillis() ? Optional.of(Instant.ofEpochMilli(proto.getRetiredAtMillis())) : Optional.empty());
  }

  static SnapshotPlan toProto(Catalog.Plan plan) {
    SnapshotPlan.Builder proto = SnapshotPlan.newBuilder().setId(plan.id()).setProductId(plan.productId())
        .setName(plan.name()).setTerms(plan.terms()).setCreatedAtMillis(plan.createdAt().toEpochMilli());
    plan.retiredAt().ifPresent(at -> proto.setRetiredAtMillis(at.toEpochMilli()));
    return proto.build();
  }

  static Catalog.Plan fromProto(SnapshotPlan proto) {
    return new Catalog.Plan(proto.getId(), proto.getProductId(), proto.getName(), proto.getTerms(),
        Instant.ofEpochMilli(proto.getCreatedAtMillis()),
        proto.hasRetiredAtMillis() ? Optional.of(Instant.ofEpochMilli(proto.getRetiredAtMillis())) : Optional.empty());
  }

  static SnapshotSubscription toProto(Catalog.Subscription subscription) {
    SnapshotSubscription.Builder proto = SnapshotSubscription.newBuilder().setId(subscription.id())
        .setAccount(subscription.account()).setProduct(subscription.product())
        .setDeliveryType(subscription.deliveryType()).setFilterJson(subscription.filterJson())
        .setCreatedAtMillis(subscription.createdAt().toEpochMilli());
    subscription.plans().forEach(span -> proto.addPlans(SnapshotPlanSpan.newBuilder().setPlan(span.plan())
        .setFromMillis(span.from().toEpochMilli())));
    subscription.start().forEach(point -> proto.addStart(point.toProto()));
    subscription.endsAt().ifPresent(at -> proto.setEndsAtMillis(at.toEpochMilli()));
    subscription.pauses().forEach(pause -> {
      SnapshotPause.Builder stored = SnapshotPause.newBuilder().setFromMillis(pause.from().toEpochMilli());
      pause.to().ifPresent(to -> stored.setToMillis(to.toEpochMilli()));
      proto.addPauses(stored);
    });
    subscription.trialEndsAt().ifPresent(at -> proto.setTrialEndsAtMillis(at.toEpochMilli()));
    return proto.build();
  }

  static Catalog.Subscription fromProto(SnapshotSubscription proto) {
    return new Catalog.Subscription(proto.getId(), proto.getAccount(), proto.getProduct(),
        proto.getPlansList().stream().map(span -> new Catalog.PlanSpan(span.getPlan(), Instant.ofEpochMilli(span.getFromMillis())))
            .toList(),
        proto.getDeliveryType(), proto.getStartList().stream().map(AckPoint::fromProto).toList(), proto.getFilterJson(),
        Instant.ofEpochMilli(proto.getCreatedAtMillis()),
        proto.hasEndsAtMillis() ? Optional.of(Instant.ofEpochMilli(proto.getEndsAtMillis())) : Optional.empty(),
        proto.getPausesList().stream().map(pause -> new Catalog.Pause(Instant.ofEpochMilli(pause.getFromMillis()),
            pause.hasToMillis() ? Optional.of(Instant.ofEpochMilli(pause.getToMillis())) : Optional.empty())).toList(),
        proto.hasTrialEndsAtMillis() ? Optional.of(Instant.ofEpochMilli(proto.getTrialEndsAtMillis())) : Optional.empty());
  }

  static SnapshotWebhook toProto(Catalog.WebhookEndpoint webhook) {
    SnapshotWebhook.Builder proto = SnapshotWebhook.newBuilder().setSubscription(webhook.subscription())
        .setUrl(webhook.url()).setBatchSize(webhook.batchSize()).setConcurrency(webhook.concurrency())
        .setChangedAtMillis(webhook.changedAt().toEpochMilli());
    webhook.deadLetters().toProto().ifPresent(proto::setDeadLetters);
    webhook.secrets().forEach(secret -> {
      SnapshotSecret.Builder stored = SnapshotSecret.newBuilder().setCiphertext(ByteString.copyFrom(secret.ciphertext()));
      secret.expiresAt().ifPresent(at -> stored.setExpiresAtMillis(at.toEpochMilli()));
      proto.addSecrets(stored);
    });
    webhook.disabled().ifPresent(disabled -> proto.setDisabled(SnapshotDisabled.newBuilder().setReason(disabled.reason())
        .setMessage(disabled.message()).setAtMillis(disabled.at().toEpochMilli())));
    return proto.build();
  }

  static Catalog.WebhookEndpoint fromProto(SnapshotWebhook proto) {
    return new Catalog.WebhookEndpoint(proto.getSubscription(), proto.getUrl(), proto.getBatchSize(), proto.getConcurrency(),
        Catalog.DeadLetterChoice.fromProto(proto.hasDeadLetters(), proto.getDeadLetters()),
        proto.getSecretsList().stream().map(secret -> new Catalog.StoredSecret(secret.getCiphertext().toByteArray(),
            secret.hasExpiresAtMillis() ? Optional.of(Instant.ofEpochMilli(secret.getExpiresAtMillis())) : Optional.empty()))
            .toList(),
        proto.hasDisabled() ? Optional.of(new Catalog.Disabled(proto.getDisabled().getReason(),
            proto.getDisabled().getMessage(), Instant.ofEpochMilli(proto.getDisabled().getAtMillis()))) : Optional.empty(),
        Instant.ofEpochMilli(proto.getChangedAtMillis()));
  }

}
