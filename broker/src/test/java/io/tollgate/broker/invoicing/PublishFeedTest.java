package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.TopicCreated;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The node's publish metering feed: each owner's partition writes, told once an interval, nothing kept after. */
class PublishFeedTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  private record Told(String account, List<PartitionAdvanced> entries) {}

  private final CatalogView view = new CatalogView();
  private final TestProbe<Told> billing = testKit.createTestProbe();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private void topic(String domain, String owner, String topic) {
    view.catalog().apply(CatalogChange.newBuilder()
        .setDomainCreated(DomainCreated.newBuilder().setName(domain).setOwner(owner)).build());
    view.catalog().apply(CatalogChange.newBuilder()
        .setTopicCreated(TopicCreated.newBuilder().setName(topic).setDomain(domain).setPartitions(2)).build());
  }

  private static PartitionAdvanced wrote(String topic, int partition, long sequence) {
    return PartitionAdvanced.newBuilder().setPersistenceId(new PartitionRef(topic, partition).persistenceId())
        .setSequenceNr(sequence).setEvents(3).setBytes(300).build();
  }

  private ActorRef<PublishFeed.Message> feed(Duration interval) {
    return testKit.spawn(PublishFeed.create(view, interval,
        (account, entries) -> billing.ref().tell(new Told(account, entries))));
  }

  @Test
  void eachOwnersWritesGoToItsBillingInOneMessageAnIntervalAndAreNotSentAgain() {
    topic("shop", "acc_p", "shop.orders");
    topic("bank", "acc_q", "bank.payments");
    ActorRef<PublishFeed.Message> feed = feed(Duration.ofMillis(300));
    feed.tell(new PublishFeed.Wrote(wrote("shop.orders", 0, 1)));
    feed.tell(new PublishFeed.Wrote(wrote("bank.payments", 1, 7)));
    feed.tell(new PublishFeed.Wrote(wrote("shop.orders", 1, 1)));
    feed.tell(new PublishFeed.Wrote(wrote("shop.orders", 0, 2)));
    feed.tell(new PublishFeed.Wrote(wrote("gone.topic", 0, 1)));
    feed.tell(new PublishFeed.Wrote(PartitionAdvanced.newBuilder()
        .setPersistenceId(new PartitionRef("shop.orders", 0).persistenceId()).build()));

    List<Told> told = billing.receiveSeveralMessages(2, Duration.ofSeconds(3));
    Told shop = told.stream().filter(t -> t.account().equals("acc_p")).findFirst().orElseThrow();
    Told bank = told.stream().filter(t -> t.account().equals("acc_q")).findFirst().orElseThrow();
    assertEquals(List.of(wrote("shop.orders", 0, 1), wrote("shop.orders", 1, 1), wrote("shop.orders", 0, 2)),
        shop.entries(), "in the order written; a write that stored nothing (all duplicates) is not metered");
    assertEquals(List.of(wrote("bank.payments", 1, 7)), bank.entries());
    billing.expectNoMessage(Duration.ofMillis(700));
  }

  @Test
  void aFullFeedSendsBeforeItsInterval() {
    topic("shop", "acc_p", "shop.orders");
    ActorRef<PublishFeed.Message> feed = feed(Duration.ofHours(1));
    for (int sequence = 1; sequence <= PublishFeed.MAX_HELD; sequence++) {
      feed.tell(new PublishFeed.Wrote(wrote("shop.orders", 0, sequence)));
    }
    assertEquals(PublishFeed.MAX_HELD, billing.receiveMessage(Duration.ofSeconds(5)).entries().size());
  }
}
