package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.Cancellation;
import io.tollgate.protocols.v1.journal.PlanTerms;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The catalog's rules for editing and retiring products, plans and topics: what an edit may
 * change, what a retired entry refuses, and what the subscriptions already made keep.
 */
class CatalogEditTest {
  private static final long T0 = 1_790_000_000_000L;
  private final Catalog catalog = new Catalog();
  private long now = T0;

  @Test
  void anEditChangesWhatItGivesAndKeepsTheRest() {
    producer();
    apply(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(), Optional.of("Orders, as they happen"),
        Optional.of(Visibility.PRIVATE), Optional.empty()));
    Catalog.Product product = catalog.product("prod_x").orElseThrow();
    assertEquals("orders", product.name());
    assertEquals("Orders, as they happen", product.description());
    assertEquals(Visibility.PRIVATE, product.visibility());
    assertEquals(List.of("shop.orders"), product.topics());
    assertEquals(Instant.ofEpochMilli(T0), product.createdAt());
  }

  @Test
  void aTopicMayJoinAProductThatHasSubscriptions() {
    producer();
    subscribe("sub_1", "plan_x");
    apply(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(List.of("shop.orders", "shop.refunds"))));
    assertEquals(List.of("shop.orders", "shop.refunds"), catalog.product("prod_x").orElseThrow().topics());
  }

  @Test
  void aTopicLeavesAProductOnlyOnceNoSubscriptionToItRuns() {
    producer();
    apply(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(List.of("shop.orders", "shop.refunds"))));
    subscribe("sub_1", "plan_x");
    CatalogCommand removal = new CatalogCommand.UpdateProduct("prod_x", Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.of(List.of("shop.refunds")));
    assertEquals("product_topic_in_use", refusal(removal));
    apply(new CatalogCommand.CancelSubscription("sub_1", Cancellation.PERIOD_END, Instant.ofEpochMilli(now + 100)));
    assertEquals("product_topic_in_use", refusal(removal), "a cancel due later still reads the topic until then");
    now += 100;
    apply(removal);
    assertEquals(List.of("shop.refunds"), catalog.product("prod_x").orElseThrow().topics());
  }

  @Test
  void aProductKeepsAtLeastOneTopicEachNamedOnce() {
    producer();
    assertEquals("invalid_request", refusal(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of(List.of()))));
    assertEquals("invalid_request", refusal(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of(List.of("shop.orders", "shop.orders")))));
    assertEquals("topic_not_found", refusal(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of(List.of("shop.nothing")))));
    assertEquals("product_not_found", refusal(new CatalogCommand.UpdateProduct("prod_none", Optional.of("n"),
        Optional.empty(), Optional.empty(), Optional.empty())));
  }

  @Test
  void aRetiredProductTakesNoNewSubscriptionsOrPlansWhileItsSubscriptionsRunOn() {
    producer();
    subscribe("sub_1", "plan_x");
    apply(new CatalogCommand.CreatePlan("plan_y", "prod_x", "more", terms()));
    apply(new CatalogCommand.RetireProduct("prod_x"));
    assertEquals(Optional.of(Instant.ofEpochMilli(now)), catalog.product("prod_x").orElseThrow().retiredAt());
    assertEquals("product_retired", refusal(subscription("sub_2", "plan_x")));
    assertEquals("product_retired", refusal(new CatalogCommand.CreatePlan("plan_z", "prod_x", "z", terms())));
    assertEquals("product_retired", refusal(new CatalogCommand.RetireProduct("prod_x")));
    apply(new CatalogCommand.ChangePlan("sub_1", "plan_y"));
    assertEquals("plan_y", catalog.subscription("sub_1").orElseThrow().plan(), "its subscriptions may move plans");
  }

  @Test
  void aRetiredPlanTakesNoNewSubscriptionsNorMovesOntoItAndKeepsItsTerms() {
    producer();
    apply(new CatalogCommand.CreatePlan("plan_y", "prod_x", "more", terms()));
    subscribe("sub_1", "plan_x");
    subscribe("sub_2", "plan_y");
    apply(new CatalogCommand.RetirePlan("plan_x"));
    apply(new CatalogCommand.RenamePlan("plan_x", "orders (2026)"));
    assertEquals("plan_retired", refusal(subscription("sub_3", "plan_x")));
    assertEquals("plan_retired", refusal(new CatalogCommand.ChangePlan("sub_2", "plan_x")));
    assertEquals("plan_retired", refusal(new CatalogCommand.RetirePlan("plan_x")));
    Catalog.Plan plan = catalog.plan("plan_x").orElseThrow();
    assertEquals("orders (2026)", plan.name());
    assertEquals(terms(), plan.terms(), "a rename leaves the terms its subscriptions are billed by");
    assertEquals("plan_x", catalog.subscription("sub_1").orElseThrow().plan());
    assertEquals("invalid_request", refusal(new CatalogCommand.RenamePlan("plan_x", " ")));
    apply(subscription("sub_3", "plan_y"));
  }

  @Test
  void aRetiredTopicJoinsNoMoreProductsButStaysInThoseThatHaveIt() {
    producer();
    apply(new CatalogCommand.RetireTopic("shop.orders"));
    assertEquals("topic_retired", refusal(new CatalogCommand.CreateProduct("prod_y", "again", "acc_p",
        List.of("shop.orders"), "", Visibility.PUBLIC)));
    assertEquals("topic_retired", refusal(new CatalogCommand.RetireTopic("shop.orders")));
    apply(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(List.of("shop.refunds", "shop.orders"))));
    apply(subscription("sub_1", "plan_x"));
    apply(new CatalogCommand.RetireProduct("prod_x"));
    apply(new CatalogCommand.CreateProduct("prod_y", "refunds", "acc_p", List.of("shop.refunds"), "",
        Visibility.PUBLIC));
    assertEquals("topic_retired", refusal(new CatalogCommand.UpdateProduct("prod_y", Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of(List.of("shop.refunds", "shop.orders")))));
  }

  @Test
  void aRetiredProductLeavesTheCatalogButForItsOwnerAndItsSubscribers() {
    producer();
    apply(new CatalogCommand.CreateAccount("acc_s", "subscriber"));
    apply(new CatalogCommand.CreateAccount("acc_o", "other"));
    apply(new CatalogCommand.CreateSubscription("sub_1", "acc_s", "prod_x", "plan_x", "websocket", Optional.empty(),
        List.of(), Optional.empty()));
    assertTrue(new VisibleCatalog(catalog, Viewer.of("acc_o")).product("prod_x").isPresent());
    apply(new CatalogCommand.RetireProduct("prod_x"));
    assertFalse(new VisibleCatalog(catalog, Viewer.of("acc_o")).product("prod_x").isPresent());
    assertFalse(new VisibleCatalog(catalog, Viewer.of("acc_o")).plan("plan_x").isPresent());
    assertTrue(new VisibleCatalog(catalog, Viewer.of("acc_s")).plan("plan_x").isPresent());
    assertTrue(new VisibleCatalog(catalog, Viewer.of("acc_p")).product("prod_x").isPresent());
    assertTrue(new VisibleCatalog(catalog, Viewer.OPERATOR).product("prod_x").isPresent());
  }

  @Test
  void editsAndRetirementsAreChargedToTheOwnersShareOfTheCatalog() {
    CatalogLimits none = CatalogLimits.UNCHECKED;
    Catalog limited = new Catalog(new CatalogLimits(none.domainsPerAccount(), none.topicsPerAccount(),
        none.productsPerAccount(), none.plansPerAccount(), none.keysPerAccount(), none.subscriptionsPerAccount(),
        none.topicsPerProduct(), none.plansPerProduct(), none.partitionsPerProduct(), none.schemaVersionsPerTopic(),
        none.planChangesPerSubscription(), none.resourcesPerKey(), 1_000));
    for (CatalogCommand command : List.of(new CatalogCommand.CreateAccount("acc_p", "producer"),
        new CatalogCommand.CreateDomain("shop", "acc_p"),
        new CatalogCommand.CreateTopic("shop.orders", "shop", 1, Optional.empty(), 0, 0),
        new CatalogCommand.CreateProduct("prod_x", "orders", "acc_p", List.of("shop.orders"), "", Visibility.PUBLIC))) {
      limited.apply(command.change().setAtMillis(now).build());
    }
    String tooLong = "d".repeat(1_000);
    assertEquals("too_many_catalog_bytes", limited.check(new CatalogCommand.UpdateProduct("prod_x", Optional.empty(),
        Optional.of(tooLong), Optional.empty(), Optional.empty()).change().build()).orElseThrow().code());
  }

  private void producer() {
    apply(new CatalogCommand.CreateAccount("acc_p", "producer"));
    apply(new CatalogCommand.CreateAccount("acc_c", "consumer"));
    apply(new CatalogCommand.CreateDomain("shop", "acc_p"));
    apply(new CatalogCommand.CreateTopic("shop.orders", "shop", 1, Optional.empty(), 0, 0));
    apply(new CatalogCommand.CreateTopic("shop.refunds", "shop", 2, Optional.empty(), 0, 0));
    apply(new CatalogCommand.CreateProduct("prod_x", "orders", "acc_p", List.of("shop.orders"), "", Visibility.PUBLIC));
    apply(new CatalogCommand.CreatePlan("plan_x", "prod_x", "orders", terms()));
  }

  private void subscribe(String id, String plan) {
    apply(subscription(id, plan));
  }

  private static CatalogCommand subscription(String id, String plan) {
    return new CatalogCommand.CreateSubscription(id, "acc_c", "prod_x", plan, "websocket", Optional.empty(), List.of(),
        Optional.empty());
  }

  private static PlanTerms terms() {
    return PlanTerms.newBuilder().setCurrency("USD").setFreeAllowance(10).build();
  }

  private String refusal(CatalogCommand command) {
    return catalog.check(command.change().setAtMillis(now).build()).orElseThrow().code();
  }

  private void apply(CatalogCommand command) {
    var change = command.change().setAtMillis(now).build();
    assertEquals(Optional.empty(), catalog.check(change));
    catalog.apply(change);
  }
}
