package io.tollgate.broker.audit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.e2e.MutableClock;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The audit read side as an entity: what it journals and snapshots, and what a restart keeps, within its limits. */
class AuditReadSideTest {
  /** Commands and events go through the broker's Protobuf serializer, as they would between nodes. */
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final SerializationSettings VERIFY_MESSAGES = new SerializationSettings(true, false, true, true, false);
  private static final String SHOP = "acc_shop";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final FakeJournal journal = new FakeJournal();
  private final CatalogView view = new CatalogView();
  private final AtomicLong entriesRead = new AtomicLong();
  private final AtomicReference<AuditIndex.Held> held = new AtomicReference<>(AuditIndex.Held.NOTHING);
  private EventSourcedBehaviorTestKit<AuditReadSide.Command, AuditIndexed, AuditIndex> readSide;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A read side with no journal of its own yet (its persistence id is the same in every test). */
  private void start(AuditIndex.Limits limits, int snapshotEvery) {
    readSide = EventSourcedBehaviorTestKit.create(testKit.system(), AuditReadSide.create(view, journal, clock, limits,
        snapshotEvery, new AuditReadSide.Listener() {
          @Override
          public void read(long entries) {
            entriesRead.addAndGet(entries);
          }

          @Override
          public void held(AuditIndex.Held now) {
            held.set(now);
          }
        }), VERIFY_MESSAGES);
    readSide.clear();
  }

  private CatalogChange account(String id) {
    CatalogChange created = CatalogChange.newBuilder().setAtMillis(clock.millis()).setActor("admin")
        .setAccountCreated(AccountCreated.newBuilder().setId(id).setName(id)).build();
    view.catalog().apply(created);
    return created;
  }

  private CatalogChange domain(String name) {
    return CatalogChange.newBuilder().setAtMillis(clock.millis()).setActor(SHOP)
        .setDomainCreated(DomainCreated.newBuilder().setName(name).setOwner(SHOP)).build();
  }

  private WalletToppedUp topUp(String key) {
    return WalletToppedUp.newBuilder().setAtMillis(clock.millis()).setAmount("5.00").setCurrency("USD")
        .setIdempotencyKey(key).setActor("admin").build();
  }

  private AuditReadSide.PageOfEntries page(Optional<String> account, Optional<AuditIndex.Position> after) {
    TestProbe<AuditReadSide.PageOfEntries> replies = testKit.createTestProbe();
    readSide.runCommand(new AuditReadSide.GetPage(new AuditIndex.Query(account, Optional.empty(), after, 1000),
        replies.ref()));
    return replies.expectMessageClass(AuditReadSide.PageOfEntries.class, Duration.ofSeconds(10));
  }

  private AuditReadSide.PageOfEntries everything() {
    return page(Optional.empty(), Optional.empty());
  }

  @Test
  void aRestartFromASnapshotTakenAfterEntriesLeftGivesTheSamePagesAndReadsOnlyWhatIsNew() {
    long entryBytes = AuditIndex.sizeOf(AuditEntries.ofCatalog(1, domain("d00")));
    AuditIndex.Limits limits = new AuditIndex.Limits(Duration.ofDays(400), 24 * entryBytes);
    start(limits, 3);
    journal.append(CatalogEntity.PERSISTENCE_ID, account(SHOP));
    AuditEntry first = everything().entries().get(0);
    for (int round = 1; round <= 10; round++) {
      for (int n = 0; n < 3; n++) {
        clock.advance(Duration.ofMinutes(1));
        journal.append(CatalogEntity.PERSISTENCE_ID, domain(String.format("d%02d", round * 3 + n)));
      }
      journal.append(AccountBilling.persistenceId(SHOP), topUp("order-" + round));
      AuditReadSide.PageOfEntries page = everything();
      assertTrue(held.get().bytes() <= limits.maxBytes(), "round " + round + ": " + held.get());
      assertFalse(page.cursorExpired());
    }
    AuditReadSide.PageOfEntries before = everything();
    AuditReadSide.PageOfEntries shopBefore = page(Optional.of(SHOP), Optional.empty());
    assertTrue(before.entries().size() < 41 && before.entries().size() >= 10, "41 indexed, kept: " + before.entries().size());
    assertTrue(page(Optional.empty(), Optional.of(AuditIndex.Position.of(first))).cursorExpired(),
        "the first entry's cursor, now before the log");
    assertTrue(held.get().shortfallMillis(clock.millis(), limits) > 0, "the byte cap cut the log short of its retention");
    PersistenceTestKit journals = PersistenceTestKit.create(testKit.system());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(
        journals.persistedInStorage(AuditReadSide.PERSISTENCE_ID).size() <= 3 * 3 - 1,
        "steps kept: " + journals.persistedInStorage(AuditReadSide.PERSISTENCE_ID).size()
            + "; each snapshot deletes the steps before the one it keeps as a fallback"));

