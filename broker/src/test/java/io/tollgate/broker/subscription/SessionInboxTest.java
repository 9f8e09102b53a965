package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A session's inbox: kept before its stream runs, bounded, and ended by closing it. */
class SessionInboxTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void messagesOfferedBeforeTheStreamRunsAreKeptTheOldestDroppedPastTheCapacityAndClosingEndsIt() throws Exception {
    SessionInbox<Integer> inbox = new SessionInbox<>(3);
    for (int i = 1; i <= 5; i++) {
      inbox.offer(i);
    }
    inbox.close();
    inbox.offer(6);
    List<Integer> read = inbox.source().runWith(Sink.seq(), testKit.system()).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertEquals(List.of(3, 4, 5), read, "the newest three, then the end; nothing after closing");
  }

  @Test
  void aRunningStreamIsWokenByEachOfferAndTakesOnlyWhatItAsksFor() {
    SessionInbox<String> inbox = new SessionInbox<>(10);
    TestSubscriber.Probe<String> stream = inbox.source().toMat(TestSink.probe(testKit.system().classicSystem()),
        Keep.right()).run(testKit.system());
    stream.request(1);
    stream.expectNoMessage(Duration.ofMillis(50));
    inbox.offer("a");
    inbox.offer("b");
    assertEquals("a", stream.expectNext(Duration.ofSeconds(5)));
    stream.expectNoMessage(Duration.ofMillis(50));
    stream.request(1);
    assertEquals("b", stream.expectNext(Duration.ofSeconds(5)));
    inbox.close();
    stream.request(1);
    stream.expectComplete();
  }
}
