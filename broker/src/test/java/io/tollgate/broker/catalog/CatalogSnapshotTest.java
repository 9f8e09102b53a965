package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.tollgate.broker.error.Rejection;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.ApiKeyCreated;
import io.tollgate.protocols.v1.journal.ApiKeyDeleted;
import io.tollgate.protocols.v1.journal.ApiKeyExpirySet;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanDeleted;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.ProductRetired;
import io.tollgate.protocols.v1.journal.ProductTopics;
import io.tollgate.protocols.v1.journal.ProductUpdated;
import io.tollgate.protocols.v1.journal.PlanRenamed;
import io.tollgate.protocols.v1.journal.PlanRetired;
import io.tollgate.protocols.v1.journal.TopicRetired;
import io.tollgate.protocols.v1.journal.ProductVisibility;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPaused;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.SubscriptionResumed;
import io.tollgate.protocols.v1.journal.TopicCreated;
import io.tollgate.protocols.v1.journal.TopicRetentionSet;
import io.tollgate.protocols.v1.journal.TopicSchemaAdded;
import io.tollgate.protocols.v1.journal.WebhookEndpointDisabled;
import io.tollgate.protocols.v1.journal.WebhookDeadLetterPolicy;
import io.tollgate.protocols.v1.journal.WebhookEndpointSet;
import io.tollgate.protocols.v1.journal.WebhookSecretRotated;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * A catalog restored from its snapshot is the catalog: every entry, every index and every
 * account's holdings (counts and bytes), so it accepts and refuses the same changes afterwards
 * and ends in the same state. Changes come from a few ids, so most refer to each other, and the
 * limits are small, so holdings decide many of them.
 */
class CatalogSnapshotTest {
  private static final CatalogLimits LIMITS = new CatalogLimits(2, 3, 2, 3, 2, 3, 2, 2, 6, 3, 2, 2, 4_000);
  private static final int KINDS = 23;
  /** The kinds that create an entry (account, domain, topic, product, plan, subscription): half the steps. */
  private static final List<Integer> CREATIONS = List.of(0, 4, 5, 8, 9, 11);
  /**
   * Every sequence starts with two accounts, each with a domain, a topic, a product and a plan,
   * so the random changes after them reach subscriptions and webhooks often.
   */
  private static final List<Step> FOUNDING = List.of(new Step(0, 0, 0, 0), new Step(0, 1, 0, 0), new Step(4, 0, 0, 0),
      new Step(4, 1, 1, 0), new Step(5, 0, 0, 0), new Step(5, 0, 1, 1), new Step(8, 0, 0, 0), new Step(8, 1, 1, 1),
      new Step(9, 0, 0, 0), new Step(9, 1, 1, 1));

