package io.tollgate.broker.topic;

import io.tollgate.broker.position.PartitionRef;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The partition entity with Pekko's persistence testkit: group commit, idempotency, failures. */
class TopicPartitionTest {
  private static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final DedupWindow.Settings DEDUP = new DedupWindow.Settings(Duration.ofMinutes(10), 64L << 20);
  private static final TopicPartition.RetentionSettings RETENTION = new TopicPartition.RetentionSettings(
      Retention.FOREVER, new RetentionSegments.Shape(1 << 20, Duration.ofHours(1)), Duration.ofMinutes(1), Duration.ofDays(7));
  /** An append waits up to 10 s, so that a loaded machine's slow write is not taken for an overload. */
  private static final Duration APPEND_WAIT = Duration.ofSeconds(10);
  /**
   * How long a write's announcement may take on a loaded machine; one that came later still would
   * be taken, by the next attempt, for that attempt's own.
   */
  private static final Duration ANNOUNCED_WITHIN = Duration.ofSeconds(3);
  private static final TopicPartition.Settings SETTINGS = new TopicPartition.Settings(DEDUP, 10_000, 1_000_000, 1L << 30, 64 * 1024, APPEND_WAIT, RETENTION);
  private static final CurrentEventsByPersistenceIdQuery journalQuery = PersistenceQuery.get(testKit.system())
      .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, PersistenceTestKitReadJournal.Identifier());
  private static final ActorRef<Topic.Command<PartitionAdvanced>> announcements =
      testKit.spawn(Topic.create(PartitionAdvanced.class, "partition-advanced"));
  private static int partitions;

  @BeforeEach
  void clearJournal() {
    journal.clearAll();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ActorRef<TopicPartition.Command> partition(PartitionRef ref) {
    return partition(ref, SETTINGS);
  }

  private static ActorRef<TopicPartition.Command> partition(PartitionRef ref, TopicPartition.Settings settings) {
    return testKit.spawn(TopicPartition.create(ref, settings, Clock.systemUTC(), advanced -> announcements.tell(Topic.publish(advanced)),
        topic -> Retention.FOREVER, PartitionReaders.NONE, journalQuery, new DedupWindows(Clock.systemUTC())), "p" + partitions++);
  }

  private static CloudEvent event(String id) {
    return CloudEvent.newBuilder().setSpecVersion("1.0").setSource("/test").setId(id).setType("t").build();
  }

  @Test
  void appendsArrivingDuringAWriteShareTheNextJournalEntry() {
    PartitionRef ref = new PartitionRef("group.commit", 0);
    ActorRef<TopicPartition.Command> partition = partition(ref);
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    for (int i = 0; i < 200; i++) {
      partition.tell(new TopicPartition.Append(List.of(event("e" + i)), replies.getRef()));
    }
    Set<Long> offsets = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      TopicPartition.Appended appended = assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
      offsets.add(appended.positions().get(0).offset());
    }
    assertEquals(200, offsets.size(), "every event has its own offset");
    List<Object> entries = journal.persistedInStorage(ref.persistenceId());
    int stored = entries.stream().mapToInt(entry -> ((EventsAppended) entry).getEventsCount()).sum();
    assertEquals(200, stored);
    assertTrue(entries.size() < 200, "group commit wrote " + entries.size() + " entries for 200 appends");
  }

  @Test
  void aJournalEntryHoldsNoMoreThanMaxEntryBytesUnlessOneAppendIsLarger() {
    PartitionRef ref = new PartitionRef("entry.bytes", 0);
    ActorRef<TopicPartition.Command> partition = partition(ref);
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    String payload = "x".repeat(10 * 1024);
    for (int i = 0; i < 40; i++) {
      partition.tell(new TopicPartition.Append(List.of(event("big" + i).toBuilder()
          .setTextData(payload).build()), replies.getRef()));
    }
    CloudEvent huge = event("huge").toBuilder().setTextData("y".repeat(100 * 1024)).build();
    partition.tell(new TopicPartition.Append(List.of(huge), replies.getRef()));
    for (int i = 0; i < 41; i++) {
      assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
    }
    List<Object> entries = journal.persistedInStorage(ref.persistenceId());
    assertEquals(41, entries.stream().mapToInt(entry -> ((EventsAppended) entry).getEventsCount()).sum());
    for (Object entry : entries) {
      EventsAppended appended = (EventsAppended) entry;
      int bytes = appended.getEventsList().stream().mapToInt(CloudEvent::getSerializedSize).sum();
      assertTrue(appended.getEventsCount() == 1 || bytes <= SETTINGS.maxEntryBytes(),
          appended.getEventsCount() + " events, " + bytes + " bytes in one entry");
    }
    assertTrue(entries.size() >= 41 * 10 * 1024 / SETTINGS.maxEntryBytes(), entries.size() + " entries");
  }

  @Test
  void appendsWaitingBehindAWriteAreBoundedInBytesAndTheRestAreRefusedAsOverloaded() {
    PartitionRef ref = new PartitionRef("pending.bytes", 0);
    int eventBytes = event("b0").toBuilder().setTextData("x".repeat(10 * 1024)).build().getSerializedSize();
    ActorRef<TopicPartition.Command> partition = partition(ref,
        new TopicPartition.Settings(DEDUP, 10_000, 1_000_000, 2L * eventBytes, 64 * 1024, APPEND_WAIT, RETENTION));
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    for (int i = 0; i < 40; i++) {
      partition.tell(new TopicPartition.Append(List.of(event("b" + i).toBuilder()
          .setTextData("x".repeat(10 * 1024)).build()), replies.getRef()));
    }
    int appended = 0;
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      TopicPartition.AppendResult result = replies.receiveMessage();
      if (result instanceof TopicPartition.AppendFailed failed) {
        refused.add(failed.rejection().code());
      } else {
        appended++;
      }
    }
    assertTrue(!refused.isEmpty() && refused.stream().allMatch("partition_overloaded"::equals), refused.toString());
    List<Object> entries = journal.persistedInStorage(ref.persistenceId());
    assertEquals(appended, entries.stream().mapToInt(entry -> ((EventsAppended) entry).getEventsCount()).sum(),
        "what was refused was not written");
    for (Object entry : entries) {
      assertTrue(((EventsAppended) entry).getEventsCount() <= 2, "at most two events' bytes waited behind a write");
    }
  }

  @Test
  void appendsWaitingBehindAWriteAreBoundedInEventsToo() {
    ActorRef<TopicPartition.Command> partition = partition(new PartitionRef("pending.events", 0),
        new TopicPartition.Settings(DEDUP, 10_000, 3, 1L << 30, 64 * 1024, APPEND_WAIT, RETENTION));
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    for (int i = 0; i < 40; i++) {
      partition.tell(new TopicPartition.Append(List.of(event("c" + i), event("d" + i)), replies.getRef()));
    }
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      if (replies.receiveMessage() instanceof TopicPartition.AppendFailed failed) {
        refused.add(failed.rejection().code());
      }
    }
    assertTrue(!refused.isEmpty() && refused.stream().allMatch("partition_overloaded"::equals), refused.toString());
  }

  @Test
  void everyWriteIsAnnouncedToReadersWithThePartitionsPersistenceId() {
    TestProbe<PartitionAdvanced> readers = testKit.createTestProbe();
    announcements.tell(Topic.subscribe(readers.getRef()));
    PartitionRef ref = new PartitionRef("announced.topic", 1);
    ActorRef<TopicPartition.Command> partition = partition(ref);
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    readers.awaitAssert(Duration.ofSeconds(15), () -> {
      partition.tell(new TopicPartition.Append(List.of(event("a" + System.nanoTime())), replies.getRef()));
      assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
      assertEquals(ref.persistenceId(), announcementOf(ref, readers).getPersistenceId());
      return null;
    });
    announcements.tell(Topic.unsubscribe(readers.getRef()));
  }

  @Test
  void eachWriteIsAnnouncedWithTheSummaryOfItsEntryAndAWriteThatStoredNothingWithout() {
    TestProbe<PartitionAdvanced> readers = testKit.createTestProbe();
    announcements.tell(Topic.subscribe(readers.getRef()));
    PartitionRef ref = new PartitionRef("summarized.topic", 0);
    ActorRef<TopicPartition.Command> partition = partition(ref);
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    List<List<CloudEvent>> sent = new ArrayList<>();
    PartitionAdvanced announced = readers.awaitAssert(Duration.ofSeconds(15), () -> {
      String id = "s" + System.nanoTime();
      List<CloudEvent> events = List.of(event(id + "a"), event(id + "b").toBuilder().setTextData("twelve bytes").build());
      sent.add(events);
      partition.tell(new TopicPartition.Append(events, replies.getRef()));
      assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
      return announcementOf(ref, readers);
    });
    List<CloudEvent> events = sent.get(sent.size() - 1);
    List<Object> stored = journal.persistedInStorage(ref.persistenceId());
    assertEquals(stored.size(), announced.getSequenceNr(), "the entry just written, the journal's last");
    EventsAppended entry = (EventsAppended) stored.get(stored.size() - 1);
    assertEquals(ref.persistenceId(), announced.getPersistenceId());
    assertEquals(entry.getFirstOffset(), announced.getFirstOffset());
    assertEquals(2, announced.getEvents());
    assertEquals(events.stream().mapToLong(CloudEvent::getSerializedSize).sum(), announced.getBytes());
    assertEquals(entry.getAppendedAtMillis(), announced.getAppendedAtMillis());

    partition.tell(new TopicPartition.Append(events, replies.getRef()));
    assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
    PartitionAdvanced nothingNew = announcementOf(ref, readers);
    assertEquals(ref.persistenceId(), nothingNew.getPersistenceId());
    assertEquals(0, nothingNew.getSequenceNr(), "a write of duplicates stores no entry to summarize");
    assertEquals(stored.size(), journal.persistedInStorage(ref.persistenceId()).size());
    announcements.tell(Topic.unsubscribe(readers.getRef()));
  }

  /**
   * The next announcement of {@code ref}'s partition. Those of other partitions are passed over:
   * in a full run an earlier test's write of duplicates (sequence 0) reached a subscriber that
   * joined after it, and was taken for this partition's.
   */
  private static PartitionAdvanced announcementOf(PartitionRef ref, TestProbe<PartitionAdvanced> readers) {
    PartitionAdvanced announced = readers.receiveMessage(ANNOUNCED_WITHIN);
    while (!announced.getPersistenceId().equals(ref.persistenceId())) {
      announced = readers.receiveMessage(ANNOUNCED_WITHIN);
    }
    return announced;
  }

  @Test
  void aRetriedAppendIsAnsweredWithTheOriginalPositionsAndNotStoredAgain() {
    PartitionRef ref = new PartitionRef("idempotent.topic", 0);
    ActorRef<TopicPartition.Command> partition = partition(ref);
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    partition.tell(new TopicPartition.Append(List.of(event("a"), event("b")), replies.getRef()));
    TopicPartition.Appended first = assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
    partition.tell(new TopicPartition.Append(List.of(event("a"), event("b")), replies.getRef()));
    TopicPartition.Appended retry = assertInstanceOf(TopicPartition.Appended.class, replies.receiveMessage());
    List<StoredPosition> expected = new ArrayList<>();
    first.positions().forEach(position -> expected.add(position.asDuplicate()));
    assertEquals(expected, retry.positions());
    assertEquals(1, journal.persistedInStorage(ref.persistenceId()).size());
  }

  @Test
  void aFailedWriteIsReportedAndNothingIsAcknowledged() {
    PartitionRef ref = new PartitionRef("failing.topic", 0);
    journal.failNextPersisted(ref.persistenceId());
    ActorRef<TopicPartition.Command> partition = partition(ref);
    TestProbe<TopicPartition.AppendResult> replies = testKit.createTestProbe();
    partition.tell(new TopicPartition.Append(List.of(event("x")), replies.getRef()));
    TopicPartition.AppendFailed failed = assertInstanceOf(TopicPartition.AppendFailed.class, replies.receiveMessage());
    assertEquals("storage_unavailable", failed.rejection().code());
    journal.expectNothingPersisted(ref.persistenceId());
  }

  /**
   * A journal write that does not end (held here by a gate) is what an overloaded store looks
   * like to a partition: its own append and the appends behind it are answered
   * {@code partition_overloaded} within {@code maxAppendWait}, and so is any append that comes
   * while the write still hangs, instead of waiting silently until the publisher's ask times out
   * and sends them again.
   */
  @Test
  void anOverloadedPartitionAnswersPartitionOverloadedWithinItsWaitInsteadOfLettingAsksTimeOut() {
    PartitionRef ref = new PartitionRef("slow.journal", 0);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean held = new AtomicBoolean();
    journal.withPolicy((persistenceId, operation) -> {
      if (persistenceId.equals(ref.persistenceId()) && operation instanceof WriteEvents
          && held.compareAndSet(false, true)) {
        awaitRelease(release);
      }
      return ProcessingSuccess$.MODULE$;
    });
    try {
      ActorRef<TopicPartition.Command> partition = partition(ref, new TopicPartition.Settings(DEDUP, 10_000, 1_000_000,
          1L << 30, 64 * 1024, Duration.ofMillis(300), RETENTION));
      TestProbe<TopicPartition.AppendResult> written = testKit.createTestProbe();
      partition.tell(new TopicPartition.Append(List.of(event("s0")), written.getRef()));
      await().atMost(Duration.ofSeconds(5)).untilTrue(held);

      TestProbe<TopicPartition.AppendResult> waiting = testKit.createTestProbe();
      for (int i = 1; i <= 5; i++) {
        partition.tell(new TopicPartition.Append(List.of(event("s" + i)), waiting.getRef()));
      }
      for (int i = 1; i <= 5; i++) {
        TopicPartition.AppendFailed refused = assertInstanceOf(TopicPartition.AppendFailed.class,
            waiting.receiveMessage(Duration.ofSeconds(2)), "answered while the write still hangs");
        assertEquals("partition_overloaded", refused.rejection().code());
      }
      TestProbe<TopicPartition.AppendResult> later = testKit.createTestProbe();
      partition.tell(new TopicPartition.Append(List.of(event("s6")), later.getRef()));
      assertEquals("partition_overloaded", assertInstanceOf(TopicPartition.AppendFailed.class,
          later.receiveMessage(Duration.ofSeconds(2)), "refused at once: the partition is not keeping up")
          .rejection().code());
      assertEquals("partition_overloaded", assertInstanceOf(TopicPartition.AppendFailed.class,
          written.receiveMessage(Duration.ofSeconds(2)), "the append of the hanging write is answered too")
          .rejection().code());

      release.countDown();
      TestProbe<TopicPartition.AppendResult> retried = testKit.createTestProbe();
      TopicPartition.Appended again = retried.awaitAssert(Duration.ofSeconds(5), () -> {
        partition.tell(new TopicPartition.Append(List.of(event("s0")), retried.getRef()));
        return assertInstanceOf(TopicPartition.Appended.class, retried.receiveMessage(Duration.ofSeconds(1)),
            "once the write is done, it takes appends again");
      });
      assertTrue(again.positions().get(0).duplicate(), "the write that hung did store its event, once");
      assertEquals(1, journal.persistedInStorage(ref.persistenceId()).stream()
          .mapToInt(entry -> ((EventsAppended) entry).getEventsCount()).sum(), "what was refused was not written");
    } finally {
      release.countDown();
      journal.resetPolicy();
    }
  }

  private static void awaitRelease(CountDownLatch release) {
    try {
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the held write was never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
