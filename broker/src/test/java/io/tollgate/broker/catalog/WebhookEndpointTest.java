package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.WebhookDeadLetterPolicy;
import io.tollgate.protocols.v1.journal.WebhookEndpointDisabled;
import io.tollgate.protocols.v1.journal.WebhookEndpointSet;
import io.tollgate.protocols.v1.journal.WebhookSecretRotated;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A webhook subscription's endpoint as the catalog keeps it: created with its subscription,
 * moved (which enables it again), its secret rotated with an overlap, disabled.
 */
class WebhookEndpointTest {
  private static final long T0 = 1_790_000_000_000L;
  private final Catalog catalog = new Catalog();

  @Test
  void aWebhookSubscriptionIsCreatedWithItsEndpointAndFirstSecret() {
    subscribe();
    Catalog.WebhookEndpoint endpoint = catalog.webhook("sub_1").orElseThrow();
    assertEquals("https://hooks.example/a", endpoint.url());
    assertEquals(50, endpoint.batchSize());
    assertEquals(2, endpoint.concurrency());
    assertEquals(1, endpoint.signingAt(Instant.ofEpochMilli(T0)).size());
    assertArrayEquals(bytes("first"), endpoint.secrets().get(0).ciphertext());
    assertEquals(Optional.empty(), endpoint.disabled());
  }

  @Test
  void aRotatedOutSecretSignsUntilItsOverlapEnds() {
    subscribe();
    apply(T0 + 10, CatalogChange.newBuilder().setWebhookSecretRotated(WebhookSecretRotated.newBuilder()
        .setSubscription("sub_1").setSecretCiphertext(ByteString.copyFrom(bytes("second")))
        .setPreviousExpireAtMillis(T0 + 100)));
    Catalog.WebhookEndpoint endpoint = catalog.webhook("sub_1").orElseThrow();
    List<Catalog.StoredSecret> during = endpoint.signingAt(Instant.ofEpochMilli(T0 + 99));
    assertEquals(2, during.size());
    assertArrayEquals(bytes("second"), during.get(0).ciphertext());
    assertArrayEquals(bytes("first"), during.get(1).ciphertext());
    List<Catalog.StoredSecret> after = endpoint.signingAt(Instant.ofEpochMilli(T0 + 100));
    assertEquals(1, after.size());
    assertArrayEquals(bytes("second"), after.get(0).ciphertext());
  }

  @Test
  void aRotationDuringAnOverlapKeepsTheEarlierEndsOfOlderSecretsAndDropsExpiredOnes() {
    subscribe();
    apply(T0 + 10, rotation("second", T0 + 100));
    apply(T0 + 20, rotation("third", T0 + 500));
    assertEquals(3, catalog.webhook("sub_1").orElseThrow().signingAt(Instant.ofEpochMilli(T0 + 50)).size());
    assertEquals(2, catalog.webhook("sub_1").orElseThrow().signingAt(Instant.ofEpochMilli(T0 + 200)).size());
    apply(T0 + 600, rotation("fourth", T0 + 700));
    assertEquals(2, catalog.webhook("sub_1").orElseThrow().secrets().size());
  }

  @Test
  void aDisabledEndpointIsEnabledAgainWhenItIsSetAndKeepsItsSecrets() {
    subscribe();
    apply(T0 + 10, CatalogChange.newBuilder().setWebhookEndpointDisabled(WebhookEndpointDisabled.newBuilder()
        .setSubscription("sub_1").setReason("gone").setMessage("410")));
    Catalog.Disabled disabled = catalog.webhook("sub_1").orElseThrow().disabled().orElseThrow();
    assertEquals("gone", disabled.reason());
    assertEquals(Instant.ofEpochMilli(T0 + 10), disabled.at());
    apply(T0 + 20, CatalogChange.newBuilder().setWebhookEndpointSet(WebhookEndpointSet.newBuilder()
        .setSubscription("sub_1").setUrl("https://hooks.example/b").setBatchSize(10).setConcurrency(1)));
    Catalog.WebhookEndpoint endpoint = catalog.webhook("sub_1").orElseThrow();
    assertTrue(endpoint.disabled().isEmpty());
    assertEquals("https://hooks.example/b", endpoint.url());
    assertEquals(Instant.ofEpochMilli(T0 + 20), endpoint.changedAt());
    assertArrayEquals(bytes("first"), endpoint.secrets().get(0).ciphertext());
  }

  @Test
  void anEndpointSetWithoutADeadLetterPolicyFollowsTheNodesAsEndpointsSetBeforeThereWereAnyDo() {
    subscribe();
    assertEquals(Catalog.DeadLetterChoice.NODE, catalog.webhook("sub_1").orElseThrow().deadLetters());
  }