  /** One change to try: its kind and three numbers that pick its ids and values. */
  record Step(int kind, int a, int b, int c) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 11);
    Arbitrary<Integer> kind = Arbitraries.oneOf(Arbitraries.of(CREATIONS), Arbitraries.integers().between(0, KINDS - 1));
    Arbitrary<Step> step = Combinators.combine(kind, pick, pick, pick).as(Step::new);
    return step.list().ofMinSize(40).ofMaxSize(150).map(random -> {
      List<Step> steps = new ArrayList<>(FOUNDING);
      steps.addAll(random);
      return steps;
    });
  }

  @Property(tries = 300)
  void aRestoredCatalogEqualsTheCatalogAndGoesOnTheSame(@ForAll("steps") List<Step> before,
                                                        @ForAll("steps") List<Step> after) {
    Catalog original = new Catalog(LIMITS);
    applyChecked(original, before, 0);
    Catalog restored = new Catalog(LIMITS);
    restored.restore(original.toSnapshot());
    // How often the random changes reach the entries that hang off others (jqwik's report).
    Statistics.label("subscriptions").collect(original.toSnapshot().getSubscriptionsCount() > 0);
    Statistics.label("webhooks").collect(original.toSnapshot().getWebhooksCount() > 0);
    Statistics.label("charges").collect(original.toSnapshot().getChargesCount() > 0);
    assertSameCatalog(original, restored);

    for (int i = 0; i < after.size(); i++) {
      CatalogChange change = change(after.get(i), before.size() + i);
      Optional<Rejection> verdict = original.check(change);
      assertEquals(verdict, restored.check(change), "the verdicts on " + change);
      if (verdict.isEmpty()) {
        original.apply(change);
        restored.apply(change);
      }
    }
    assertSameCatalog(original, restored);
  }

  @Property(tries = 100)
  void aSnapshotSurvivesItsEncoding(@ForAll("steps") List<Step> steps) throws Exception {
    Catalog original = new Catalog(LIMITS);
    applyChecked(original, steps, 0);
    Catalog restored = new Catalog();
    restored.restore(CatalogSnapshot.parseFrom(original.toSnapshot().toByteArray()));
    assertSameCatalog(original, restored);
  }

  private static void applyChecked(Catalog catalog, List<Step> steps, int from) {
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      CatalogChange change = change(step, from + i);
      if (catalog.check(change).isEmpty()) {
        catalog.apply(change);
      }
    }
  }

  /** Compares through the catalog's own readers, not only through snapshots, so a field both sides lose still shows. */
  private static void assertSameCatalog(Catalog expected, Catalog actual) {
    assertEquals(expected.version(), actual.version());
    assertEquals(expected.toSnapshot(), actual.toSnapshot());
    assertEquals(byKey(expected.accounts().stream().map(a -> Map.entry(a.id(), a.toString())).toList()),
        byKey(actual.accounts().stream().map(a -> Map.entry(a.id(), a.toString())).toList()));
    assertEquals(keys(expected), keys(actual));
    assertEquals(byKey(expected.domains().stream().map(d -> Map.entry(d.name(), d.toString())).toList()),
        byKey(actual.domains().stream().map(d -> Map.entry(d.name(), d.toString())).toList()));
    assertEquals(byKey(expected.topics().stream().map(t -> Map.entry(t.name(), t.toString())).toList()),
        byKey(actual.topics().stream().map(t -> Map.entry(t.name(), t.toString())).toList()));
    assertEquals(byKey(expected.products().stream().map(p -> Map.entry(p.id(), p.toString())).toList()),
        byKey(actual.products().stream().map(p -> Map.entry(p.id(), p.toString())).toList()));
    assertEquals(byKey(expected.plans().stream().map(p -> Map.entry(p.id(), p.toString())).toList()),
        byKey(actual.plans().stream().map(p -> Map.entry(p.id(), p.toString())).toList()));
    assertEquals(byKey(expected.subscriptions().stream().map(s -> Map.entry(s.id(), s.toString())).toList()),
        byKey(actual.subscriptions().stream().map(s -> Map.entry(s.id(), s.toString())).toList()));
    assertEquals(webhooks(expected), webhooks(actual));
    for (int account = 0; account < 2; account++) {
      String id = account(account);
      assertEquals(expected.subscriptionsOf(id), actual.subscriptionsOf(id), "subscriptions of " + id);
      assertEquals(expected.topicsOwnedBy(id), actual.topicsOwnedBy(id), "topics of " + id);
      for (int product = 0; product < 2; product++) {
        assertEquals(expected.subscribes(id, product(product)), actual.subscribes(id, product(product)));
      }
    }
    assertEquals(expected.subscribingAccounts(), actual.subscribingAccounts());
  }

  private static Map<String, String> byKey(List<Map.Entry<String, String>> entries) {
    Map<String, String> sorted = new TreeMap<>();
    entries.forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
    return sorted;
  }

  private static Map<String, String> keys(Catalog catalog) {
    return byKey(catalog.keys().stream().map(key -> Map.entry(key.id(), String.join(" ", key.accountId(),
        new java.util.TreeSet<>(key.scopes()).toString(), key.resources().toString(), Arrays.toString(key.secretSha256()),
        key.createdAt().toString(), key.expiresAt().toString()))).toList());
  }

  private static Map<String, String> webhooks(Catalog catalog) {
    return byKey(catalog.webhooks().stream().map(webhook -> Map.entry(webhook.subscription(), String.join(" ",
        webhook.url(), String.valueOf(webhook.batchSize()), String.valueOf(webhook.concurrency()),
        webhook.deadLetters().toString(), webhook.secrets().stream().map(secret -> Arrays.toString(secret.ciphertext()) + secret.expiresAt()).toList().toString(),
        webhook.disabled().toString(), webhook.changedAt().toString()))).toList());
  }

  private static String account(int n) {
    return "acc_" + (n % 2);
  }

  private static String domain(int n) {
    return "d" + (char) ('a' + n % 2);
  }

  private static String topic(int n, int m) {
    return domain(n) + ".t" + (m % 2);
  }

  private static String product(int n) {
    return "prod_" + (n % 2);
  }

  private static String plan(int n) {
    return "plan_" + (n % 3);
  }

  private static String subscription(int n) {
    return "sub_" + (n % 4);
  }

  /** The change a step makes at its place {@code index} in the journal, a second after the one before. */
  private static CatalogChange change(Step step, int index) {
    long at = 1_700_000_000_000L + index * 1_000L;
    int a = step.a();
    int b = step.b();
    int c = step.c();
    CatalogChange.Builder change = CatalogChange.newBuilder().setAtMillis(at).setActor(account(a));
    switch (step.kind()) {
      case 0 -> change.setAccountCreated(AccountCreated.newBuilder().setId(account(a)).setName("Account " + a));
      case 1 -> change.setApiKeyCreated(ApiKeyCreated.newBuilder().setId("key_" + b % 4).setAccountId(account(a))
          .addScopes(c % 2 == 0 ? "admin" : "publish").addAllResources(c % 3 == 0 ? List.of(domain(b) + ".*") : List.of())
          .setSecretSha256(ByteString.copyFrom(new byte[] {(byte) a, (byte) b, (byte) c}))
          .setExpiresAtMillis(c % 2 == 0 ? 0 : at + c * 60_000L));
      case 2 -> change.setApiKeyExpirySet(ApiKeyExpirySet.newBuilder().setId("key_" + b % 4).setExpiresAtMillis(at + c * 1_000L));
      case 3 -> change.setApiKeyDeleted(ApiKeyDeleted.newBuilder().setId("key_" + b % 4));
      case 4 -> change.setDomainCreated(DomainCreated.newBuilder().setName(domain(b)).setOwner(account(a)));
      case 5 -> change.setTopicCreated(TopicCreated.newBuilder().setName(topic(b, c)).setDomain(domain(b))
          .setPartitions(1 + c % 3).setSchemaJson(c % 2 == 0 ? "" : "{\"type\":\"object\"}")
          .setRetentionMillis(c % 4 == 0 ? -1 : c * 1_000L));
      case 6 -> change.setTopicSchemaAdded(TopicSchemaAdded.newBuilder().setTopic(topic(b, c))
          .setSchemaJson("{\"type\":\"object\",\"title\":\"v" + a + "\"}").setCompatibility("none"));
      case 7 -> change.setTopicRetentionSet(TopicRetentionSet.newBuilder().setTopic(topic(b, c)).setRetentionMillis(a * 1_000L)
          .setRetentionBytes(c % 2 == 0 ? -1 : c * 1_024L));
      case 8 -> change.setProductCreated(ProductCreated.newBuilder().setId(product(b)).setName("Product " + b)
          .setOwner(account(a)).addTopics(topic(a, c)).setDescription(c % 2 == 0 ? "" : "about " + b)
          .setVisibility(c % 3 == 0 ? ProductVisibility.PRODUCT_VISIBILITY_PRIVATE : ProductVisibility.PRODUCT_VISIBILITY_PUBLIC));
      case 9 -> change.setPlanCreated(PlanCreated.newBuilder().setId(plan(b)).setProductId(product(a)).setName("Plan " + b)
          .setTerms(PlanTerms.newBuilder().setCurrency("EUR").setTrialDays(c % 2 == 0 ? 0 : 7).setRecurringFee(c + ".50")));
      case 10 -> change.setPlanDeleted(PlanDeleted.newBuilder().setId(plan(b)));
      case 11 -> {
        SubscriptionCreated.Builder created = SubscriptionCreated.newBuilder().setId(subscription(b)).setAccount(account(a))
            .setProduct(product(c)).setPlan(plan(c)).setDeliveryType(c % 2 == 0 ? "webhook" : "websocket")
            .setFilterJson(c % 3 == 0 ? "{\"type\":\"order\"}" : "");
        if (c % 4 == 1) {
          created.addStart(PartitionCursor.newBuilder().setTopic(topic(a, c)).setPartition(0).setSequence(b).setIndex(c)
              .setOffset(a * 10L));
        }
        if (c % 2 == 0) {
          WebhookEndpointSet.Builder webhook = WebhookEndpointSet.newBuilder().setUrl("https://hooks.example/" + b)
              .setBatchSize(10).setConcurrency(1 + a % 4).setSecretCiphertext(ByteString.copyFrom(new byte[] {(byte) b, 7}));
          if (a % 3 == 1) {
            webhook.setDeadLetters(WebhookDeadLetterPolicy.newBuilder().setEnabled(true).setAfterAttempts(a));
          }
          created.setWebhook(webhook);
        }
        change.setSubscriptionCreated(created);
      }
      case 12 -> change.setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder().setSubscription(subscription(b))
          .setPlan(plan(c)));
      case 13 -> change.setSubscriptionCancelled(SubscriptionCancelled.newBuilder().setSubscription(subscription(b))
          .setAt(c % 2 == 0 ? "now" : "period_end").setEndsAtMillis(at + (c % 2 == 0 ? 0 : c * 5_000L)));
      case 14 -> change.setSubscriptionPaused(SubscriptionPaused.newBuilder().setSubscription(subscription(b)));
      case 15 -> change.setSubscriptionResumed(SubscriptionResumed.newBuilder().setSubscription(subscription(b)));
      case 16 -> {
        WebhookEndpointSet.Builder set = WebhookEndpointSet.newBuilder().setSubscription(subscription(b))
            .setUrl("https://other.example/" + c).setBatchSize(1 + c).setConcurrency(1)
            .setSecretCiphertext(c % 2 == 0 ? ByteString.EMPTY : ByteString.copyFrom(new byte[] {(byte) c}));
        if (c % 3 == 1) {
          set.setDeadLetters(WebhookDeadLetterPolicy.newBuilder().setAfterMillis(60_000L * (1 + a)));
        } else if (c % 3 == 2) {
          set.setDeadLetters(WebhookDeadLetterPolicy.newBuilder().setEnabled(false).setAfterAttempts(0));
        }
        change.setWebhookEndpointSet(set);
      }
      case 18 -> {
        ProductUpdated.Builder update = ProductUpdated.newBuilder().setId(product(b));
        if (c % 2 == 0) {
          update.setDescription("now about " + c);
        }
        if (c % 3 == 0) {
          update.setName("Product " + b + " v" + c);
        }
        if (c % 4 == 1) {
          update.setVisibility(ProductVisibility.PRODUCT_VISIBILITY_PRIVATE);
        }
        if (c % 5 == 2) {
          update.setTopics(ProductTopics.newBuilder().addNames(topic(a, c)));
        }
        change.setProductUpdated(update);
      }
      case 19 -> change.setProductRetired(ProductRetired.newBuilder().setId(product(b)));
      case 20 -> change.setPlanRenamed(PlanRenamed.newBuilder().setId(plan(b)).setName("Plan " + b + " renamed " + c));
      case 21 -> change.setPlanRetired(PlanRetired.newBuilder().setId(plan(b)));
      case 22 -> change.setTopicRetired(TopicRetired.newBuilder().setTopic(topic(b, c)));
      default -> {
        if (c % 2 == 0) {
          change.setWebhookSecretRotated(WebhookSecretRotated.newBuilder().setSubscription(subscription(b))
              .setSecretCiphertext(ByteString.copyFrom(new byte[] {(byte) a, (byte) c})).setPreviousExpireAtMillis(at + a * 1_000L));
        } else {
          change.setWebhookEndpointDisabled(WebhookEndpointDisabled.newBuilder().setSubscription(subscription(b))
              .setReason("gone").setMessage("410 from the endpoint"));
        }
      }
    }
    return change.build();
  }

  @Example
  void theStepsReachEveryKindOfEntry() {
    Catalog catalog = new Catalog(LIMITS);
    List<Step> steps = new ArrayList<>();
    int[][] script = {{0, 0, 0, 0}, {4, 0, 0, 0}, {5, 0, 0, 1}, {8, 0, 0, 1}, {9, 0, 0, 1}, {11, 0, 0, 0}, {1, 0, 1, 1},
        {14, 0, 0, 0}, {17, 0, 0, 0}, {12, 0, 0, 0}};
    for (int[] step : script) {
      steps.add(new Step(step[0], step[1], step[2], step[3]));
    }
    applyChecked(catalog, steps, 0);
    CatalogSnapshot snapshot = catalog.toSnapshot();
    assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1), List.of(snapshot.getAccountsCount(), snapshot.getDomainsCount(),
        snapshot.getTopicsCount(), snapshot.getProductsCount(), snapshot.getPlansCount(), snapshot.getSubscriptionsCount(),
        snapshot.getKeysCount(), snapshot.getWebhooksCount()), "entries reached: " + snapshot);
  }
}
