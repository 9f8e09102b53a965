package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link EntityWatch} with probes for entities: a stopped entity makes the session attach again. */
class EntityWatchTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static SubscriptionEntity.Attached answeredBy(ActorRef<SubscriptionEntity.Command> entity) {
    return new SubscriptionEntity.Attached(Map.of(), "2026-12", 0, true, Optional.of(entity));
  }

  @Test
  void whenTheEntityStopsTheSessionAttachesAgainAndWatchesTheEntityThatAnswered() throws Exception {
    TestProbe<SubscriptionEntity.Command> first = testKit.createTestProbe();
    TestProbe<SubscriptionEntity.Command> second = testKit.createTestProbe();
    LinkedBlockingQueue<CompletableFuture<SubscriptionEntity.Attached>> rejoins = new LinkedBlockingQueue<>();
    AtomicInteger lost = new AtomicInteger();
    testKit.spawn(EntityWatch.create(Optional.of(first.getRef()), () -> {
      CompletableFuture<SubscriptionEntity.Attached> rejoin = new CompletableFuture<>();
      rejoins.add(rejoin);
      return rejoin;
    }, lost::incrementAndGet));

    first.stop();
    CompletableFuture<SubscriptionEntity.Attached> afterFirst = rejoins.poll(10, TimeUnit.SECONDS);
    assertNotNull(afterFirst, "the session attached again once its entity stopped");
    afterFirst.complete(answeredBy(second.getRef()));
    second.stop();
    CompletableFuture<SubscriptionEntity.Attached> afterSecond = rejoins.poll(10, TimeUnit.SECONDS);
    assertNotNull(afterSecond, "the entity at the new home is watched too");
    assertEquals(0, lost.get());
  }

  @Test
  void aRejoinThatFailsEndsTheSession() throws Exception {
    TestProbe<SubscriptionEntity.Command> entity = testKit.createTestProbe();
    CompletableFuture<Void> lost = new CompletableFuture<>();
    TestProbe<EntityWatch.Message> watcher = testKit.createTestProbe();
    ActorRef<EntityWatch.Message> watch = testKit.spawn(EntityWatch.create(Optional.of(entity.getRef()),
        () -> CompletableFuture.<SubscriptionEntity.Attached>failedFuture(new java.util.concurrent.TimeoutException()),
        () -> lost.complete(null)));
    entity.stop();
    lost.get(10, TimeUnit.SECONDS);
    watcher.expectTerminated(watch, Duration.ofSeconds(10));
  }
}
