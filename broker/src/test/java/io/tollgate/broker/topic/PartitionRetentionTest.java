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
import java.util.concurrent.atomic.AtomicLong;
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
  /**
   * Segments close at 1 KiB; partitions look every 50 ms; a reader is waited for up to a day. An
   * append waits up to 10 s, so that a loaded machine's slow write is not taken for an overload.
   */
  private static final TopicPartition.Settings SETTINGS = settings(Duration.ofDays(1));
  /** A reader is waited for 300 ms at most. */
  private static final TopicPartition.Settings IMPATIENT = settings(Duration.ofMillis(300));
  private static final CurrentEventsByPersistenceIdQuery journalQuery = PersistenceQuery.get(testKit.system())
      .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, PersistenceTestKitReadJournal.Identifier());
  private static final ActorRef<Topic.Command<PartitionAdvanced>> announcements =
      testKit.spawn(Topic.create(PartitionAdvanced.class, "partition-advanced"));
  private static int spawned;

  private static TopicPartition.Settings settings(Duration maxReaderWait) {
    return new TopicPartition.Settings(DEDUP, 10_000, 1_000_000, 1L << 30, 64 * 1024, Duration.ofSeconds(10),
        new TopicPartition.RetentionSettings(Retention.FOREVER, new RetentionSegments.Shape(1024, Duration.ofHours(1)),
            Duration.ofMillis(50), maxReaderWait));
  }

  /** One reader at {@code floor}; what retention deleted unread is added to {@code unread}. */
  private record Reader(AtomicLong floor, AtomicLong unread) implements PartitionReaders {
    Reader() {
      this(new AtomicLong(), new AtomicLong());
    }

    @Override
    public OptionalLong floorOf(String persistenceId) {
      return OptionalLong.of(floor.get());
    }

    @Override
    public void deletedUnread(String persistenceId, long from, long through) {
      unread.addAndGet(through - from + 1);
    }
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ActorRef<TopicPartition.Command> partition(PartitionRef ref, AtomicReference<Retention> retention) {
    return partition(ref, retention, SETTINGS, PartitionReaders.NONE);
  }

  private static ActorRef<TopicPartition.Command> partition(PartitionRef ref, AtomicReference<Retention> retention,
                                                           TopicPartition.Settings settings, PartitionReaders readers) {
    return testKit.spawn(TopicPartition.create(ref, settings, Clock.systemUTC(), advanced -> announcements.tell(Topic.publish(advanced)),
        topic -> retention.get(), readers, journalQuery, new DedupWindows(Clock.systemUTC())), "p" + spawned++);
  }

  /** The sequence number of the oldest entry still stored. */
  private static long firstStoredSequence(PartitionRef ref) {
    return journal.persistedInStorage(ref.persistenceId()).isEmpty() ? 0
        : journalQuery.currentEventsByPersistenceId(ref.persistenceId(), 0, Long.MAX_VALUE).take(1)
            .runWith(org.apache.pekko.stream.javadsl.Sink.head(), testKit.system()).toCompletableFuture().join()
            .sequenceNr();
  }

  /** Appends {@code count} events of about 100 bytes, each as its own journal entry; returns the last offset. */
  private static long publish(ActorRef<TopicPartition.Command> partition, String prefix, int count) {
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    long last = -1;
    for (int i = 0; i < count; i++) {
      partition.tell(new TopicPartition.Append(List.of(CloudEvent.newBuilder().setSpecVersion("1.0").setSource("/test")
          .setId(prefix + i).setType("t").setTextData("x".repeat(80)).build()), replies.getRef()));
      TopicPartition.AppendResult result = replies.receiveMessage();
      last = assertInstanceOf(TopicPartition.Appended.class, result, result::toString).positions().get(0).offset();
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

  @Test
  void retentionDeletesNothingAReaderHasNotReadAndGoesOnAsItReads() {
    PartitionRef ref = new PartitionRef("retention.reader", 0);
    AtomicReference<Retention> retention = new AtomicReference<>(new Retention(Optional.empty(), OptionalLong.of(1)));
    Reader billing = new Reader();
    ActorRef<TopicPartition.Command> partition = partition(ref, retention, SETTINGS, billing);
    publish(partition, "e", 100);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> stored(ref).size() == 100);

    billing.floor().set(40);
    await().atMost(Duration.ofSeconds(10)).until(() -> firstStoredSequence(ref) > 1);
    assertTrue(firstStoredSequence(ref) <= 41, "nothing past the reader goes: " + firstStoredSequence(ref));

    billing.floor().set(100);
    await().atMost(Duration.ofSeconds(10)).until(() -> firstStoredSequence(ref) > 41);
    assertEquals(0, billing.unread().get(), "the reader lost nothing");
  }

  @Test
  void aStuckReaderIsWaitedForUntilMaxReaderWaitThenWhatItLosesIsCounted() {
    PartitionRef ref = new PartitionRef("retention.stuck", 0);
    AtomicReference<Retention> retention = new AtomicReference<>(new Retention(Optional.empty(), OptionalLong.of(1)));
    Reader stuck = new Reader();
    ActorRef<TopicPartition.Command> partition = partition(ref, retention, IMPATIENT, stuck);
    publish(partition, "e", 60);
    // Every entry deleted is one the reader (at 0) had not read, and each is counted once.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> stuck.unread().get() > 0 && stuck.unread().get() == firstStoredSequence(ref) - 1);
  }
}
