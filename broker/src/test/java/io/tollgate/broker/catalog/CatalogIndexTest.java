package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.TopicCreated;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What an account's billing reads of the catalog, found by account rather than by a scan. */
class CatalogIndexTest {
  private final Catalog catalog = new Catalog();
  private long at = 1_790_000_000_000L;

  @Test
  void anAccountsSubscriptionsAreItsOwnInOrderOfCreationWithTheirLatestPlans() {
    subscribe("sub_2", "acc_a");
    subscribe("sub_1", "acc_b");
    subscribe("sub_3", "acc_a");
    apply(CatalogChange.newBuilder().setSubscriptionPlanChanged(
        SubscriptionPlanChanged.newBuilder().setSubscription("sub_2").setPlan("plan_y")));

    assertEquals(List.of("sub_2", "sub_3"), catalog.subscriptionsOf("acc_a").stream().map(Catalog.Subscription::id).toList());
    assertEquals("plan_y", catalog.subscriptionsOf("acc_a").get(0).plans().get(1).plan());
    assertEquals(List.of(), catalog.subscriptionsOf("acc_none"));
    assertEquals(Set.of("acc_a", "acc_b"), catalog.subscribingAccounts());
  }

  @Test
  void anAccountsTopicsAreThoseOfItsDomains() {
    apply(CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName("commerce").setOwner("acc_p")));
    apply(CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName("ops").setOwner("acc_q")));
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName("commerce.orders").setDomain("commerce").setPartitions(2)));
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName("ops.alerts").setDomain("ops").setPartitions(1)));

    assertEquals(List.of("commerce.orders"), catalog.topicsOwnedBy("acc_p").stream().map(Catalog.Topic::name).toList());
    assertEquals(List.of(), catalog.topicsOwnedBy("acc_none"));
  }

  private void subscribe(String id, String account) {
    apply(CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId(id).setAccount(account)
        .setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")));
  }

  private void apply(CatalogChange.Builder change) {
    catalog.apply(change.setAtMillis(at++).setActor("admin").build());
  }
}