  @Test
  void aSubscriptionsOwnDeadLetterPolicyKeepsTheFieldsItGaveAndIsReplacedWhenTheEndpointIsSetAgain() {
    subscribe();
    apply(T0 + 10, set("sub_1", WebhookDeadLetterPolicy.newBuilder().setEnabled(true).setAfterAttempts(3)));
    assertEquals(new Catalog.DeadLetterChoice(Optional.of(true), Optional.empty(), Optional.of(3)),
        catalog.webhook("sub_1").orElseThrow().deadLetters());
    apply(T0 + 20, set("sub_1", WebhookDeadLetterPolicy.newBuilder().setAfterMillis(600_000)));
    assertEquals(new Catalog.DeadLetterChoice(Optional.empty(), Optional.of(Duration.ofMinutes(10)), Optional.empty()),
        catalog.webhook("sub_1").orElseThrow().deadLetters());
    apply(T0 + 25, rotation("second", T0 + 100));
    apply(T0 + 26, CatalogChange.newBuilder().setWebhookEndpointDisabled(WebhookEndpointDisabled.newBuilder()
        .setSubscription("sub_1").setReason("gone").setMessage("410")));
    assertEquals(Duration.ofMinutes(10), catalog.webhook("sub_1").orElseThrow().deadLetters().after().orElseThrow(),
        "a rotation and a disable keep it");
    apply(T0 + 30, set("sub_1"));
    assertEquals(Catalog.DeadLetterChoice.NODE, catalog.webhook("sub_1").orElseThrow().deadLetters());
  }

  @Test
  void aPolicyIsStoredOnlyWhenItSetsAField() {
    assertTrue(Catalog.DeadLetterChoice.NODE.toProto().isEmpty());
    Catalog.DeadLetterChoice own = new Catalog.DeadLetterChoice(Optional.of(false), Optional.of(Duration.ofHours(2)),
        Optional.of(0));
    assertEquals(own, Catalog.DeadLetterChoice.fromProto(true, own.toProto().orElseThrow()));
    assertEquals(Catalog.DeadLetterChoice.NODE, Catalog.DeadLetterChoice.fromProto(true,
        WebhookDeadLetterPolicy.getDefaultInstance()));
  }

  @Test
  void onlyAWebhookSubscriptionThatHasNotEndedTakesAnEndpoint() {
    apply(T0, CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_ws")
        .setAccount("acc_a").setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")));
    assertEquals("not_a_webhook_subscription", catalog.check(set("sub_ws").setAtMillis(T0 + 1).build()).orElseThrow().code());
    assertEquals("subscription_not_found", catalog.check(set("sub_none").setAtMillis(T0 + 1).build()).orElseThrow().code());
    subscribe();
    apply(T0 + 5, CatalogChange.newBuilder().setSubscriptionCancelled(SubscriptionCancelled.newBuilder()
        .setSubscription("sub_1").setAt("now").setEndsAtMillis(T0 + 5)));
    assertEquals("subscription_cancelled", catalog.check(set("sub_1").setAtMillis(T0 + 6).build()).orElseThrow().code());
  }

  private static CatalogChange.Builder set(String subscription) {
    return CatalogChange.newBuilder().setActor("admin").setWebhookEndpointSet(WebhookEndpointSet.newBuilder()
        .setSubscription(subscription).setUrl("https://hooks.example/c").setBatchSize(1).setConcurrency(1));
  }

  private static CatalogChange.Builder set(String subscription, WebhookDeadLetterPolicy.Builder deadLetters) {
    CatalogChange.Builder change = set(subscription);
    change.getWebhookEndpointSetBuilder().setDeadLetters(deadLetters);
    return change;
  }

  private static CatalogChange.Builder rotation(String secret, long previousExpireAt) {
    return CatalogChange.newBuilder().setWebhookSecretRotated(WebhookSecretRotated.newBuilder()
        .setSubscription("sub_1").setSecretCiphertext(ByteString.copyFrom(bytes(secret)))
        .setPreviousExpireAtMillis(previousExpireAt));
  }

  private void subscribe() {
    apply(T0, CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder()
        .setId("sub_1").setAccount("acc_a").setProduct("prod_x").setPlan("plan_x").setDeliveryType("webhook")
        .setWebhook(WebhookEndpointSet.newBuilder().setSubscription("sub_1").setUrl("https://hooks.example/a")
            .setBatchSize(50).setConcurrency(2).setSecretCiphertext(ByteString.copyFrom(bytes("first"))))));
  }

  private void apply(long at, CatalogChange.Builder change) {
    catalog.apply(change.setAtMillis(at).setActor("admin").build());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
