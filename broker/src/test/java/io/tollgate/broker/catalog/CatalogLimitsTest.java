package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.error.Rejection;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.ApiKeyCreated;
import io.tollgate.protocols.v1.journal.ApiKeyDeleted;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanDeleted;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.TopicCreated;
import io.tollgate.protocols.v1.journal.TopicSchemaAdded;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How much of the catalog an account may hold: each limit refused with its own code, per account, and freed by deletion. */
class CatalogLimitsTest {
  private static final CatalogLimits LIMITS = new CatalogLimits(2, 3, 2, 3, 2, 2, 2, 2, 3, 2, 2, 2, Long.MAX_VALUE);

  private Catalog catalog;
  private int next;

  @BeforeEach
  void twoAccounts() {
    catalog = new Catalog(LIMITS);
    for (String account : List.of("acc_shop", "acc_fan")) {
      apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(account).setName(account)));
    }
  }

  @Test
  void anAccountMayHoldAsManyDomainsAsItsLimitAndNoMore() {
    apply(domain("shop", "acc_shop"));
    apply(domain("store", "acc_shop"));
    assertRefused("too_many_domains", domain("market", "acc_shop"));
  }

  @Test
  void theLimitIsPerAccount() {
    apply(domain("shop", "acc_shop"));
    apply(domain("store", "acc_shop"));
    apply(domain("fan", "acc_fan"));
  }

  @Test
  void topicsAreCountedAgainstTheirDomainsOwnerAcrossDomains() {
    apply(domain("shop", "acc_shop"));
    apply(domain("store", "acc_shop"));
    apply(topic("shop.orders", "shop"));
    apply(topic("shop.refunds", "shop"));
    apply(topic("store.orders", "store"));
    assertRefused("too_many_topics", topic("store.refunds", "store"));
  }

  @Test
  void aProductBundlesAtMostItsLimitOfTopics() {
    apply(domain("shop", "acc_shop"));
    apply(topic("shop.orders", "shop"));
    apply(topic("shop.refunds", "shop"));
    apply(topic("shop.returns", "shop"));
    Rejection refused = assertRefused("too_many_topics_in_product",
        product("prod_all", "acc_shop", "shop.orders", "shop.refunds", "shop.returns"));
    assertTrue(refused.message().contains("max-topics-per-product"), refused.message());
    apply(product("prod_two", "acc_shop", "shop.orders", "shop.refunds"));
  }

  @Test
  void anAccountMayHoldAsManyProductsAsItsLimit() {
    shopWithOrders();
    apply(product("prod_1", "acc_shop", "shop.orders"));
    apply(product("prod_2", "acc_shop", "shop.orders"));
    Rejection refused = assertRefused("too_many_products", product("prod_3", "acc_shop", "shop.orders"));
    assertTrue(refused.message().contains("tollgate.limits.catalog.max-products-per-account = 2"), refused.message());
  }

  @Test
  void aProductOffersAtMostItsLimitOfPlansAndADeletedPlanFreesItsPlace() {
    shopWithOrders();
    apply(product("prod_1", "acc_shop", "shop.orders"));
    apply(plan("plan_1", "prod_1"));
    apply(plan("plan_2", "prod_1"));
    assertRefused("too_many_plans_in_product", plan("plan_3", "prod_1"));
    apply(CatalogChange.newBuilder().setPlanDeleted(PlanDeleted.newBuilder().setId("plan_1")));
    apply(plan("plan_3", "prod_1"));
  }

  @Test
  void plansAreCountedAgainstTheirProductsOwnerAcrossProducts() {
    shopWithOrders();
    apply(product("prod_1", "acc_shop", "shop.orders"));
    apply(product("prod_2", "acc_shop", "shop.orders"));
    apply(plan("plan_1", "prod_1"));
    apply(plan("plan_2", "prod_1"));
    apply(plan("plan_3", "prod_2"));
    assertRefused("too_many_plans", plan("plan_4", "prod_2"));
  }

  @Test
  void anAccountMayHoldAsManyKeysAsItsLimitAndADeletedKeyFreesItsPlace() {
    apply(key("key_1"));
    apply(key("key_2"));
    assertRefused("too_many_keys", key("key_3"));
    apply(CatalogChange.newBuilder().setApiKeyDeleted(ApiKeyDeleted.newBuilder().setId("key_1")));
    apply(key("key_3"));
  }

  @Test
  void aKeyIsLimitedToAtMostItsLimitOfResources() {
    assertRefused("too_many_resources", key("key_1").setApiKeyCreated(key("key_1").getApiKeyCreated().toBuilder()
        .addAllResources(List.of("shop.a", "shop.b", "shop.c"))));
    apply(key("key_1").setApiKeyCreated(key("key_1").getApiKeyCreated().toBuilder().addAllResources(List.of("shop.a", "shop.b"))));
  }

  @Test
  void subscriptionsAreCountedAgainstTheSubscribingAccount() {
    shopWithOrders();
    apply(product("prod_1", "acc_shop", "shop.orders"));
    apply(plan("plan_1", "prod_1"));
    apply(subscription("sub_1", "acc_fan"));
    apply(subscription("sub_2", "acc_fan"));
    assertRefused("too_many_subscriptions", subscription("sub_3", "acc_fan"));
    apply(subscription("sub_4", "acc_shop"));
  }

  @Test
  void aProductCoversAtMostItsLimitOfPartitions() {
    apply(domain("shop", "acc_shop"));
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName("shop.orders").setDomain("shop")
        .setPartitions(4)));
    assertRefused("too_many_partitions_in_product", product("prod_1", "acc_shop", "shop.orders"));
  }

  @Test
  void aTopicKeepsAtMostItsLimitOfSchemaVersions() {
    shopWithOrders();
    apply(schema("{\"type\":\"object\"}"));
    apply(schema("{\"type\":\"array\"}"));
    assertRefused("too_many_schema_versions", schema("{}"));
  }

  @Test
  void aSubscriptionChangesPlanAtMostItsLimitOfTimes() {
    shopWithOrders();
    apply(product("prod_1", "acc_shop", "shop.orders"));
    apply(plan("plan_1", "prod_1"));
    apply(plan("plan_2", "prod_1"));
    apply(subscription("sub_1", "acc_fan"));
    apply(planChange("plan_2"));
    apply(planChange("plan_1"));
    assertRefused("too_many_plan_changes", planChange("plan_2"));
  }

  @Test
  void thePlatformsOwnEntriesAreNotLimitedSoANodeStartsWhateverTheLimits() {
    apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(Platform.ACCOUNT).setName("Tollgate")));
    apply(domain(Platform.DOMAIN, Platform.ACCOUNT));
    for (String name : List.of("a", "b", "c")) {
      apply(domain(Platform.DOMAIN + name, Platform.ACCOUNT));
    }
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName(Platform.INVOICES_TOPIC)
        .setDomain(Platform.DOMAIN).setPartitions(4)));
    apply(product(Platform.INVOICES_PRODUCT, Platform.ACCOUNT, Platform.INVOICES_TOPIC));
  }

  @Test
  void aViewsCatalogChecksNoLimitSinceItOnlyAppliesWhatTheEntityChecked() {
    catalog = new Catalog();
    apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId("acc_shop").setName("shop")));
    for (int i = 0; i < 10; i++) {
      apply(key("key_" + i));
    }
  }

  @Test
  void anAccountsEntriesAreBoundedInBytesWhateverTheirCountAndADeletedKeyGivesItsBytesBack() {
    catalog = new Catalog(new CatalogLimits(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 2_000));
    for (String account : List.of("acc_shop", "acc_fan")) {
      apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(account).setName(account)));
    }
    shopWithOrders();
    apply(product("prod_1", "acc_shop", "shop.orders"));
    apply(plan("plan_1", "prod_1"));
    String filter = "{\"subject\":\"" + "x".repeat(700) + "\"}";
    apply(subscription("sub_1", "acc_fan").setSubscriptionCreated(subscription("sub_1", "acc_fan")
        .getSubscriptionCreated().toBuilder().setFilterJson(filter)));
    apply(subscription("sub_2", "acc_fan").setSubscriptionCreated(subscription("sub_2", "acc_fan")
        .getSubscriptionCreated().toBuilder().setFilterJson(filter)));
    Rejection refused = assertRefused("too_many_catalog_bytes", subscription("sub_3", "acc_fan")
        .setSubscriptionCreated(subscription("sub_3", "acc_fan").getSubscriptionCreated().toBuilder().setFilterJson(filter)));
    assertTrue(refused.message().contains("acc_fan") && refused.message().contains("max-bytes-per-account"),
        refused.message());
    apply(subscription("sub_3", "acc_shop"));

    CatalogChange.Builder bigKey = key("key_big").setApiKeyCreated(key("key_big").getApiKeyCreated().toBuilder()
        .addResources("shop." + "r".repeat(900)));
    apply(bigKey);
    assertRefused("too_many_catalog_bytes", key("key_next").setApiKeyCreated(key("key_next").getApiKeyCreated()
        .toBuilder().addResources("shop." + "r".repeat(900))));
    apply(CatalogChange.newBuilder().setApiKeyDeleted(ApiKeyDeleted.newBuilder().setId("key_big")));
    apply(key("key_next").setApiKeyCreated(key("key_next").getApiKeyCreated().toBuilder()
        .addResources("shop." + "r".repeat(900))));
  }

  private void shopWithOrders() {
    apply(domain("shop", "acc_shop"));
    apply(topic("shop.orders", "shop"));
  }

  private Rejection assertRefused(String code, CatalogChange.Builder change) {
    Optional<Rejection> rejection = catalog.check(change.setAtMillis(1_000 + next).setActor("test").build());
    assertEquals(Optional.of(code), rejection.map(Rejection::code), rejection.toString());
    return rejection.get();
  }

  private void apply(CatalogChange.Builder change) {
    CatalogChange stamped = change.setAtMillis(1_000 + next++).setActor("test").build();
    assertEquals(Optional.empty(), catalog.check(stamped));
    catalog.apply(stamped);
  }

  private static CatalogChange.Builder domain(String name, String owner) {
    return CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName(name).setOwner(owner));
  }

  private static CatalogChange.Builder topic(String name, String domain) {
    return CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName(name).setDomain(domain).setPartitions(1));
  }

  private static CatalogChange.Builder product(String id, String owner, String... topics) {
    return CatalogChange.newBuilder().setProductCreated(ProductCreated.newBuilder().setId(id).setName(id).setOwner(owner)
        .addAllTopics(List.of(topics)));
  }

  private static CatalogChange.Builder plan(String id, String product) {
    return CatalogChange.newBuilder().setPlanCreated(PlanCreated.newBuilder().setId(id).setProductId(product).setName(id)
        .setTerms(PlanTerms.newBuilder().setCurrency("EUR")));
  }

  private static CatalogChange.Builder schema(String json) {
    return CatalogChange.newBuilder().setTopicSchemaAdded(TopicSchemaAdded.newBuilder().setTopic("shop.orders").setSchemaJson(json)
        .setCompatibility("none"));
  }

  private static CatalogChange.Builder planChange(String plan) {
    return CatalogChange.newBuilder().setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder().setSubscription("sub_1")
        .setPlan(plan));
  }

  private static CatalogChange.Builder key(String id) {
    return CatalogChange.newBuilder().setApiKeyCreated(ApiKeyCreated.newBuilder().setId(id).setAccountId("acc_shop")
        .addScopes("admin"));
  }

  private static CatalogChange.Builder subscription(String id, String account) {
    return CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId(id).setAccount(account)
        .setProduct("prod_1").setPlan("plan_1").setDeliveryType("websocket"));
  }
}
