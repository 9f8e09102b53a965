package io.tollgate.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.persistence.contract.EventWriter;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

class RocksDbReadJournalTest {

  private final Path dir = TestStores.newDir("query");
  private ActorSystem system;
  private RocksDbReadJournal queries;

  @BeforeEach
  void start() {
    // The safety-net poll is effectively off: live events must arrive through the writer's
    // wake-up, not the poll.
    Config config = TestStores.config(dir, "tollgate.persistence.rocksdb.query.poll-interval = 1h\n"
        + "tollgate.persistence.rocksdb.query.chunk-bytes = 256KiB");
    system = ActorSystem.create("query-test", config);
    queries = PersistenceQuery.get(system)
        .getReadJournalFor(RocksDbReadJournal.class, config.getString("tollgate.storage.query-plugin"));
  }

  @AfterEach
  void stop() {
    TestKit.shutdownActorSystem(system);
    TestStores.deleteRecursively(dir);
  }

  /**
   * The poll is an hour here, so every event that arrives within the deadline came because the
   * write woke the query. How fast that is, is a benchmark's question, not this test's.
   */
  @Test
  void liveQueryIsWokenByEachWriteNotByItsPoll() {
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props("live-1"));
    writer.tell(new EventWriter.Append("e-1"), probe.getRef());
    probe.expectMsg(1L);

    TestSubscriber.Probe<EventEnvelope> events = queries
        .eventsByPersistenceId("live-1", 0L, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system);
    events.request(1000);
    assertEquals("e-1", events.expectNext().event());

    for (long seqNr = 2; seqNr <= 201; seqNr++) {
      writer.tell(new EventWriter.Append("e-" + seqNr), probe.getRef());
      EventEnvelope envelope = events.expectNext(Duration.ofSeconds(10));
      assertEquals(seqNr, envelope.sequenceNr());
      assertEquals(Offset.sequence(seqNr), envelope.offset());
      assertEquals("e-" + seqNr, envelope.event());
      assertTrue(envelope.timestamp() > 0);
      probe.expectMsg(Duration.ofSeconds(10), seqNr);
    }
  }

  @Test
  void liveQueryCompletesAtItsUpperBound() {
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props("bounded-1"));
    TestSubscriber.Probe<EventEnvelope> events = queries
        .eventsByPersistenceId("bounded-1", 2L, 3L)
        .runWith(TestSink.create(system), system);
    events.request(10);
    for (int i = 1; i <= 4; i++) {
      writer.tell(new EventWriter.Append("e-" + i), probe.getRef());
      probe.expectMsg((long) i);
    }
    assertEquals(2L, events.expectNext().sequenceNr());
    assertEquals(3L, events.expectNext().sequenceNr());
    events.expectComplete();
  }

  @Test
  void currentQueryReadsOnlyWhatIsDemandedAndCompletes() throws Exception {
    int count = 1000; // several chunks of 256
    storeDirectly("current-1", count);
    TestSubscriber.Probe<EventEnvelope> events = queries
        .currentEventsByPersistenceId("current-1", 0L, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system);
    events.ensureSubscription();
    events.expectNoMessage(Duration.ofMillis(50));
    events.request(1);
    assertEquals(1L, events.expectNext().sequenceNr());
    events.request(count - 1);
    for (long seqNr = 2; seqNr <= count; seqNr++) {
      assertEquals("e-" + seqNr, events.expectNext().event());
    }
    events.expectComplete();

    List<EventEnvelope> window = CollectionConverters.asJava(queries
        .currentEventsByPersistenceId("current-1", 300L, 310L)
        .runWith(TestSink.create(system), system)
        .request(100)
        .expectNextN(11));
    assertEquals(300L, window.get(0).sequenceNr());
    assertEquals(310L, window.get(10).sequenceNr());
  }

  @Test
  void aChunkHoldsAtMostItsBytesAndEveryEventStillComesInOrder() throws Exception {
    String large = "x".repeat(100_000);
    storeDirectly("large-1", 20, large);
    List<Long> visited = new ArrayList<>();
    long read = RocksDbStore.get(system).readEvents("large-1", 1, Long.MAX_VALUE, 256, 256 * 1024,
        (sequenceNr, value) -> visited.add(sequenceNr));
    assertEquals(3, read, "entries of 100 KB: the third passes 256 KiB, so a chunk of 256 entries holds 3");
    assertEquals(List.of(1L, 2L, 3L), visited);

    List<EventEnvelope> all = CollectionConverters.asJava(queries
        .currentEventsByPersistenceId("large-1", 0L, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system)
        .request(100)
        .expectNextN(20));
    for (int i = 0; i < 20; i++) {
      assertEquals(i + 1, all.get(i).sequenceNr());
      assertEquals(large + (i + 1), all.get(i).event());
    }
  }

  @Test
  void theHighestSequenceNumberIsTheLastWrittenAndZeroForAnUnwrittenId() throws Exception {
    assertEquals(0L, queries.highestSequenceNr("never-written").toCompletableFuture().get(5, TimeUnit.SECONDS));
    storeDirectly("highest-1", 7);
    assertEquals(7L, queries.highestSequenceNr("highest-1").toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void currentPersistenceIdsListsEveryWrittenId() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 600; i++) { // several chunks of 256
      ids.add(String.format("pid-%04d", i));
    }
    for (String id : ids) {
      storeDirectly(id, 1);
    }
    List<String> listed = CollectionConverters.asJava(queries.currentPersistenceIds()
        .runWith(TestSink.create(system), system)
        .request(1000)
        .expectNextN(ids.size()));
    assertEquals(ids, listed);
  }

  private void storeDirectly(String persistenceId, int count) throws Exception {
    storeDirectly(persistenceId, count, "e-");
  }

  private void storeDirectly(String persistenceId, int count, String prefix) throws Exception {
    PayloadCodec codec = new PayloadCodec((ExtendedActorSystem) system);
    List<RocksDbStore.EventWrite> events = new ArrayList<>();
    for (long seqNr = 1; seqNr <= count; seqNr++) {
      PersistentRepr repr = PersistentRepr.apply(
          prefix + seqNr, seqNr, persistenceId, "", false, ActorRef.noSender(), "writer");
      events.add(new RocksDbStore.EventWrite(persistenceId, seqNr, codec.encodeEvent(repr)));
    }
    RocksDbStore.get(system).writeEvents(events).get();
  }
}
