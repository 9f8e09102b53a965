package io.tollgate.broker.topic;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The partition entity deletes what its topic's retention no longer keeps, and recovers without it. */
class PartitionRetentionTest {
  private static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final DedupWindow.Settings DEDUP = new DedupWindow.Settings(Duration.ofMinutes(10), 64L << 20);
  /** Segments close at 1 KiB; partitions look every 50 ms. */
  private static final TopicPartition.Settings SETTINGS = new TopicPartition.Settings(DEDUP, 10_000, 1_000_000,
      1L << 30, 64 * 1024, Duration.ofSeconds(1), new TopicPartition.RetentionSettings(Retention.FOREVER,
          new RetentionSegments.Shape(1024, Duration.ofHours(1)), Duration.ofMillis(50)));
  private static final CurrentEventsByPersistenceIdQuery journalQuery = PersistenceQuery.get(testKit.system())
      .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, PersistenceTestKitReadJournal.Identifier());
  private static final ActorRef<Topic.Command<PartitionAdvanced>> announcements =
      testKit.spawn(Topic.create(PartitionAdvanced.class, "partition-advanced"));
  private static int spawned;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ActorRef<TopicPartition.Command> partition(PartitionRef ref, AtomicReference<Retention> retention) {
    return testKit.spawn(TopicPartition.create(ref, SETTINGS, Clock.systemUTC(), announcements,
        topic -> retention.get(), journalQuery, new DedupWindows(Clock.systemUTC())), "p" + spawned++);
  }

  /** Appends {@code count} events of about 100 bytes, each as its own journal entry; returns the last offset. */
  private static long publish(ActorRef<TopicPartition.Command> partition, String prefix, int count) {
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    long last = -1;
    for (int i = 0; i < count; i++) {
      partition.tell(new TopicPartition.Append(List.of(CloudEvent.newBuilder().setSpecVersion("1.0").setSource("/test")
          .setId(prefix + i).setType("t").setTextData("x".repeat(80)).build()), replies.getRef()));
      last = assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage()).positions().get(0).offset();
    }
    return last;
  }

  private static List<EventsAppended> stored(PartitionRef ref) {
    return journal.persistedInStorage(ref.persistenceId()).stream().map(EventsAppended.class::cast).toList();
  }

  private static long storedBytes(PartitionRef ref) {
    return stored(ref).stream().flatMap(entry -> entry.getEventsList().stream())
        .mapToLong(CloudEvent::getSerializedSize).sum();
  }

  @Test
  void aPartitionOverItsBytesDeletesItsOldestSegmentsDownToTheBound() {
    PartitionRef ref = new PartitionRef("retention.bytes", 0);
    AtomicReference<Retention> retention = new AtomicReference<>(Retention.FOREVER);
    ActorRef<TopicPartition.Command> partition = partition(ref, retention);
    publish(partition, "e", 100);
    assertEquals(100, stored(ref).size(), "nothing is deleted while the topic keeps everything");

    retention.set(new Retention(Optional.empty(), OptionalLong.of(3000)));
    await().atMost(Duration.ofSeconds(10)).until(() -> storedBytes(ref) <= 3000 + 1024);
    assertTrue(stored(ref).get(0).getFirstOffset() > 0);
    assertEquals(99, stored(ref).get(stored(ref).size() - 1).getFirstOffset(), "the newest entries stay");
  }

  @Test
  void aPartitionDeletesEntriesOlderThanItsTime() {
    PartitionRef ref = new PartitionRef("retention.time", 0);
    AtomicReference<Retention> retention = new AtomicReference<>(Retention.FOREVER);
    ActorRef<TopicPartition.Command> partition = partition(ref, retention);
    publish(partition, "e", 40);
    retention.set(new Retention(Optional.of(Duration.ofMillis(1)), OptionalLong.empty()));
    // Only closed segments go: all but the one still growing.
    await().atMost(Duration.ofSeconds(10)).until(() -> storedBytes(ref) <= 1024 + 200);
  }

  @Test
  void aPartitionRestartedAfterADeleteGoesOnFromItsLastOffset() {
    PartitionRef ref = new PartitionRef("retention.restart", 0);
    AtomicReference<Retention> retention = new AtomicReference<>(new Retention(Optional.empty(), OptionalLong.of(1)));
    ActorRef<TopicPartition.Command> partition = partition(ref, retention);
    long last = publish(partition, "e", 50);
    await().atMost(Duration.ofSeconds(10)).until(() -> stored(ref).get(0).getFirstOffset() > 30);
    testKit.stop(partition);

    ActorRef<TopicPartition.Command> restarted = partition(ref, retention);
    assertEquals(last + 1, publish(restarted, "after", 1));
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    restarted.tell(new TopicPartition.Append(List.of(CloudEvent.newBuilder().setSpecVersion("1.0").setSource("/test")
        .setId("e49").setType("t").build()), replies.getRef()));
    assertTrue(assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage()).positions().get(0).duplicate(),
        "the deduplication window survives the delete");
  }
}
