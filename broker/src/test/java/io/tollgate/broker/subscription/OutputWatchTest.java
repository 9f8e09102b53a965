package io.tollgate.broker.subscription;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The last stage of a stream's output: in the sweep's set only while a frame waits for the connection. */
class OutputWatchTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private final StalledOutputs stalls = new StalledOutputs(Duration.ofSeconds(120));
  private final TestPublisher.Probe<String> upstream;
  private final TestSubscriber.Probe<String> connection;

  OutputWatchTest() {
    Pair<TestPublisher.Probe<String>, TestSubscriber.Probe<String>> probes =
        TestSource.<String>probe(testKit.system().classicSystem()).via(new OutputWatch<>(stalls))
            .toMat(TestSink.probe(testKit.system().classicSystem()), Keep.both()).run(testKit.system());
    upstream = probes.first();
    connection = probes.second();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFrameWaitsInTheSetOnlyUntilTheConnectionTakesIt() {
    connection.request(1);
    upstream.sendNext("taken at once");
    connection.expectNext("taken at once");
    assertEquals(0, stalls.waitingCount(), "a connection that keeps up is not in the set");
    upstream.sendNext("waits");
    await().atMost(Duration.ofSeconds(10)).until(() -> stalls.waitingCount() == 1);
    connection.request(1);
    connection.expectNext("waits");
    assertEquals(0, stalls.waitingCount());
    assertEquals(0, stalls.sweep(System.nanoTime() + Duration.ofHours(1).toNanos()), "nothing waits: nothing to abort");
  }

  @Test
  void theSweepAbortsAStreamWhoseFrameWaitedTheStallTimeout() {
    upstream.sendNext("never taken");
    await().atMost(Duration.ofSeconds(10)).until(() -> stalls.waitingCount() == 1);
    assertEquals(0, stalls.sweep(System.nanoTime()));
    assertEquals(1, stalls.sweep(System.nanoTime() + Duration.ofSeconds(121).toNanos()));
    assertInstanceOf(OutputWatch.Stalled.class, connection.expectSubscriptionAndError());
    upstream.expectCancellation();
    assertEquals(0, stalls.waitingCount());
  }

  @Test
  void aFrameHeldWhenUpstreamEndsIsStillSentAndThenTheStreamCompletes() {
    upstream.sendNext("last");
    await().atMost(Duration.ofSeconds(10)).until(() -> stalls.waitingCount() == 1);
    upstream.sendComplete();
    connection.request(1);
    connection.expectNext("last");
    connection.expectComplete();
    assertEquals(0, stalls.waitingCount());
  }
}
