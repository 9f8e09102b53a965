package io.tollgate.broker.invoicing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The child that reads an account's journals: past the position, in order, summed, each sum handed to the billing. */
class JournalFollowerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final Instant NOVEMBER_10 = Instant.parse("2026-11-10T00:00:00Z");

  private final AccountBillingTest.FakeJournal journal = new AccountBillingTest.FakeJournal();
  private final CatalogView view = new CatalogView();
  private final TestProbe<AccountBilling.Command> billing = testKit.createTestProbe();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private ActorRef<JournalFollower.Command> follower() {
    return testKit.spawn(JournalFollower.create(billing.ref(), view, journal, PeriodScheme.parse("monthly"), Duration.ofSeconds(3)));
  }

  private void subscription(String id) {
    view.catalog().apply(CatalogChange.newBuilder().setAtMillis(NOVEMBER_10.toEpochMilli()).setActor("acc_c")
        .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId(id).setAccount("acc_c").setProduct("prod_x")
            .setPlan("plan_a").setDeliveryType("websocket")).build());
  }

  private void usage(String subscription, long units) {
    journal.append(SubscriptionEntity.persistenceId(subscription), CursorsAdvanced.newBuilder().setPeriod("2026-11")
        .setUnits(units).setAtMillis(NOVEMBER_10.plusSeconds(60).toEpochMilli()).build());
  }

  @Test
  void theRecordsPastThePositionGoToTheBillingAsOneSumThenTheReaderIsAnswered() {
    subscription("sub_1");
    usage("sub_1", 5);
    usage("sub_1", 6);
    usage("sub_1", 7);
    TestProbe<Done> read = testKit.createTestProbe();
    follower().tell(new JournalFollower.Read(List.of("sub_1"), Map.of("sub_1", 1L), read.ref(),
        testKit.<JournalFollower.ReadFailed>createTestProbe().ref()));
    AccountBilling.RecordUsage record = billing.expectMessageClass(AccountBilling.RecordUsage.class);
    assertEquals(3, record.usage().getSequence(), "the sum moves the position past its last entry");
    assertEquals(13, record.usage().getUnits(), "entries 2 and 3, not entry 1 before the position");
    assertEquals("plan_a", record.usage().getPlan());
    record.replyTo().tell(Done.getInstance());
    read.expectMessage(Done.getInstance());
    billing.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aPartitionsEntriesOfOnePeriodGoToTheBillingAsOneSum() {
    String partition = new PartitionRef("shop.orders", 0).persistenceId();
    for (int count : List.of(2, 3, 4)) {
      EventsAppended.Builder appended = EventsAppended.newBuilder().setAppendedAtMillis(NOVEMBER_10.toEpochMilli());
      for (int i = 0; i < count; i++) {
        appended.addEvents(CloudEvent.newBuilder().setId("e" + i));
      }
      journal.append(partition, appended.build());
    }
    TestProbe<Done> read = testKit.createTestProbe();
    follower().tell(new JournalFollower.Read(List.of(partition), Map.of(), read.ref(),
        testKit.<JournalFollower.ReadFailed>createTestProbe().ref()));
    AccountBilling.RecordPublished record = billing.expectMessageClass(AccountBilling.RecordPublished.class);
    assertEquals(3, record.published().getSequence());
    assertEquals(9, record.published().getEvents());
    assertEquals("2026-11", record.published().getPeriod());
    record.replyTo().tell(Done.getInstance());
    read.expectMessage(Done.getInstance());
    billing.expectNoMessage(Duration.ofMillis(200));
  }

  private static final String PARTITION = new PartitionRef("shop.orders", 0).persistenceId();

  /** Appends an entry of {@code events} events to the partition's journal and returns its announcement. */
  private PartitionAdvanced written(int events) {
    EventsAppended.Builder appended = EventsAppended.newBuilder().setAppendedAtMillis(NOVEMBER_10.toEpochMilli());
    long bytes = 0;
    for (int i = 0; i < events; i++) {
      CloudEvent event = CloudEvent.newBuilder().setId("e" + i).build();
      appended.addEvents(event);
      bytes += event.getSerializedSize();
    }
    journal.append(PARTITION, appended.build());
    return PartitionAdvanced.newBuilder().setPersistenceId(PARTITION)
        .setSequenceNr(journal.events.get(PARTITION).size()).setEvents(events).setBytes(bytes)
        .setAppendedAtMillis(NOVEMBER_10.toEpochMilli()).build();
  }

  private AccountBilling.RecordPublished recorded() {
    AccountBilling.RecordPublished record = billing.expectMessageClass(AccountBilling.RecordPublished.class);
    record.replyTo().tell(Done.getInstance());
    return record;
  }

  @Test
  void announcedWritesThatFollowOnFromThePositionAreMeteredFromTheirSummariesWithoutAJournalRead() {
    written(2);
    PartitionAdvanced second = written(3);
    PartitionAdvanced third = written(4);
    follower().tell(new JournalFollower.Written(List.of(second, third), Map.of(PARTITION, 1L)));
    AccountBilling.RecordPublished record = recorded();
    assertEquals(3, record.published().getSequence());
    assertEquals(7, record.published().getEvents(), "entries 2 and 3, after the position");
    assertEquals(second.getBytes() + third.getBytes(), record.published().getBytes());
    assertEquals("2026-11", record.published().getPeriod());
    assertEquals(0, journal.reads.get(), "nothing read back");
    billing.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anAnnouncementAfterAGapReadsTheJournalFromThePosition() {
    written(2);
    written(3);
    PartitionAdvanced third = written(4);
    ActorRef<JournalFollower.Command> follower = follower();
    follower.tell(new JournalFollower.Written(List.of(third), Map.of(PARTITION, 1L)));
    AccountBilling.RecordPublished record = recorded();
    assertEquals(3, record.published().getSequence());
    assertEquals(7, record.published().getEvents(), "entry 2, whose announcement was lost, and entry 3");
    assertEquals(1, journal.reads.get());
    billing.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void writesAnnouncedWhileTheirPartitionIsReadAreMeteredOnceAfterTheRead() {
    PartitionAdvanced first = written(2);
    PartitionAdvanced second = written(3);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    journal.gate = gate;
    ActorRef<JournalFollower.Command> follower = follower();
    TestProbe<Done> read = testKit.createTestProbe();
    follower.tell(new JournalFollower.Read(List.of(PARTITION), Map.of(PARTITION, 0L), read.ref(),
        testKit.<JournalFollower.ReadFailed>createTestProbe().ref()));
    await().atMost(Duration.ofSeconds(3)).until(() -> journal.reads.get() == 1);
    PartitionAdvanced third = written(4);
    follower.tell(new JournalFollower.Written(List.of(first, second, third), Map.of(PARTITION, 0L)));
    billing.expectNoMessage(Duration.ofMillis(200));
    PartitionAdvanced fourth = written(5);
    follower.tell(new JournalFollower.Written(List.of(fourth), Map.of(PARTITION, 0L)));
    journal.gate = CompletableFuture.completedFuture(null);
    gate.complete(null);

    AccountBilling.RecordPublished byRead = recorded();
    read.expectMessage(Done.getInstance());
    assertEquals(2, byRead.published().getSequence(), "the read took what the journal held when it began");
    assertEquals(2 + 3, byRead.published().getEvents());
    AccountBilling.RecordPublished announced = recorded();
    assertEquals(4, announced.published().getSequence());
    assertEquals(4 + 5, announced.published().getEvents(), "from where the read ended: each entry metered once");
    assertEquals(1, journal.reads.get(), "the announcements after the read were not read back");
    billing.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void atMostSixteenJournalsAreReadAtOnceAndTheRestInTurn() {
    int journals = JournalFollower.MAX_READS_AT_ONCE + 4;
    List<String> subscriptions = new ArrayList<>();
    for (int i = 0; i < journals; i++) {
      subscription("sub_" + i);
      usage("sub_" + i, 1);
      subscriptions.add("sub_" + i);
    }
    CompletableFuture<Void> gate = new CompletableFuture<>();
    journal.gate = gate;
    TestProbe<Done> read = testKit.createTestProbe();
    follower().tell(new JournalFollower.Read(subscriptions, Map.of(), read.ref(),
        testKit.<JournalFollower.ReadFailed>createTestProbe().ref()));
    await().atMost(Duration.ofSeconds(3)).until(() -> journal.reads.get() == JournalFollower.MAX_READS_AT_ONCE);
    billing.expectNoMessage(Duration.ofMillis(200));
    assertEquals(JournalFollower.MAX_READS_AT_ONCE, journal.reads.get(), "the rest wait for room");
    journal.gate = CompletableFuture.completedFuture(null);
    gate.complete(null);
    for (int i = 0; i < journals; i++) {
      billing.expectMessageClass(AccountBilling.RecordUsage.class).replyTo().tell(Done.getInstance());
    }
    read.expectMessage(Done.getInstance());
    assertEquals(journals, journal.reads.get());
  }

  @Test
  void aReadThatFailsAnswersWhenFailedAndTheNextReadStartsAgain() {
    usage("sub_unknown", 5);
    TestProbe<JournalFollower.ReadFailed> failed = testKit.createTestProbe();
    ActorRef<JournalFollower.Command> follower = follower();
    follower.tell(new JournalFollower.Read(List.of("sub_unknown"), Map.of(), testKit.<Done>createTestProbe().ref(), failed.ref()));
    failed.expectMessageClass(JournalFollower.ReadFailed.class);

    subscription("sub_unknown");
    TestProbe<Done> read = testKit.createTestProbe();
    follower.tell(new JournalFollower.Read(List.of("sub_unknown"), Map.of(), read.ref(), failed.ref()));
    billing.expectMessageClass(AccountBilling.RecordUsage.class).replyTo().tell(Done.getInstance());
    read.expectMessage(Done.getInstance());
  }
}
