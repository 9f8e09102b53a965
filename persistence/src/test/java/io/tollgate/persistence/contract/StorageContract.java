package io.tollgate.persistence.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What Tollgate asks of a storage backend, beyond Pekko's journal TCK: group writes that are
 * atomic and ordered, recovery of exactly what was acknowledged, bounded and live reads by
 * persistence id (a consumer's stream, the billing feed, the catalog view), and deletes that
 * keep the sequence numbering. Every backend runs the same tests through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StorageContract {
  private static final Duration ACK = Duration.ofSeconds(15);

  private ActorSystem system;
  private EventsByPersistenceIdQuery live;
  private CurrentEventsByPersistenceIdQuery current;

  /** The backend's configuration, with {@code tollgate.storage.query-plugin} naming its read journal. */
  protected abstract Config storageConfig();

  /** How long a live query may take to see a new event: the backend's poll interval, with room. */
  protected abstract Duration liveDelay();

  @BeforeAll
  void startSystem() {
    Config config = storageConfig();
    system = ActorSystem.create("contract", config);
    String queryPlugin = config.getString("tollgate.storage.query-plugin");
    live = PersistenceQuery.get(system).getReadJournalFor(EventsByPersistenceIdQuery.class, queryPlugin);
    current = PersistenceQuery.get(system).getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, queryPlugin);
  }

  @AfterAll
  void stopSystem() {
    TestKit.shutdownActorSystem(system, scala.concurrent.duration.Duration.create(30, "s"), true);
  }

  @Test
  void acknowledgedEventsAreRecoveredInOrderByTheNextIncarnation() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    for (int i = 1; i <= 20; i++) {
      append(writer, probe, List.of("e-" + i), i);
    }
    stop(writer, probe);

    EventWriter.State recovered = stateOf(system.actorOf(EventWriter.props(id)), probe);
    assertEquals(names(1, 20), recovered.events());
    assertEquals(20L, recovered.lastSequenceNr());
  }

  @Test
  void aGroupWriteIsStoredWholeAndInOrder() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    append(writer, probe, List.of("e-1"), 1L);
    append(writer, probe, names(2, 51), 51L);
    stop(writer, probe);

    assertEquals(names(1, 51), stateOf(system.actorOf(EventWriter.props(id)), probe).events());
    assertEquals(names(1, 51), eventsOf(current.currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system), 51));
  }

  @Test
  void aCurrentQueryReadsItsRangeAndCompletes() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    append(writer, probe, names(1, 30), 30L);

    TestSubscriber.Probe<EventEnvelope> range = current.currentEventsByPersistenceId(id, 10, 20)
        .runWith(TestSink.create(system), system);
    assertEquals(names(10, 20), eventsOf(range, 11));
    range.expectComplete();

    TestSubscriber.Probe<EventEnvelope> beyond = current.currentEventsByPersistenceId(id, 31, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system);
    beyond.request(1);
    beyond.expectComplete();
  }

  @Test
  void aLiveQuerySeesEventsWrittenAfterItStarted() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    append(writer, probe, List.of("e-1"), 1L);

    TestSubscriber.Probe<EventEnvelope> events = live.eventsByPersistenceId(id, 0, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system);
    events.request(100);
    assertEquals("e-1", events.expectNext(ACK).event());
    for (int i = 2; i <= 10; i++) {
      append(writer, probe, List.of("e-" + i), i);
      EventEnvelope envelope = events.expectNext(liveDelay());
      assertEquals(i, envelope.sequenceNr());
      assertEquals("e-" + i, envelope.event());
    }
    append(writer, probe, names(11, 40), 40L);
    List<String> group = new ArrayList<>();
    for (int i = 11; i <= 40; i++) {
      group.add((String) events.expectNext(liveDelay()).event());
    }
    assertEquals(names(11, 40), group);
    events.cancel();
  }

  @Test
  void aLiveQueryWithAnUpperBoundCompletesThere() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    TestSubscriber.Probe<EventEnvelope> events = live.eventsByPersistenceId(id, 2, 3)
        .runWith(TestSink.create(system), system);
    events.request(10);
    for (int i = 1; i <= 4; i++) {
      append(writer, probe, List.of("e-" + i), i);
    }
    assertEquals(2L, events.expectNext(liveDelay()).sequenceNr());
    assertEquals(3L, events.expectNext(liveDelay()).sequenceNr());
    events.expectComplete();
  }

  @Test
  void deletedEventsAreNotReplayedAndNumberingContinues() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    append(writer, probe, names(1, 5), 5L);
    writer.tell(EventWriter.DeleteAll.INSTANCE, probe.getRef());
    probe.expectMsgClass(ACK, DeleteMessagesSuccess.class);
    stop(writer, probe);

    ActorRef again = system.actorOf(EventWriter.props(id));
    EventWriter.State state = stateOf(again, probe);
    assertEquals(List.of(), state.events());
    assertEquals(5L, state.lastSequenceNr());
    append(again, probe, List.of("e-6"), 6L);
  }

  /**
   * What topic retention relies on: a deleted prefix is neither replayed nor read, and the rest
   * is, however many of the backend's storage partitions the prefix emptied (200 single writes
   * fill more than three of {@link CassandraSmallPartitionsContractTest}'s).
   */
  @Test
  void aDeletedPrefixIsSkippedByReplayAndByReadersFromTheStart() {
    String id = newId();
    TestKit probe = new TestKit(system);
    ActorRef writer = system.actorOf(EventWriter.props(id));
    for (int i = 1; i <= 200; i++) {
      append(writer, probe, List.of("e-" + i), i);
    }
    writer.tell(new EventWriter.DeleteTo(190), probe.getRef());
    probe.expectMsgClass(ACK, DeleteMessagesSuccess.class);

    TestSubscriber.Probe<EventEnvelope> fromStart = current.currentEventsByPersistenceId(id, 1, Long.MAX_VALUE)
        .runWith(TestSink.create(system), system);
    assertEquals(names(191, 200), eventsOf(fromStart, 10));
    fromStart.request(1);
    fromStart.expectComplete();
    stop(writer, probe);

    ActorRef again = system.actorOf(EventWriter.props(id));
    EventWriter.State state = stateOf(again, probe);
    assertEquals(names(191, 200), state.events());
    append(again, probe, List.of("e-201"), 201L);
  }

  /** Persists {@code events} as one write and waits for the acknowledgement of the last one. */
  private static void append(ActorRef writer, TestKit probe, List<String> events, long lastSequenceNr) {
    writer.tell(events.size() == 1 ? new EventWriter.Append(events.get(0)) : new EventWriter.AppendAll(events),
        probe.getRef());
    probe.expectMsg(ACK, lastSequenceNr);
  }

  private static String newId() {
    return "contract-" + UUID.randomUUID();
  }

  private static List<String> names(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> "e-" + i).toList();
  }

  private static List<String> eventsOf(TestSubscriber.Probe<EventEnvelope> probe, int count) {
    probe.request(count);
    List<String> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add((String) probe.expectNext(ACK).event());
    }
    return events;
  }

  private static EventWriter.State stateOf(ActorRef writer, TestKit probe) {
    writer.tell(EventWriter.GetState.INSTANCE, probe.getRef());
    return probe.expectMsgClass(ACK, EventWriter.State.class);
  }

  private static void stop(ActorRef writer, TestKit probe) {
    probe.watch(writer);
    writer.tell(PoisonPill.getInstance(), ActorRef.noSender());
    probe.expectTerminated(ACK, writer);
  }
}
