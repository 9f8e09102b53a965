package io.tollgate.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The retrying ask, against an entity that is a probe. */
class ShardedAskTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final EntityTypeKey<Ping> KEY = EntityTypeKey.create(Ping.class, "ShardedAskTest");

  private record Ping(ActorRef<String> replyTo) {}

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anUnansweredCommandIsSentAgainAfterTwiceAsLongEachTimeUntilTheDeadline() {
    TestProbe<Ping> entity = testKit.createTestProbe();
    EntityRef<Ping> ref = TestEntityRef.of(KEY, "slow", entity.getRef());
    CompletableFuture<String> answer = ShardedAsk.<Ping, String>ask(ref, Ping::new, Duration.ofMillis(100),
        Duration.ofMillis(1500)).toCompletableFuture();
    int sent = 0;
    while (!answer.isDone()) {
      if (received(entity)) {
        sent++;
      }
    }
    while (received(entity)) {
      sent++;
    }
    ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, failed.getCause());
    assertTrue(sent >= 2 && sent <= 4, "sent at 0, 100, 300 and 700 ms, not every 100 ms (15 times): " + sent);
  }

  /**
   * A shard region that has stopped (its node was downed) fails each ask at once, as a timeout.
   * Sent again at once, the attempts would spin until the deadline, each on the stack of the
   * one before, and end in a stack overflow instead of the timeout: so each waits out its time.
   */
  @Test
  void anAttemptThatFailsAtOnceIsSentAgainOnlyAfterItsTime() {
    TestProbe<Ping> stopped = testKit.createTestProbe();
    stopped.stop();
    testKit.createTestProbe().expectTerminated(stopped.getRef(), Duration.ofSeconds(5));
    EntityRef<Ping> ref = TestEntityRef.of(KEY, "region-stopped", stopped.getRef());
    AtomicInteger sent = new AtomicInteger();
    CompletableFuture<String> answer = ShardedAsk.<Ping, String>ask(ref, replyTo -> {
      sent.incrementAndGet();
      return new Ping(replyTo);
    }, Duration.ofMillis(100), Duration.ofMillis(1500)).toCompletableFuture();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, failed.getCause());
    assertTrue(sent.get() >= 2 && sent.get() <= 5, "sent at 0, 100, 300 and 700 ms, not in a loop: " + sent.get());
  }

  /** Whether the entity got a command within 50 ms. */
  private static boolean received(TestProbe<Ping> entity) {
    try {
      entity.receiveMessage(Duration.ofMillis(50));
      return true;
    } catch (AssertionError nothingYet) {
      return false;
    }
  }

  @Test
  void aCommandAnsweredOnALaterAttemptCompletesTheAsk() throws Exception {
    TestProbe<Ping> entity = testKit.createTestProbe();
    EntityRef<Ping> ref = TestEntityRef.of(KEY, "late", entity.getRef());
    CompletableFuture<String> answer = ShardedAsk.<Ping, String>ask(ref, Ping::new, Duration.ofMillis(100),
        Duration.ofSeconds(5)).toCompletableFuture();
    entity.receiveMessage(Duration.ofSeconds(5));
    // Every later attempt is answered: an answer that comes after its own attempt ran out (a test
    // thread held up for 200 ms) is lost, and the next attempt's is not.
    while (!answer.isDone()) {
      answerIfAsked(entity);
    }
    assertEquals("pong", answer.get(5, TimeUnit.SECONDS));
  }

  /** Answers the command the entity got within 50 ms, if any. */
  private static void answerIfAsked(TestProbe<Ping> entity) {
    try {
      entity.receiveMessage(Duration.ofMillis(50)).replyTo().tell("pong");
    } catch (AssertionError nothingYet) {
      // the next attempt has not come yet, or the answer is on its way
    }
  }
}
