package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.TopicCreated;
import io.tollgate.protocols.v1.journal.TopicRetentionSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The catalog's rules for a topic's retention: set at creation, replaced whole later, bounds checked. */
class TopicRetentionTest {
  private final Catalog catalog = new Catalog();

  private void apply(CatalogChange.Builder change) {
    assertEquals(Optional.empty(), catalog.check(change.build()));
    catalog.apply(change.build());
  }

  private void createTopic(long millis, long bytes) {
    apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId("acc_a").setName("a")));
    apply(CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName("shop").setOwner("acc_a")));
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName("shop.orders").setDomain("shop")
        .setPartitions(1).setRetentionMillis(millis).setRetentionBytes(bytes)));
  }

  private static CatalogChange.Builder set(String topic, long millis, long bytes) {
    return CatalogChange.newBuilder().setTopicRetentionSet(TopicRetentionSet.newBuilder().setTopic(topic)
        .setRetentionMillis(millis).setRetentionBytes(bytes));
  }

  @Test
  void aTopicKeepsTheRetentionItWasCreatedWithUntilItIsReplacedWhole() {
    createTopic(3_600_000, -1);
    Catalog.Topic created = catalog.topic("shop.orders").orElseThrow();
    assertEquals(3_600_000, created.retentionMillis());
    assertEquals(-1, created.retentionBytes());
    apply(set("shop.orders", 0, 5000));
    Catalog.Topic changed = catalog.topic("shop.orders").orElseThrow();
    assertEquals(0, changed.retentionMillis(), "a bound left out goes back to the node's default");
    assertEquals(5000, changed.retentionBytes());
    assertEquals(created.createdAt(), changed.createdAt());
  }

  @Test
  void aRetentionOfAnUnknownTopicOrBelowMinusOneIsRefused() {
    createTopic(0, 0);
    assertEquals("topic_not_found", catalog.check(set("shop.nothing", 0, 0).build()).orElseThrow().code());
    assertEquals("invalid_request", catalog.check(set("shop.orders", -2, 0).build()).orElseThrow().code());
    assertEquals("invalid_request", catalog.check(set("shop.orders", 0, -7).build()).orElseThrow().code());
  }
}
