package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import io.tollgate.protocols.v1.journal.DomainCreated;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog entity saves a snapshot every few changes and recovers from it; a node's view
 * starts from the same snapshot and reads only the changes after it.
 */
class CatalogEntitySnapshotTest {
  private static final int SNAPSHOT_EVERY = 4;
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());

  private EventSourcedBehaviorTestKit<CatalogEntity.Command, CatalogChange, Catalog> entity;

  @BeforeEach
  void emptyCatalog() {
    entity = EventSourcedBehaviorTestKit.create(testKit.system(),
        CatalogEntity.create(CatalogLimits.UNCHECKED, SNAPSHOT_EVERY), new SerializationSettings(true, false, true, true, false));
    entity.clear();
    SnapshotTestKit.create(testKit.system()).clearAll();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theEntitySavesASnapshotEveryFewChangesAndRecoversTheSameCatalog() {
    applyChanges(10);
    CatalogSnapshot before = entity.getState().toSnapshot();

    SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());
    var saved = snapshots.persistedInStorage(CatalogEntity.PERSISTENCE_ID);
    assertEquals(List.of(4L, 8L), saved.stream().map(pair -> pair.first().sequenceNr()).toList());
    assertInstanceOf(CatalogSnapshot.class, saved.get(saved.size() - 1).second(), "stored as its Protobuf message");

    entity.restart();
    assertEquals(before, entity.getState().toSnapshot());
    assertEquals(10, entity.getState().version());
  }

  @Test
  void aViewLoadsTheLatestSnapshotAndReadsOnlyTheChangesAfterIt() throws Exception {
    applyChanges(10);
    Catalog view = new Catalog();
    List<CatalogChange> read = new ArrayList<>();
    CompletableFuture<Long> loaded = new CompletableFuture<>();
    testKit.spawn(CatalogLoader.create(view, change -> {
      view.apply(change);
      read.add(change);
    }, loaded));

    assertEquals(10L, loaded.get(10, TimeUnit.SECONDS));
    assertEquals(2, read.size(), "the changes after the snapshot at 8");
    assertEquals(entity.getState().toSnapshot(), view.toSnapshot());
  }

  private void applyChanges(int count) {
    for (int i = 0; i < count; i++) {
      CatalogChange.Builder change = CatalogChange.newBuilder().setAtMillis(1_700_000_000_000L + i).setActor("admin");
      if (i % 2 == 0) {
        change.setAccountCreated(AccountCreated.newBuilder().setId("acc_" + i).setName("Account " + i));
      } else {
        change.setDomainCreated(DomainCreated.newBuilder().setName("shop" + i).setOwner("acc_" + (i - 1)));
      }
      var result = entity.<CatalogEntity.Result>runCommand(replyTo -> new CatalogEntity.Apply(change.build(), replyTo));
      assertEquals(new CatalogEntity.Applied(i + 1), result.reply());
    }
  }
}
