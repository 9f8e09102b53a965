package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.error.Rejection;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The catalog's rules for a cancel: an end that may only come earlier, and nothing after it. */
class SubscriptionCancelTest {
  private static final long T0 = 1_790_000_000_000L;
  private final Catalog catalog = new Catalog();

  @Test
  void aCancelledSubscriptionHasEndedFromItsEndOnAndNotBefore() {
    subscribe();
    apply(cancel(T0 + 10, T0 + 100));
    Catalog.Subscription subscription = catalog.subscription("sub_1").orElseThrow();
    assertEquals(Optional.of(Instant.ofEpochMilli(T0 + 100)), subscription.endsAt());
    assertFalse(subscription.endedAt(Instant.ofEpochMilli(T0 + 99)));
    assertTrue(subscription.endedAt(Instant.ofEpochMilli(T0 + 100)));
  }

  @Test
  void aCancelMayOnlyBringTheEndEarlier() {
    subscribe();
    apply(cancel(T0 + 10, T0 + 100));
    assertEquals("subscription_cancelled", rejection(cancel(T0 + 20, T0 + 100)).code());
    assertEquals(Optional.empty(), catalog.check(cancel(T0 + 20, T0 + 20).build()), "now, before the period's end");
  }

  @Test
  void afterItsEndASubscriptionCannotChangePlanOrBeCancelledAgain() {
    subscribe();
    apply(cancel(T0 + 10, T0 + 10));
    assertEquals("subscription_cancelled", rejection(planChange(T0 + 11)).code());
    assertEquals("subscription_cancelled", rejection(cancel(T0 + 11, T0 + 11)).code());
  }

  @Test
  void beforeItsEndItMayChangePlan() {
    subscribe();
    apply(cancel(T0 + 10, T0 + 100));
    assertEquals(Optional.empty(), catalog.check(planChange(T0 + 50).build()).map(Rejection::code)
        .filter("subscription_cancelled"::equals));
  }

  @Test
  void aSubscriptionNeverCancelledHasNoEnd() {
    subscribe();
    assertEquals(Optional.empty(), catalog.subscription("sub_1").orElseThrow().endsAt());
  }

  private Rejection rejection(CatalogChange.Builder change) {
    return catalog.check(change.build()).orElseThrow();
  }

  private void subscribe() {
    apply(CatalogChange.newBuilder().setAtMillis(T0).setSubscriptionCreated(SubscriptionCreated.newBuilder()
        .setId("sub_1").setAccount("acc_a").setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")));
  }

  private static CatalogChange.Builder cancel(long at, long endsAt) {
    return CatalogChange.newBuilder().setAtMillis(at).setSubscriptionCancelled(SubscriptionCancelled.newBuilder()
        .setSubscription("sub_1").setAt(at == endsAt ? "now" : "period_end").setEndsAtMillis(endsAt));
  }

  private static CatalogChange.Builder planChange(long at) {
    return CatalogChange.newBuilder().setAtMillis(at).setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder()
        .setSubscription("sub_1").setPlan("plan_y"));
  }

  private void apply(CatalogChange.Builder change) {
    catalog.apply(change.setActor("admin").build());
  }
}
