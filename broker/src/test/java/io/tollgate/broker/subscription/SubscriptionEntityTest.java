package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.JournalDeletes;
import io.tollgate.broker.trim.JournalTrimmer;
import io.tollgate.broker.trim.LatestSnapshots;
import io.tollgate.broker.trim.ReadPositions;
import io.tollgate.broker.trim.TrimPlan;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metering: usage comes from offsets of acknowledged events, so nothing counts twice. */
class SubscriptionEntityTest {
  /** Commands and events go through the broker's Protobuf serializer, as they would between nodes. */
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final SerializationSettings VERIFY_MESSAGES = new SerializationSettings(true, false, true, true, false);
  private static final Clock NOVEMBER = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
  private final List<String> usageNotices = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<SubscriptionEntity.Command, CursorsAdvanced, SubscriptionEntity.State> entity;

  @BeforeEach
  void create() {
    usageNotices.clear();
    entity = EventSourcedBehaviorTestKit.create(testKit.system(),
        SubscriptionEntity.create("sub_test", NOVEMBER, PeriodScheme.parse("monthly"), usageNotices::add, 1000),
        VERIFY_MESSAGES);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static AckPoint point(int partition, long sequence, int index, long offset) {
    return new AckPoint(new Cursor("shop.orders", partition, sequence, index), offset);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<SubscriptionEntity.Command, CursorsAdvanced, SubscriptionEntity.State,
      SubscriptionEntity.Committed> advance(SubscriptionEntity.AckRange... ranges) {
    return entity.runCommand(replyTo -> new SubscriptionEntity.AdvanceCursors(List.of(ranges), replyTo));
  }

  private static SubscriptionEntity.AckRange range(long from, AckPoint to, long units) {
    return new SubscriptionEntity.AckRange(from, to, units, 0, "");
  }

  @Test
  void aUsageJournalTrimmedBehindItsReadersRecoversTheSameCursorsAndUsage() {
    entity = EventSourcedBehaviorTestKit.create(testKit.system(),
        SubscriptionEntity.create("sub_trimmed", NOVEMBER, PeriodScheme.parse("monthly"), usageNotices::add, 3),
        VERIFY_MESSAGES);
    long from = -1;
    for (int ack = 1; ack <= 7; ack++) {
      advance(range(from, point(0, ack, 0, ack * 10L), 10));
      from = ack * 10L;
    }
    SubscriptionEntity.State before = entity.getState();
    String journal = SubscriptionEntity.persistenceId("sub_trimmed");
    ReadPositions billing = new ReadPositions() {
      @Override
      public String name() {
        return "billing";
      }

      @Override
      public CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals) {
        return CompletableFuture.completedFuture(Map.of(journal, 7L));
      }
    };
    var trimmer = testKit.spawn(JournalTrimmer.create(() -> List.of(journal), List.of(billing),
        LatestSnapshots.of(testKit.system()), JournalDeletes.of(testKit.system()), JournalTrimmer.Listener.NONE));
    TestProbe<JournalTrimmer.Trimmed> trimmed = testKit.createTestProbe();
    trimmer.tell(new JournalTrimmer.TrimNow(trimmed.ref()));

    assertEquals(List.of(new TrimPlan.Deletion(journal, 1, 6)),
        trimmed.expectMessageClass(JournalTrimmer.Trimmed.class, Duration.ofSeconds(10)).deletions(),
        "up to the latest snapshot, which the reader has passed");
    assertEquals(1, PersistenceTestKit.create(testKit.system()).persistedInStorage(journal).size());
    entity.restart();
    assertEquals(before.acked(), entity.getState().acked());
    assertEquals(70, entity.getState().usedIn("2026-11"));
    assertEquals(10, advance(range(70, point(0, 8, 0, 80), 10)).eventOfType(CursorsAdvanced.class).getUnits(),
        "the next ack goes on from the recovered cursor");
    testKit.stop(trimmer);
  }

  @Test
  void anAckFromTheBeginningCountsTheEventsDeliveredUpToIt() {
    CursorsAdvanced advanced = advance(range(-1, point(0, 3, 4, 9), 10)).eventOfType(CursorsAdvanced.class);
    assertEquals(10, advanced.getUnits());
    assertEquals("2026-11", advanced.getPeriod());
    assertEquals(List.of("sub_test"), usageNotices);
  }

  @Test
  void eventsAFilterWithheldAreNotCounted() {
    assertEquals(6, advance(range(-1, point(0, 3, 4, 9), 6)).eventOfType(CursorsAdvanced.class).getUnits());
    assertEquals(new AckPoint(new Cursor("shop.orders", 0, 3, 4), 9),
        entity.getState().acked().get(new PartitionRef("shop.orders", 0)), "the cursor still moves past them");
  }

  @Test
  void repeatedStaleAndRacedAcksNeverCountTwice() {
    advance(range(-1, point(0, 1, 0, 4), 5));
    assertTrue(advance(range(-1, point(0, 1, 0, 4), 5)).hasNoEvents(), "the same ack again");
    assertTrue(advance(range(-1, point(0, 1, 0, 2), 3)).hasNoEvents(), "an older ack, e.g. from a replaced connection");
    var raced = advance(range(2, point(0, 2, 0, 7), 5));
    assertTrue(raced.hasNoEvents(), "a range that does not start where the partition stands");
    assertFalse(raced.reply().inSync(), "the session is told to reattach");
    var next = advance(range(4, point(0, 2, 0, 7), 3), range(-1, point(1, 1, 0, 0), 1));
    assertEquals(4, next.eventOfType(CursorsAdvanced.class).getUnits());
    assertTrue(next.reply().inSync());
    assertEquals(9, entity.getState().usedIn("2026-11"));
  }

  @Test
  void aSubscriptionStartingAtTheEndCountsOnlyLaterEvents() {
    AckPoint end = point(0, 5, Integer.MAX_VALUE, 99);
    var attached = entity.<SubscriptionEntity.Attached>runCommand(replyTo ->
        new SubscriptionEntity.Attach("session-1", testKit.createTestProbe(SubscriptionEntity.SessionSignal.class).getRef(),
            List.of(end), replyTo, false));
    assertEquals(0, attached.eventOfType(CursorsAdvanced.class).getUnits(), "the start is recorded without usage");
    assertEquals(end, attached.reply().acked().get(new PartitionRef("shop.orders", 0)));
    assertEquals(2, advance(range(99, point(0, 6, 1, 101), 2)).eventOfType(CursorsAdvanced.class).getUnits());
  }

  @Test
  void aMoveBackEndsTheSessionAndWhatIsAcknowledgedAgainIsBilledAgain() {
    var session = testKit.createTestProbe(SubscriptionEntity.SessionSignal.class);
    entity.<SubscriptionEntity.Attached>runCommand(replyTo ->
        new SubscriptionEntity.Attach("session-1", session.getRef(), List.of(), replyTo, false));
    advance(range(-1, point(0, 2, 0, 9), 10));
    AckPoint start = AckPoint.beginningOf(new PartitionRef("shop.orders", 0));

    var moved = entity.<SubscriptionEntity.Attached>runCommand(replyTo -> new SubscriptionEntity.MoveCursors(List.of(start), replyTo));
    CursorsAdvanced event = moved.eventOfType(CursorsAdvanced.class);
    assertTrue(event.getMoved());
    assertEquals(0, event.getUnits(), "a move is not usage");
    assertEquals(start, moved.reply().acked().get(new PartitionRef("shop.orders", 0)));
    assertFalse(moved.reply().resumable(), "a Last-Event-ID from before the move is not honoured");
    assertEquals("cursor_moved", ((SubscriptionEntity.Ended) session.receiveMessage()).code());

    assertTrue(advance(range(9, point(0, 3, 0, 12), 3)).hasNoEvents(), "the old session's acks no longer fit");
    assertEquals(10, advance(range(-1, point(0, 2, 0, 9), 10)).eventOfType(CursorsAdvanced.class).getUnits(),
        "delivered and acknowledged again: billed again");
    assertEquals(20, entity.getState().usedIn("2026-11"));
    assertTrue(entity.getState().resumable(), "an ack after the move makes Last-Event-ID count again");
  }

  @Test
  void aMoveForwardSkipsWithoutBillingAndSurvivesARestartUnresumable() {
    AckPoint end = point(0, 40, Integer.MAX_VALUE, 999);
    entity.<SubscriptionEntity.Attached>runCommand(replyTo -> new SubscriptionEntity.MoveCursors(List.of(end), replyTo));
    entity.restart();
    assertEquals(end, entity.getState().acked().get(new PartitionRef("shop.orders", 0)));
    assertEquals(0, entity.getState().usedIn("2026-11"));
    assertFalse(entity.getState().resumable());
    assertEquals(1, advance(range(999, point(0, 41, 0, 1000), 1)).eventOfType(CursorsAdvanced.class).getUnits());
  }

  @Test
  void rangesOfTwoPeriodsInOneCommitAreWrittenAtOnceEachInItsOwnPeriodWithTheirBytes() {
    var advanced = advance(new SubscriptionEntity.AckRange(-1, point(0, 2, 0, 4), 5, 500, "2026-10"),
        new SubscriptionEntity.AckRange(4, point(0, 3, 0, 6), 2, 200, "2026-11"),
        new SubscriptionEntity.AckRange(-1, point(1, 1, 0, 0), 1, 100, "2026-11"));
    List<CursorsAdvanced> events = advanced.events().stream().map(CursorsAdvanced.class::cast).toList();
    assertEquals(List.of("2026-10", "2026-11"), events.stream().map(CursorsAdvanced::getPeriod).toList());
    assertEquals(List.of(5L, 3L), events.stream().map(CursorsAdvanced::getUnits).toList());
    assertEquals(List.of(500L, 300L), events.stream().map(CursorsAdvanced::getBytes).toList(),
        "each period's entry carries the bytes of its events");
    assertEquals(5, entity.getState().usedIn("2026-10"), "an ack made before the period ended is billed in it");
    assertEquals(3, entity.getState().usedIn("2026-11"));
    assertEquals(point(0, 3, 0, 6), entity.getState().acked().get(new PartitionRef("shop.orders", 0)));
    assertTrue(advanced.reply().inSync());
  }

  @Test
  void aRangeOutOfStepCountsNeitherItsEventsNorItsBytes() {
    advance(new SubscriptionEntity.AckRange(-1, point(0, 1, 0, 9), 10, 1_000, ""));
    var late = advance(new SubscriptionEntity.AckRange(3, point(0, 2, 0, 12), 9, 900, ""));
    assertTrue(late.hasNoEvents(), "a replaced session's range from elsewhere is not counted");
    assertFalse(late.reply().inSync());
    CursorsAdvanced next = advance(new SubscriptionEntity.AckRange(9, point(0, 2, 0, 12), 3, 300, ""))
        .eventOfType(CursorsAdvanced.class);
    assertEquals(300, next.getBytes());
  }

  @Test
  void usageSurvivesARestart() {
    advance(range(-1, point(0, 1, 0, 41), 42));
    entity.restart();
    assertEquals(42, entity.getState().usedIn("2026-11"));
    assertTrue(advance(range(-1, point(0, 1, 0, 41), 42)).hasNoEvents());
  }

  @Test
  void aReplayedDeadLetterRedeliveryIsBilledOnceInItsPeriodEvenWhenSentAgainAfterARestart() {
    advance(range(-1, point(0, 1, 0, 9), 10));
    long octoberAck = Instant.parse("2026-10-31T23:59:59Z").toEpochMilli();
    CursorsAdvanced billed = entity.<SubscriptionEntity.Committed>runCommand(replyTo ->
        new SubscriptionEntity.BillRedelivered(1, 3, 1_470, octoberAck, replyTo)).eventOfType(CursorsAdvanced.class);
    assertEquals(3, billed.getUnits());
    assertEquals(1_470, billed.getBytes(), "the redelivered events' bytes with them");
    assertEquals("2026-10", billed.getPeriod(), "billed in the period its 2xx came in");
    assertEquals(0, billed.getCursorsCount(), "no cursor moves");
    entity.restart();
    var again = entity.<SubscriptionEntity.Committed>runCommand(replyTo ->
        new SubscriptionEntity.BillRedelivered(1, 3, 1_470, octoberAck, replyTo));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().inSync());
    assertEquals(3, entity.getState().usedIn("2026-10"));
    assertEquals(10, entity.getState().usedIn("2026-11"));
    assertEquals(new AckPoint(new Cursor("shop.orders", 0, 1, 0), 9),
        entity.getState().acked().get(new PartitionRef("shop.orders", 0)));
    assertTrue(entity.getState().resumable(), "billing a redelivery is not a move");
  }

