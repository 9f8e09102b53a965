package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.MutableClock;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The partition entity answers a retry as it did before it restarted (or moved to another node,
 * which is the same recovery): snapshots no longer carry the deduplication window, so the
 * entity reads it back from the journal before it writes.
 */
class PartitionDedupRecoveryTest {
  private static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final Duration WINDOW = Duration.ofMinutes(10);
  /**
   * A snapshot every 3 entries: the retried event's entry is behind the snapshot recovery starts
   * from. An append waits up to 10 s, so that a loaded machine's slow write (or the read of the
   * window before it) is not taken for an overload.
   */
  private static final TopicPartition.Settings SETTINGS = new TopicPartition.Settings(
      new DedupWindow.Settings(WINDOW, 64L << 20), 3, 1_000_000, 1L << 30, 64 * 1024, Duration.ofSeconds(10),
      new TopicPartition.RetentionSettings(Retention.FOREVER,
          new RetentionSegments.Shape(1 << 20, Duration.ofHours(1)), Duration.ofMinutes(1), Duration.ofDays(7)));
  private static final CurrentEventsByPersistenceIdQuery journalQuery = PersistenceQuery.get(testKit.system())
      .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, PersistenceTestKitReadJournal.Identifier());
  private static final ActorRef<Topic.Command<PartitionAdvanced>> announcements =
      testKit.spawn(Topic.create(PartitionAdvanced.class, "partition-advanced"));
  private static int spawned;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ActorRef<TopicPartition.Command> partition(PartitionRef ref, MutableClock clock, DedupWindows windows) {
    return testKit.spawn(TopicPartition.create(ref, SETTINGS, clock, advanced -> announcements.tell(Topic.publish(advanced)),
        topic -> Retention.FOREVER, PartitionReaders.NONE, journalQuery, windows), "p" + spawned++);
  }

  private static TopicPartition.Appended append(ActorRef<TopicPartition.Command> partition, String id) {
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    partition.tell(new TopicPartition.Append(List.of(CloudEvent.newBuilder().setSpecVersion("1.0")
        .setSource("/producer").setId(id).setType("t").build()), replies.getRef()));
    return assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
  }

  /** Stores the event "first", then nine more, each its own entry; the restart recovers from the snapshot at entry 9. */
  private static StoredPosition firstOfTen(ActorRef<TopicPartition.Command> partition) {
    StoredPosition first = append(partition, "first").positions().get(0);
    for (int i = 0; i < 9; i++) {
      append(partition, "later" + i);
    }
    return first;
  }

  @Test
  void aRetryAfterARestartWithinTheWindowIsAnsweredAsADuplicateAtTheFirstCopysOffset() {
    PartitionRef ref = new PartitionRef("dedup.restart", 0);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
    DedupWindows windows = new DedupWindows(clock);
    ActorRef<TopicPartition.Command> partition = partition(ref, clock, windows);
    StoredPosition first = firstOfTen(partition);
    testKit.stop(partition);

    clock.advance(WINDOW.minusSeconds(1));
    ActorRef<TopicPartition.Command> restarted = partition(ref, clock, windows);
    assertEquals(List.of(first.asDuplicate()), append(restarted, "first").positions());
    assertEquals(10, journal.persistedInStorage(ref.persistenceId()).size(), "the retry was not stored");
    assertEquals(List.of(new DedupWindows.Reach(ref, WINDOW.toSeconds())), windows.shortest(10),
        "the window reaches its whole span back");
  }

  @Test
  void aRetryAfterARestartOnceTheWindowHasPassedIsStoredAgain() {
    PartitionRef ref = new PartitionRef("dedup.restart.late", 0);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
    DedupWindows windows = new DedupWindows(clock);
    ActorRef<TopicPartition.Command> partition = partition(ref, clock, windows);
    firstOfTen(partition);
    testKit.stop(partition);
    assertEquals(List.of(), windows.shortest(10), "a stopped partition is no longer reported");

    clock.advance(WINDOW.plusMillis(1));
    ActorRef<TopicPartition.Command> restarted = partition(ref, clock, windows);
    StoredPosition again = append(restarted, "first").positions().get(0);
    assertFalse(again.duplicate());
    assertEquals(10, again.offset());
    assertEquals(11, journal.persistedInStorage(ref.persistenceId()).size());
  }
}
