package io.tollgate.broker.subscription;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.AckCommits.AckRequest;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A session's acks become grouped commits to its subscription: by count or by time, sent again
 * when unanswered, and still committed when the session ends with acks waiting.
 */
class AckCommitsTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final PartitionRef PARTITION = new PartitionRef("shop.orders", 0);
  private static final Duration AN_HOUR = Duration.ofHours(1);
  private static final String NOVEMBER = "2026-11";

  private final DeliveryTracker tracker = new DeliveryTracker();
  private final TestProbe<SubscriptionEntity.Command> subscription = testKit.createTestProbe(SubscriptionEntity.Command.class);
  private final TestProbe<SubscriptionEntity.SessionSignal> signals = testKit.createTestProbe(SubscriptionEntity.SessionSignal.class);
  private final List<SubscriptionEntity.AckAnswer> answers = new CopyOnWriteArrayList<>();
  /** The billing period each accepted ack is made in, one per ack; the last stays. */
  private List<String> periods = List.of(NOVEMBER);
  private int acksTimed;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /**
   * Delivers events 0 to {@code count - 1} of the partition, each in its own journal entry, offset =
   * sequence - 1, the event at offset n with 100 + n bytes of data.
   */
  private void deliver(int count) {
    for (int offset = 0; offset < count; offset++) {
      tracker.delivered(new Delivery(cursor(offset), offset,
          CloudEvent.newBuilder().setId("e" + offset).setTextData("x".repeat(100 + offset)).build()));
    }
  }

  /** The bytes of the events delivered at offsets {@code first} to {@code last}, inclusive. */
  private static long bytes(int first, int last) {
    long bytes = 0;
    for (int offset = first; offset <= last; offset++) {
      bytes += 100 + offset;
    }
    return bytes;
  }

  private static Cursor cursor(long offset) {
    return new Cursor(PARTITION.topic(), PARTITION.partition(), offset + 1, 0);
  }

  private AckRequest ack(long offset) {
    return new AckRequest(cursor(offset).encode(), answers::add);
  }

  private SourceQueueWithComplete<AckRequest> run(int maxAcks, Duration interval, Duration attempt) {
    return Source.<AckRequest>queue(100, OverflowStrategy.fail())
        .to(AckCommits.sink(TestEntityRef.of(SubscriptionEntity.ENTITY_KEY, "sub_test", subscription.getRef()), tracker,
            signals.getRef(), Map.of(), new AckCommits.Grouping(maxAcks, interval, attempt, Duration.ofSeconds(10)),
            () -> periods.get(Math.min(acksTimed++, periods.size() - 1))))
        .run(testKit.system());
  }

  private SubscriptionEntity.AdvanceCursors nextCommit() {
    return subscription.expectMessageClass(SubscriptionEntity.AdvanceCursors.class, Duration.ofSeconds(5));
  }

  @Test
  void acksOnEitherSideOfAPeriodsEndGoInOneCommitAsARangePerPeriodInOrder() {
    deliver(10);
    periods = List.of(NOVEMBER, NOVEMBER, "2026-12");
    SourceQueueWithComplete<AckRequest> acks = run(3, AN_HOUR, AN_HOUR);
    acks.offer(ack(1));
    acks.offer(ack(4));
    acks.offer(ack(6));
    assertEquals(List.of(new SubscriptionEntity.AckRange(-1, new AckPoint(cursor(4), 4), 5, bytes(0, 4), NOVEMBER),
            new SubscriptionEntity.AckRange(4, new AckPoint(cursor(6), 6), 2, bytes(5, 6), "2026-12")),
        nextCommit().ranges(), "the acks of November are billed in November, though committed in December");
  }

  @Test
  void acksUpToTheGroupsSizeGoInOneCommitThatCountsEveryEventTheyCoverAndTheirBytes() {
    deliver(10);
    SourceQueueWithComplete<AckRequest> acks = run(3, AN_HOUR, AN_HOUR);
    acks.offer(ack(1));
    acks.offer(ack(4));
    acks.offer(ack(6));
    SubscriptionEntity.AdvanceCursors commit = nextCommit();
    assertEquals(List.of(new SubscriptionEntity.AckRange(-1, new AckPoint(cursor(6), 6), 7, bytes(0, 6), NOVEMBER)), commit.ranges());
    assertTrue(answers.isEmpty(), "an ack is answered once its commit is done");
    commit.replyTo().tell(new SubscriptionEntity.Committed(true));
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.size() == 3);
    assertTrue(answers.stream().allMatch(SubscriptionEntity.AckAnswer::isCommitted));
  }

  @Test
  void fewerAcksThanTheGroupsSizeAreCommittedAfterTheInterval() {
    deliver(5);
    SourceQueueWithComplete<AckRequest> acks = run(100, Duration.ofMillis(100), AN_HOUR);
    acks.offer(ack(2));
    SubscriptionEntity.AdvanceCursors commit = nextCommit();
    assertEquals(3, commit.ranges().get(0).units());
  }

  @Test
  void theIntervalRunsFromTheFirstWaitingAckNotFromTheStartOfTheStream() {
    deliver(5);
    SourceQueueWithComplete<AckRequest> acks = run(100, Duration.ofMillis(400), AN_HOUR);
    subscription.expectNoMessage(Duration.ofMillis(300));
    acks.offer(ack(1));
    subscription.expectNoMessage(Duration.ofMillis(250));
    assertEquals(2, nextCommit().ranges().get(0).units());
  }

  @Test
  void acksWaitingWhenTheSessionEndsAreCommittedAllTheSame() {
    deliver(5);
    SourceQueueWithComplete<AckRequest> acks = run(100, AN_HOUR, AN_HOUR);
    acks.offer(ack(0));
    acks.offer(ack(3));
    subscription.expectNoMessage(Duration.ofMillis(200));
    acks.complete();
    SubscriptionEntity.AdvanceCursors commit = nextCommit();
    assertEquals(List.of(new SubscriptionEntity.AckRange(-1, new AckPoint(cursor(3), 3), 4, bytes(0, 3), NOVEMBER)), commit.ranges());
  }

  @Test
  void anUnansweredCommitIsSentAgainUnchangedAndAnsweredOnce() {
    deliver(5);
    SourceQueueWithComplete<AckRequest> acks = run(1, AN_HOUR, Duration.ofMillis(200));
    acks.offer(ack(4));
    SubscriptionEntity.AdvanceCursors lost = nextCommit();
    SubscriptionEntity.AdvanceCursors again = nextCommit();
    assertEquals(lost.ranges(), again.ranges(), "the same ranges, which the subscription counts once");
    again.replyTo().tell(new SubscriptionEntity.Committed(true));
    // An answer that comes after its attempt ran out (a test thread held up for 400 ms) is lost:
    // the next attempt, unchanged, is answered too.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      answerIfSentAgain(lost);
      return answers.size() == 1;
    });
    assertTrue(answers.get(0).isCommitted());
  }

  /** Answers a commit sent again within 50 ms, if any: the same ranges as {@code first}. */
  private void answerIfSentAgain(SubscriptionEntity.AdvanceCursors first) {
    SubscriptionEntity.AdvanceCursors again;
    try {
      again = subscription.expectMessageClass(SubscriptionEntity.AdvanceCursors.class, Duration.ofMillis(50));
    } catch (AssertionError nothingYet) {
      return;
    }
    assertEquals(first.ranges(), again.ranges());
    again.replyTo().tell(new SubscriptionEntity.Committed(true));
  }

  @Test
  void acksThatArriveWhileACommitIsInFlightJoinTheNextOne() {
    deliver(10);
    SourceQueueWithComplete<AckRequest> acks = run(1, AN_HOUR, AN_HOUR);
    acks.offer(ack(0));
    SubscriptionEntity.AdvanceCursors first = nextCommit();
    acks.offer(ack(3));
    acks.offer(ack(8));
    subscription.expectNoMessage(Duration.ofMillis(200));
    first.replyTo().tell(new SubscriptionEntity.Committed(true));
    SubscriptionEntity.AdvanceCursors next = nextCommit();
    assertEquals(List.of(new SubscriptionEntity.AckRange(0, new AckPoint(cursor(8), 8), 8, bytes(1, 8), NOVEMBER)), next.ranges());
  }
  @Test
  void anAckSentAgainWhileItsCommitIsInFlightIsAnsweredWithThatCommitNotBefore() {
    deliver(10);
    SourceQueueWithComplete<AckRequest> acks = run(1, Duration.ofMillis(50), AN_HOUR);
    acks.offer(ack(4));
    SubscriptionEntity.AdvanceCursors commit = nextCommit();
    List<SubscriptionEntity.AckAnswer> again = new CopyOnWriteArrayList<>();
    acks.offer(new AckRequest(cursor(4).encode(), again::add));
    acks.offer(new AckRequest(cursor(2).encode(), again::add));
    subscription.expectNoMessage(Duration.ofMillis(300));
    assertTrue(again.isEmpty(), "acks the one in flight covers are answered only once it is committed: " + again);
    commit.replyTo().tell(new SubscriptionEntity.Committed(true));
    await().atMost(Duration.ofSeconds(5)).until(() -> again.size() == 2);
    assertTrue(again.stream().allMatch(SubscriptionEntity.AckAnswer::isCommitted), again.toString());
    subscription.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anAckSentAgainAfterItsCommitWasRefusedIsRefusedToo() {
    deliver(10);
    SourceQueueWithComplete<AckRequest> acks = run(1, Duration.ofMillis(50), AN_HOUR);
    acks.offer(ack(4));
    nextCommit().replyTo().tell(new SubscriptionEntity.Committed(false));
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.size() == 1);
    acks.offer(ack(4));
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.size() == 2);
    assertEquals(List.of("resync", "resync"), answers.stream().map(SubscriptionEntity.AckAnswer::code).toList());
  }
}