    long readBefore = entriesRead.get();
    readSide.restart();
    assertEquals(before, everything(), "the same page after the restart");
    assertEquals(shopBefore, page(Optional.of(SHOP), Optional.empty()));
    assertTrue(page(Optional.empty(), Optional.of(AuditIndex.Position.of(first))).cursorExpired());
    assertEquals(readBefore, entriesRead.get(), "nothing read again");

    clock.advance(Duration.ofMinutes(1));
    journal.append(CatalogEntity.PERSISTENCE_ID, domain("after-restart"));
    AuditEntry last = before.entries().get(before.entries().size() - 1);
    List<AuditEntry> next = page(Optional.empty(), Optional.of(AuditIndex.Position.of(last))).entries();
    assertEquals(1, next.size(), "only the new change, once: " + next);
    assertTrue(next.get(0).getDetailsJson().contains("after-restart"));
    assertEquals(readBefore + 1, entriesRead.get());
    List<AuditEntry> all = everything().entries();
    assertEquals(all.size(), new HashSet<>(all).size(), "nothing indexed twice");
  }

  @Test
  void aCursorPastTheRetentionIsAnsweredExpiredAndAPageWithoutOneStartsAtTheOldestKept() {
    start(new AuditIndex.Limits(Duration.ofHours(1), 1 << 20), 100);
    journal.append(CatalogEntity.PERSISTENCE_ID, account(SHOP));
    journal.append(CatalogEntity.PERSISTENCE_ID, domain("early"));
    AuditEntry early = everything().entries().get(1);

    clock.advance(Duration.ofMinutes(61));
    journal.append(CatalogEntity.PERSISTENCE_ID, domain("late"));
    assertTrue(page(Optional.of(SHOP), Optional.of(AuditIndex.Position.of(early))).cursorExpired(),
        "an account's page too");
    List<AuditEntry> kept = everything().entries();
    assertEquals(1, kept.size(), kept.toString());
    assertTrue(kept.get(0).getDetailsJson().contains("late"));
    assertEquals(1, held.get().entries(), "the early entries left at the step that read the late one");
    readSide.restart();
    assertEquals(kept, everything().entries());
  }

  /** Journals kept in memory, read as the read side reads them. */
  static final class FakeJournal implements CurrentEventsByPersistenceIdQuery {
    private final Map<String, List<Object>> events = new ConcurrentHashMap<>();

    void append(String persistenceId, Object event) {
      events.computeIfAbsent(persistenceId, id -> new CopyOnWriteArrayList<>()).add(event);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long from, long to) {
      List<Object> stored = events.getOrDefault(persistenceId, List.of());
      List<EventEnvelope> envelopes = new ArrayList<>();
      for (long sequence = Math.max(1, from); sequence <= Math.min(to, stored.size()); sequence++) {
        envelopes.add(new EventEnvelope(Offset.sequence(sequence), persistenceId, sequence, stored.get((int) sequence - 1),
            0L));
      }
      return Source.from(envelopes);
    }
  }
}
