package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPaused;
import io.tollgate.protocols.v1.journal.SubscriptionResumed;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The catalog's rules for a pause: one at a time, a resume only of a pause, neither after the end. */
class SubscriptionPauseTest {
  private static final long T0 = 1_790_000_000_000L;
  private final Catalog catalog = new Catalog();

  @Test
  void aSubscriptionIsPausedFromItsPauseUntilItsResume() {
    subscribe();
    apply(pause(T0 + 10));
    apply(resume(T0 + 20));
    Catalog.Subscription subscription = catalog.subscription("sub_1").orElseThrow();
    assertFalse(subscription.pausedAt(Instant.ofEpochMilli(T0 + 9)).isPresent());
    assertTrue(subscription.pausedAt(Instant.ofEpochMilli(T0 + 10)).isPresent());
    assertTrue(subscription.pausedAt(Instant.ofEpochMilli(T0 + 19)).isPresent());
    assertFalse(subscription.pausedAt(Instant.ofEpochMilli(T0 + 20)).isPresent());
  }

  @Test
  void aPausedSubscriptionCannotBePausedAgainNorAnActiveOneResumed() {
    subscribe();
    assertEquals("subscription_not_paused", catalog.check(resume(T0 + 5).build()).orElseThrow().code());
    apply(pause(T0 + 10));
    assertEquals("subscription_paused", catalog.check(pause(T0 + 11).build()).orElseThrow().code());
    assertEquals(Optional.empty(), catalog.check(resume(T0 + 12).build()));
  }

  @Test
  void aCancelledSubscriptionCannotBePausedOrResumedAfterItsEnd() {
    subscribe();
    apply(pause(T0 + 5));
    apply(CatalogChange.newBuilder().setAtMillis(T0 + 10).setSubscriptionCancelled(SubscriptionCancelled.newBuilder()
        .setSubscription("sub_1").setAt("now").setEndsAtMillis(T0 + 10)));
    assertEquals("subscription_cancelled", catalog.check(resume(T0 + 11).build()).orElseThrow().code());
    assertEquals("subscription_cancelled", catalog.check(pause(T0 + 11).build()).orElseThrow().code());
  }

  private void subscribe() {
    apply(CatalogChange.newBuilder().setAtMillis(T0).setSubscriptionCreated(SubscriptionCreated.newBuilder()
        .setId("sub_1").setAccount("acc_a").setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")));
  }

  private static CatalogChange.Builder pause(long at) {
    return CatalogChange.newBuilder().setAtMillis(at)
        .setSubscriptionPaused(SubscriptionPaused.newBuilder().setSubscription("sub_1"));
  }

  private static CatalogChange.Builder resume(long at) {
    return CatalogChange.newBuilder().setAtMillis(at)
        .setSubscriptionResumed(SubscriptionResumed.newBuilder().setSubscription("sub_1"));
  }

  private void apply(CatalogChange.Builder change) {
    catalog.apply(change.setActor("admin").build());
  }
}
