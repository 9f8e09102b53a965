package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.ProductVisibility;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.TopicCreated;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who sees what of the catalog, and searching it: ranks, kinds, pages and bad parameters. */
class CatalogSearchTest {
  private static final Viewer SHOP = Viewer.of("acc_shop");
  private static final Viewer BANK = Viewer.of("acc_bank");
  private static final Viewer FAN = Viewer.of("acc_fan");

  private Catalog catalog;

  @BeforeEach
  void shopAndBank() {
    catalog = new Catalog();
    for (String account : List.of("acc_shop", "acc_bank", "acc_fan")) {
      apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(account).setName(account)));
    }
    domain("commerce", "acc_shop");
    domain("payments", "acc_bank");
    topic("commerce.orders", "commerce");
    topic("commerce.refunds", "commerce");
    topic("payments.ledger", "payments");
    product("prod_orders", "Orders", "acc_shop", "Every order placed in the shop", ProductVisibility.PRODUCT_VISIBILITY_PUBLIC,
        "commerce.orders");
    product("prod_refunds", "Refund feed", "acc_shop", "", ProductVisibility.PRODUCT_VISIBILITY_PRIVATE, "commerce.refunds");
    product("prod_ledger", "Ledger", "acc_bank", "", ProductVisibility.PRODUCT_VISIBILITY_PRIVATE, "payments.ledger");
    plan("plan_basic", "prod_orders", "Basic");
    plan("plan_gold", "prod_refunds", "Gold");
  }

  @Test
  void aPublicProductWithItsPlansTopicsAndDomainIsSeenByEveryAccount() {
    VisibleCatalog fan = new VisibleCatalog(catalog, FAN);
    assertTrue(fan.product("prod_orders").isPresent());
    assertTrue(fan.plan("plan_basic").isPresent());
    assertTrue(fan.topic("commerce.orders").isPresent());
    assertTrue(fan.domain("commerce").isPresent());
  }

  @Test
  void aPrivateProductAndWhatOnlyItBundlesAreAbsentForOtherAccounts() {
    VisibleCatalog fan = new VisibleCatalog(catalog, FAN);
    assertEquals(Optional.empty(), fan.product("prod_refunds"));
    assertEquals(Optional.empty(), fan.plan("plan_gold"));
    assertEquals(Optional.empty(), fan.topic("commerce.refunds"));
    assertEquals(Optional.empty(), fan.domain("payments"), "every topic of payments is in private products only");
    assertEquals(List.of("prod_orders"), fan.products().map(Catalog.Product::id).toList());
    assertEquals(List.of("commerce.orders"), fan.topics().map(Catalog.Topic::name).toList());

    VisibleCatalog bank = new VisibleCatalog(catalog, BANK);
    assertEquals(Optional.empty(), bank.product("prod_refunds"), "another producer is just another account");
    assertTrue(bank.product("prod_ledger").isPresent());
  }

  @Test
  void theOwnerAndTheOperatorSeePrivateProductsAndTheOwnerItsUnbundledTopics() {
    VisibleCatalog shop = new VisibleCatalog(catalog, SHOP);
    assertTrue(shop.product("prod_refunds").isPresent());
    assertTrue(shop.plan("plan_gold").isPresent());
    assertTrue(shop.owns(shop.product("prod_refunds").orElseThrow()));
    assertFalse(shop.owns(catalog.product("prod_ledger").orElseThrow()));
    topic("commerce.drafts", "commerce");
    assertTrue(shop.topic("commerce.drafts").isPresent(), "a domain's owner sees its topics before any product has them");
    assertEquals(Optional.empty(), new VisibleCatalog(catalog, FAN).topic("commerce.drafts"));

    VisibleCatalog operator = new VisibleCatalog(catalog, Viewer.OPERATOR);
    assertEquals(3, operator.products().count());
    assertEquals(4, operator.topics().count());
    assertTrue(operator.owns(catalog.product("prod_ledger").orElseThrow()));
  }

  @Test
  void anAccountSubscribedToAPrivateProductSeesIt() {
    apply(CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_1")
        .setAccount("acc_fan").setProduct("prod_refunds").setPlan("plan_gold").setDeliveryType("websocket")));
    VisibleCatalog fan = new VisibleCatalog(catalog, FAN);
    assertTrue(fan.product("prod_refunds").isPresent());
    assertTrue(fan.topic("commerce.refunds").isPresent());
    assertFalse(fan.owns(fan.product("prod_refunds").orElseThrow()));
    assertEquals(Optional.empty(), new VisibleCatalog(catalog, BANK).product("prod_refunds"));
  }

  @Test
  void productsJournaledBeforeVisibilityExistedStayPublic() {
    product("prod_old", "Old", "acc_bank", "", ProductVisibility.PRODUCT_VISIBILITY_UNSPECIFIED, "payments.ledger");
    assertEquals(Visibility.PUBLIC, catalog.product("prod_old").orElseThrow().visibility());
    assertTrue(new VisibleCatalog(catalog, FAN).topic("payments.ledger").isPresent(),
        "a topic is seen through any product that is seen, even when another bundles it privately");
  }

  @Test
  void bestMatchesComeFirst() {
    assertEquals(List.of("product:prod_orders:0", "topic:commerce.orders:1", "plan:plan_basic:3"),
        hits(FAN, Map.of("q", "orders")), "the name itself, then a word of the name, then the plan's product");
    assertEquals(List.of("product:prod_orders:3"), hits(FAN, Map.of("q", "  Placed   SHOP ")),
        "every word in the description, whatever the case and spacing");
    assertEquals(List.of("topic:commerce.orders:1", "domain:commerce:1", "product:prod_orders:3"),
        hits(FAN, Map.of("q", "comm")), "a product is found by its topics' names too");
    assertEquals(List.of("product:prod_orders:2"), hits(FAN, Map.of("q", "rder", "kind", "product")));
    assertEquals(List.of("product:prod_orders:0"), hits(FAN, Map.of("q", "prod_orders")), "an id is a name too");
  }

  @Test
  void aSearchFindsOnlyWhatItsViewerSees() {
    assertEquals(List.of(), hits(FAN, Map.of("q", "refund")));
    assertEquals(List.of(), hits(FAN, Map.of("q", "prod_ledger")));
    assertEquals(List.of("product:prod_refunds:1", "topic:commerce.refunds:1", "plan:plan_gold:3"),
        hits(SHOP, Map.of("q", "refund")));
    assertEquals(List.of("product:prod_ledger:0"), hits(Viewer.OPERATOR, Map.of("q", "ledger", "kind", "product")));
  }

  @Test
  void kindsNarrowTheSearch() {
    assertEquals(List.of("topic:commerce.orders:0", "domain:commerce:0"), hits(FAN, Map.of("kind", "domain,topic")));
    assertEquals(List.of("plan:plan_basic:0"), hits(FAN, Map.of("kind", "plan")));
  }

  @Test
  void pagesFollowOneAnotherWithoutGapsOrRepeatsWhileEntriesAreAdded() {
    List<String> seen = new ArrayList<>();
    Map<String, String> parameters = new HashMap<>(Map.of("limit", "2"));
    CatalogSearch.Page page = search(Viewer.OPERATOR, parameters);
    page.hits().forEach(hit -> seen.add(hit.position().key()));
    assertEquals(List.of("prod_ledger", "prod_orders"), seen);
    product("prod_aaa", "Aardvarks", "acc_bank", "", ProductVisibility.PRODUCT_VISIBILITY_PUBLIC, "payments.ledger");
    product("prod_zzz", "Zebras", "acc_bank", "", ProductVisibility.PRODUCT_VISIBILITY_PUBLIC, "payments.ledger");
    while (page.nextAfter().isPresent()) {
      parameters.put("after", page.nextAfter().get());
      page = search(Viewer.OPERATOR, parameters);
      assertTrue(page.hits().size() <= 2);
      page.hits().forEach(hit -> seen.add(hit.position().key()));
    }
    assertEquals(List.of("prod_ledger", "prod_orders", "prod_refunds", "prod_zzz", "plan_basic", "plan_gold",
        "commerce.orders", "commerce.refunds", "payments.ledger", "commerce", "payments"), seen,
        "a product added behind the last page is not shown; one ahead of it is, once");
  }

  @Test
  void badParametersAreRefusedEachWithItsOwnCode() {
    assertEquals("unknown_parameter", refusal(Map.of("type", "product")));
    assertEquals("invalid_query", refusal(Map.of("q", "x".repeat(CatalogSearch.MAX_QUERY_LENGTH + 1))));
    assertEquals("invalid_kind", refusal(Map.of("kind", "products")));
    assertEquals("invalid_kind", refusal(Map.of("kind", "product,")));
    assertEquals("invalid_limit", refusal(Map.of("limit", "0")));
    assertEquals("invalid_limit", refusal(Map.of("limit", "101")));
    assertEquals("invalid_limit", refusal(Map.of("limit", "ten")));
    assertEquals("invalid_after", refusal(Map.of("after", "garbage")));
    assertEquals("invalid_after", refusal(Map.of("after", "9.product.QQ.QQ")));
    assertEquals("invalid_after", refusal(Map.of("after", "0.product.!!.QQ")));
    assertEquals(CatalogSearch.DEFAULT_LIMIT, CatalogSearch.Query.parse(Map.of()).limit());
    assertEquals(100, CatalogSearch.Query.parse(Map.of("limit", "100")).limit());
  }

  private static String refusal(Map<String, String> parameters) {
    return assertThrows(Refusal.class, () -> CatalogSearch.Query.parse(parameters)).code();
  }

  private CatalogSearch.Page search(Viewer viewer, Map<String, String> parameters) {
    return CatalogSearch.search(new VisibleCatalog(catalog, viewer), CatalogSearch.Query.parse(parameters));
  }

  /** Each hit as kind:key:rank. */
  private List<String> hits(Viewer viewer, Map<String, String> parameters) {
    return search(viewer, parameters).hits().stream()
        .map(hit -> hit.kind().wireName() + ":" + hit.position().key() + ":" + hit.position().rank()).toList();
  }

  private void apply(CatalogChange.Builder change) {
    CatalogChange stamped = change.setAtMillis(1_000 + catalog.version()).setActor("test").build();
    assertEquals(Optional.empty(), catalog.check(stamped));
    catalog.apply(stamped);
  }

  private void domain(String name, String owner) {
    apply(CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName(name).setOwner(owner)));
  }

  private void topic(String name, String domain) {
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName(name).setDomain(domain).setPartitions(1)));
  }

  private void product(String id, String name, String owner, String description, ProductVisibility visibility, String topic) {
    apply(CatalogChange.newBuilder().setProductCreated(ProductCreated.newBuilder().setId(id).setName(name).setOwner(owner)
        .setDescription(description).setVisibility(visibility).addTopics(topic)));
  }

  private void plan(String id, String product, String name) {
    apply(CatalogChange.newBuilder().setPlanCreated(PlanCreated.newBuilder().setId(id).setProductId(product).setName(name)
        .setTerms(PlanTerms.newBuilder().setCurrency("USD"))));
  }
}
