package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What a webhook run leaves in its ledger arrives when the first copy does not: a shard in
 * hand-off drops it, or the ledger writes it and the answer is lost. The ledger is the real one,
 * behind a stand-in for its shard that loses the first copy; messages go through the serializer.
 */
class LedgerWritesSentAgainTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  /** Sent again after 200 ms, then every 400 ms; a generous deadline for a loaded machine. */
  private static final ShardedAsk.Patience PATIENCE =
      new ShardedAsk.Patience(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofSeconds(30));
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /**
   * A shard in hand-off: the first copy it gets is dropped, or, with {@code answerLost}, reaches
   * the ledger with an answer that goes nowhere; every later copy reaches the ledger.
   */
  private static Behavior<WebhookLedger.Command> losingTheFirstCopy(ActorRef<WebhookLedger.Command> ledger,
                                                                    boolean answerLost) {
    ActorRef<WebhookLedger.Reply> nowhere = testKit.<WebhookLedger.Reply>createTestProbe().getRef();
    AtomicBoolean first = new AtomicBoolean(true);
    return Behaviors.receiveMessage(command -> {
      if (!first.getAndSet(false)) {
        ledger.tell(command);
      } else if (answerLost && command instanceof WebhookLedger.RecordAttempts record) {
        ledger.tell(new WebhookLedger.RecordAttempts(record.attempts(), nowhere));
      } else if (answerLost && command instanceof WebhookLedger.ReplayGaveUp gaveUp) {
        ledger.tell(new WebhookLedger.ReplayGaveUp(gaveUp.numbers(), nowhere));
      }
      return Behaviors.same();
    });
  }

  private static ActorRef<WebhookLedger.Command> ledger(String subscription) {
    return testKit.spawn(WebhookLedger.create(subscription, WebhookLedgerTest.SETTINGS,
        (sub, redelivery, units, bytes, atMillis) -> CompletableFuture.completedFuture(null)));
  }

  private static EntityRef<WebhookLedger.Command> behindAHandOff(String subscription,
                                                                  ActorRef<WebhookLedger.Command> ledger,
                                                                  boolean answerLost) {
    return TestEntityRef.of(WebhookLedger.ENTITY_KEY, subscription,
        testKit.spawn(losingTheFirstCopy(ledger, answerLost)));
  }

  private static List<Attempt> write() {
    return List.of(
        new Attempt(0, "msg_1", T0, 503, 5, "", "", 1, "shop.orders:0:1:0", "shop.orders:0:1:0",
            Optional.of(T0.plusSeconds(1)), 1, false),
        new Attempt(0, "msg_1", T0.plusSeconds(1), 200, 5, "", "", 1, "shop.orders:0:1:0", "shop.orders:0:1:0",
            Optional.empty(), 2, false));
  }

  private static List<Long> attemptNumbers(ActorRef<WebhookLedger.Command> ledger) {
    TestProbe<WebhookWorker.AttemptsPage> page = testKit.createTestProbe();
    ledger.tell(new WebhookLedger.GetAttempts(0, 10, page.getRef()));
    return page.receiveMessage(Duration.ofSeconds(10)).attempts().stream().map(Attempt::number).toList();
  }

  private static <T> T answer(java.util.concurrent.CompletionStage<T> asked) throws Exception {
    return asked.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void attemptsWhoseFirstCopyIsDroppedAreWrittenByTheNextCopy() throws Exception {
    ActorRef<WebhookLedger.Command> ledger = ledger("sub_dropped");
    answer(WebhookLedger.recordAttempts(behindAHandOff("sub_dropped", ledger, false), write(), PATIENCE));
    assertEquals(List.of(2L, 1L), attemptNumbers(ledger));
  }

  @Test
  void attemptsWrittenWhoseAnswerIsLostAreWrittenOnce() throws Exception {
    ActorRef<WebhookLedger.Command> ledger = ledger("sub_unanswered");
    WebhookLedger.Reply copy = answer(WebhookLedger.recordAttempts(
        behindAHandOff("sub_unanswered", ledger, true), write(), PATIENCE));
    assertEquals(0, copy.count(), "the copy finds the write done");
    assertEquals(List.of(2L, 1L), attemptNumbers(ledger), "two attempts, not four");
  }

  @Test
  void aReplayThatGaveUpIsUnqueuedWhenItsFirstCopyIsDropped() throws Exception {
    ActorRef<WebhookLedger.Command> ledger = ledger("sub_replay");
    TestProbe<WebhookLedger.Reply> replies = testKit.createTestProbe();
    CloudEvent event = CloudEvent.newBuilder().setId("e-1").setSource("/s").setType("t").setSpecVersion("1.0")
        .setJsonData("{}").build();
    ledger.tell(new WebhookLedger.AddDeadLetters(List.of(new DeadLetter(0, new AckPoint(new Cursor("shop.orders", 0, 1,
        0), 1), event, T0, T0, "status 500", false)), replies.getRef()));
    assertEquals(1, replies.receiveMessage(Duration.ofSeconds(10)).count());
    ledger.tell(new WebhookLedger.SelectDeadLetters("replay", DeadLetterSelection.ALL, replies.getRef()));
    assertEquals(1, replies.receiveMessage(Duration.ofSeconds(10)).count());

    assertEquals(1, answer(WebhookLedger.replayGaveUp(behindAHandOff("sub_replay", ledger, false), List.of(1L),
        PATIENCE)).count());
    TestProbe<WebhookLedger.DeadLetterPage> queued = testKit.createTestProbe();
    ledger.tell(new WebhookLedger.GetDeadLetters(0, 10, true, queued.getRef()));
    assertEquals(List.of(), queued.receiveMessage(Duration.ofSeconds(10)).letters(),
        "no longer queued, so the next replay does not send it to the failing endpoint again");
  }
}