  private SubscriptionEntity.AckAnswer ackFromOutside(Cursor cursor) {
    var probe = testKit.createTestProbe(SubscriptionEntity.AckAnswer.class);
    var result = entity.runCommand(new SubscriptionEntity.AckOnSession(cursor, probe.getRef()));
    assertTrue(result.hasNoEvents(), "an ack from outside writes nothing itself");
    return probe.receiveMessage();
  }

  @Test
  void anAckFromOutsideOfACursorTheSubscriptionStandsAtOrPastIsCommittedAlready() {
    advance(range(-1, point(0, 2, 0, 4), 5));
    assertTrue(ackFromOutside(new Cursor("shop.orders", 0, 1, 3)).isCommitted(), "before the ack point");
    assertTrue(ackFromOutside(new Cursor("shop.orders", 0, 2, 0)).isCommitted(), "the ack point itself");
  }

  @Test
  void anAckFromOutsideWithoutAnOpenStreamIsRefused() {
    SubscriptionEntity.AckAnswer answer = ackFromOutside(new Cursor("shop.orders", 0, 1, 0));
    assertEquals("no_open_stream", answer.code());
  }

  @Test
  void anAckFromOutsideGoesToTheSessionThatDeliveredItWhichAnswersIt() {
    var session = testKit.createTestProbe(SubscriptionEntity.SessionSignal.class);
    entity.<SubscriptionEntity.Attached>runCommand(replyTo ->
        new SubscriptionEntity.Attach("session-1", session.getRef(), List.of(), replyTo, false));
    var answers = testKit.createTestProbe(SubscriptionEntity.AckAnswer.class);
    Cursor cursor = new Cursor("shop.orders", 1, 7, 2);
    entity.runCommand(new SubscriptionEntity.AckOnSession(cursor, answers.getRef()));
    assertEquals(new SubscriptionEntity.AckRequested(cursor, answers.getRef()), session.receiveMessage());
    answers.expectNoMessage();
    entity.runCommand(new SubscriptionEntity.Detach("session-1"));
    assertEquals("no_open_stream", ackFromOutside(cursor).code(), "once the session is gone");
  }

