package io.tollgate.broker.analytics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.AnalyticsRolled;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AnalyticsReadSideTest {
  /** Commands and events go through the broker's Protobuf serializer, as they would between nodes. */
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final SerializationSettings VERIFY_MESSAGES = new SerializationSettings(true, false, true, true, false);
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:30Z");
  private static final long MINUTE = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();
  private static final int SNAPSHOT_EVERY = 3;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A read side that only journals what nodes observe: it follows no journal, and its first tick is an hour away. */
  private static EventSourcedBehaviorTestKit<AnalyticsReadSide.Command, AnalyticsRolled, ReadSideState> readSide() {
    return EventSourcedBehaviorTestKit.create(testKit.system(), AnalyticsReadSide.create(new CatalogView(),
        (persistenceId, from, to) -> Source.empty(), Clock.fixed(NOW, ZoneOffset.UTC),
        new AnalyticsReadSide.Settings(Duration.ofHours(1), 100, Duration.ofHours(1), SNAPSHOT_EVERY),
        (entries, lag) -> { }, testKit.spawn(Topic.create(PartitionAdvanced.class, "analytics-test-writes"))),
        VERIFY_MESSAGES);
  }

  private static long publishedThisMinute(EventSourcedBehaviorTestKit<AnalyticsReadSide.Command, AnalyticsRolled,
      ReadSideState> readSide) {
    TestProbe<AnalyticsReadSide.Series> replies = testKit.createTestProbe();
    readSide.runCommand(new AnalyticsReadSide.Query(Dimension.TOPICS, Optional.empty(), MINUTE, MINUTE + 60_000,
        Resolution.MINUTE, replies.getRef()));
    SortedMap<Long, Rollup> buckets = replies.receiveMessage().byKey().get("shop.orders");
    return buckets == null ? 0 : buckets.values().stream().mapToLong(Rollup::publishedEvents).sum();
  }

  @Test
  void stepsBeforeTheOlderKeptSnapshotAreDeletedAndTheTotalsOutliveARestart() {
    EventSourcedBehaviorTestKit<AnalyticsReadSide.Command, AnalyticsRolled, ReadSideState> readSide = readSide();
    readSide.clear();
    int steps = 20;
    for (int step = 0; step < steps; step++) {
      AnalyticsRollup published = AnalyticsRollup.newBuilder().setDimension(Dimension.TOPICS.wireName())
          .setKey("shop.orders").setBucketMillis(MINUTE).setPublishedEvents(1).build();
      assertEquals(Done.getInstance(), readSide.<Done>runCommand(
          replyTo -> new AnalyticsReadSide.Observe(List.of(published), replyTo)).reply());
    }
    assertEquals(steps, publishedThisMinute(readSide));

    PersistenceTestKit journals = PersistenceTestKit.create(testKit.system());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(
        journals.persistedInStorage(AnalyticsReadSide.PERSISTENCE_ID).size() < 3 * SNAPSHOT_EVERY,
        "steps kept: " + journals.persistedInStorage(AnalyticsReadSide.PERSISTENCE_ID).size()
            + " of " + steps + "; each snapshot deletes the steps before the one it keeps as a fallback"));

    readSide.restart();
    assertEquals(steps, publishedThisMinute(readSide), "every step counted once after recovery");
  }
}