  @Test
  void aSessionThatRejoinsAfterItsEntityMovedIsItsSessionAgainAndItsAcksFromOutsideReachIt() {
    var session = testKit.createTestProbe(SubscriptionEntity.SessionSignal.class);
    var rejoined = entity.<SubscriptionEntity.Attached>runCommand(replyTo ->
        new SubscriptionEntity.Attach("session-1", session.getRef(), List.of(), replyTo, true));
    assertTrue(rejoined.reply().entity().isPresent(), "the reply names the entity, for the session to watch");
    var answers = testKit.createTestProbe(SubscriptionEntity.AckAnswer.class);
    Cursor cursor = new Cursor("shop.orders", 1, 7, 2);
    entity.runCommand(new SubscriptionEntity.AckOnSession(cursor, answers.getRef()));
    assertEquals(new SubscriptionEntity.AckRequested(cursor, answers.getRef()), session.receiveMessage());
  }

  @Test
  void aRejoiningSessionDoesNotReplaceOneThatAttachedMeanwhileAndIsToldItWasReplaced() {
    var newer = testKit.createTestProbe(SubscriptionEntity.SessionSignal.class);
    var older = testKit.createTestProbe(SubscriptionEntity.SessionSignal.class);
    entity.<SubscriptionEntity.Attached>runCommand(replyTo ->
        new SubscriptionEntity.Attach("session-2", newer.getRef(), List.of(), replyTo, false));
    entity.<SubscriptionEntity.Attached>runCommand(replyTo ->
        new SubscriptionEntity.Attach("session-1", older.getRef(), List.of(), replyTo, true));
    assertEquals(new SubscriptionEntity.SessionReplaced(), older.receiveMessage());
    newer.expectNoMessage();
    var answers = testKit.createTestProbe(SubscriptionEntity.AckAnswer.class);
    Cursor cursor = new Cursor("shop.orders", 1, 7, 2);
    entity.runCommand(new SubscriptionEntity.AckOnSession(cursor, answers.getRef()));
    assertEquals(new SubscriptionEntity.AckRequested(cursor, answers.getRef()), newer.receiveMessage(),
        "the newer session keeps the subscription");
  }
}
