package io.tollgate.broker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The audit read side's state: what it indexes from the journals, how a page walks it, and what a restart keeps. */
class AuditIndexTest {
  private static final String CATALOG = "Catalog";
  private static final String SHOP_BILLING = "AccountBilling|acc_shop";
  /** Long enough that nothing of the tests' times leaves by age unless a test says so. */
  private static final AuditIndex.Limits UNBOUNDED = new AuditIndex.Limits(Duration.ofDays(36_500), Long.MAX_VALUE);
  private static final long NOW = 100_000_000L;

  private static CatalogChange domain(String name, String actor, long at) {
    return CatalogChange.newBuilder().setAtMillis(at).setActor(actor)
        .setDomainCreated(DomainCreated.newBuilder().setName(name).setOwner(actor)).build();
  }

  private static AuditIndexed step(Map<String, List<AuditIndex.Read>> read) {
    return step(read, UNBOUNDED, NOW);
  }

  private static AuditIndexed step(Map<String, List<AuditIndex.Read>> read, AuditIndex.Limits limits, long now) {
    return AuditIndex.step(read, CATALOG, journal -> journal.substring(journal.indexOf('|') + 1), limits, now);
  }

  private static AuditIndex.Query everything(int limit) {
    return new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }

  private static List<String> targets(AuditIndex.Page page) {
    return page.entries().stream().map(entry -> entry.getDetailsJson().replaceAll(".*\"target\":\"([^\"]*)\".*", "$1"))
        .toList();
  }

  @Test
  void catalogChangesAndBillingActionsAreIndexedWithTheAccountThatMayReadThemAndTheJournalsPositions() {
    Map<String, List<AuditIndex.Read>> read = new LinkedHashMap<>();
    read.put(CATALOG, List.of(new AuditIndex.Read(1, CatalogChange.newBuilder().setAtMillis(10).setActor("admin")
            .setAccountCreated(AccountCreated.newBuilder().setId("acc_shop").setName("Shop")).build()),
        new AuditIndex.Read(2, domain("shop", "acc_shop", 20))));
    read.put(SHOP_BILLING, List.of(new AuditIndex.Read(1, CursorsAdvanced.getDefaultInstance()),
        new AuditIndex.Read(2, WalletToppedUp.newBuilder().setAtMillis(15).setAmount("5.00").setCurrency("USD").build())));
    read.put("AccountBilling|acc_idle", List.of());
    AuditIndex index = new AuditIndex(UNBOUNDED);
    AuditIndexed step = step(read);
    index.apply(step);

    assertEquals(Map.of(CATALOG, 2L, SHOP_BILLING, 2L), step.getPositionsMap(), "a journal with nothing new keeps its position");
    assertEquals(List.of("admin", "admin", "acc_shop"), step.getEntriesList().stream().map(AuditEntry::getActor).toList(),
        "in the log's order; a billing action journaled without its actor was the operator's");
    assertEquals(List.of("acc_shop", "acc_shop", "shop"),
        targets(index.page(new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.empty(), 10), NOW)),
        "usage is the broker's own work and not shown; the rest in order of time");
    assertEquals(List.of("acc_shop", "shop"),
        targets(index.page(new AuditIndex.Query(Optional.of("acc_shop"), Optional.empty(), Optional.empty(), 10), NOW)),
        "an account reads its own changes and the billing actions on it, not the operator's creation of it");
    assertEquals(List.of("shop"),
        targets(index.page(new AuditIndex.Query(Optional.of("acc_shop"), Optional.of("acc_shop"), Optional.empty(), 10), NOW)));
  }

  @Test
  void aPageTouchesAboutAsManyEntriesAsItShowsHoweverLongTheLog() {
    AuditIndex index = new AuditIndex(UNBOUNDED);
    List<AuditIndex.Read> changes = new ArrayList<>();
    for (int i = 1; i <= 100_000; i++) {
      changes.add(new AuditIndex.Read(i, domain("d" + i, i % 2 == 0 ? "acc_even" : "acc_odd", 1_000L + i)));
    }
    index.apply(step(Map.of(CATALOG, changes)));

    AuditIndex.Position middle = new AuditIndex.Position(1_000L + 50_000, "catalog", 50_000);
    AuditIndex.Page all = index.page(new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.of(middle), 20), NOW);
    assertEquals(20, all.entries().size());
    assertEquals(20, all.examined());
    assertEquals(50_001, all.entries().get(0).getSequence(), "the page starts right after its cursor");

    AuditIndex.Page odd = index.page(new AuditIndex.Query(Optional.of("acc_odd"), Optional.of("acc_odd"), Optional.of(middle), 20), NOW);
    assertEquals(20, odd.examined(), "an account's page walks that account's entries, not everyone's");
    assertTrue(odd.entries().stream().allMatch(entry -> entry.getActor().equals("acc_odd")));

    AuditIndex.Page byActor = index.page(new AuditIndex.Query(Optional.empty(), Optional.of("acc_even"), Optional.empty(), 5), NOW);
    assertEquals(5, byActor.examined(), "the operator's page of one actor walks that actor's entries");
  }

  @Test
  void aRestoredIndexHasTheSameEntriesAndPositionsAndAReplayedStepIsNotIndexedTwice() {
    AuditIndex index = new AuditIndex(UNBOUNDED);
    AuditIndexed first = step(Map.of(CATALOG, List.of(new AuditIndex.Read(1, domain("shop", "acc_shop", 10)))));
    index.apply(first);
    AuditIndex restored = AuditIndex.fromSnapshot(index.snapshot(), UNBOUNDED);
    restored.apply(first);
    restored.apply(step(Map.of(CATALOG, List.of(new AuditIndex.Read(2, domain("store", "acc_shop", 20))))));

    assertEquals(List.of("shop", "store"), targets(restored.page(everything(10), NOW)));
    assertEquals(2, restored.position(CATALOG));
    assertEquals(1, index.size());
  }

  private static final long HOUR = 3_600_000L;

  /** Catalog changes of equal size, the n-th at {@code at + n}, by one of three accounts. */
  private static List<AuditIndex.Read> changes(int from, int to, long at) {
    List<AuditIndex.Read> reads = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      reads.add(new AuditIndex.Read(n, domain(String.format("d%05d", n), "acc_" + (char) ('a' + n % 3), at + n)));
    }
    return reads;
  }

  private static AuditIndex.Query after(AuditEntry entry, int limit) {
    return new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.of(AuditIndex.Position.of(entry)), limit);
  }

  @Test
  void entriesPastTheRetentionLeaveAtTheNextStepAndPagesHideThemAtOnce() {
    AuditIndex.Limits hour = new AuditIndex.Limits(Duration.ofMillis(HOUR), Long.MAX_VALUE);
    AuditIndex index = new AuditIndex(hour);
    long start = 10 * HOUR;
    index.apply(step(Map.of(CATALOG, List.of(new AuditIndex.Read(1, domain("early", "acc_a", start)),
        new AuditIndex.Read(2, domain("middle", "acc_a", start + HOUR / 2)))), hour, start + HOUR / 2));
    AuditEntry early = index.page(everything(1), start + HOUR / 2).entries().get(0);
    long later = start + HOUR + 60_000;

    assertEquals(List.of("middle"), targets(index.page(everything(10), later)), "hidden as soon as it is past");
    assertEquals(2, index.size(), "still held until the next step");
    assertTrue(index.page(after(early, 10), later).cursorExpired(), "entries after the cursor may have left");

    AuditIndexed next = step(Map.of(CATALOG, List.of(new AuditIndex.Read(3, domain("stale", "acc_a", start)),
        new AuditIndex.Read(4, domain("late", "acc_a", later)))), hour, later);
    assertEquals(1, next.getEntriesCount(), "a step leaves out what is already past the retention");
    index.apply(next);
    assertEquals(2, index.size());
    assertEquals(List.of("middle", "late"), targets(index.page(everything(10), later)));
    assertEquals(0, index.held().shortfallMillis(later, hour), "the log reaches back the whole retention");
    AuditEntry middle = index.page(everything(1), later).entries().get(0);
    assertEquals(List.of("late"), targets(index.page(after(middle, 10), later)), "a cursor inside the log pages on");

    AuditIndex restarted = new AuditIndex(hour);
    restarted.apply(step(Map.of(CATALOG, List.of(new AuditIndex.Read(1, domain("early", "acc_a", start)),
        new AuditIndex.Read(2, domain("middle", "acc_a", start + HOUR / 2)))), hour, start + HOUR / 2));
    restarted.apply(next);
    assertEquals(index.snapshot(), restarted.snapshot(), "a replay of the same steps, later, leaves the same log");
  }

  @Test
  void pastTheByteCapTheAccountHoldingTheMostGivesUpItsOldestAndACursorBeforeWhatLeftIsExpired() {
    long entryBytes = AuditIndex.sizeOf(AuditEntries.ofCatalog(1, domain("d00001", "acc_a", NOW)));
    AuditIndex.Limits tenEntries = new AuditIndex.Limits(Duration.ofDays(400), 10 * entryBytes);
    AuditIndex index = new AuditIndex(tenEntries);
    for (int round = 0; round < 5; round++) {
      index.apply(step(Map.of(CATALOG, changes(round * 5 + 1, round * 5 + 5, NOW)), tenEntries, NOW + 100));
    }

    assertEquals(10, index.size());
    assertTrue(index.held().bytes() <= tenEntries.maxBytes(), index.held().toString());
    Map<String, List<Long>> kept = new java.util.TreeMap<>();
    for (String account : List.of("acc_a", "acc_b", "acc_c")) {
      kept.put(account, index.page(new AuditIndex.Query(Optional.of(account), Optional.empty(), Optional.empty(), 100),
          NOW + 100).entries().stream().map(AuditEntry::getSequence).toList());
    }
    // 25 changes, a third each: the three share the cap, each keeping its newest (of equal
    // shares, the first by name gives up an entry first)
    assertEquals(Map.of("acc_a", List.of(18L, 21L, 24L), "acc_b", List.of(19L, 22L, 25L),
        "acc_c", List.of(14L, 17L, 20L, 23L)), kept);
    AuditEntry lastLeft = AuditEntries.ofCatalog(16, domain("d00016", "acc_b", NOW + 16));
    AuditEntry beforeIt = AuditEntries.ofCatalog(15, domain("d00015", "acc_a", NOW + 15));
    List<AuditEntry> all = index.page(everything(100), NOW + 100).entries();
    assertEquals(List.of(17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L), all.stream().map(AuditEntry::getSequence).toList(),
        "the operator's log starts after the last entry that left any account");
    assertEquals(all.subList(0, 3), index.page(after(lastLeft, 3), NOW + 100).entries(),
        "nothing after the last entry that left has left");
    assertTrue(index.page(after(beforeIt, 3), NOW + 100).cursorExpired());
    AuditEntry keptOfC = AuditEntries.ofCatalog(14, domain("d00014", "acc_c", NOW + 14));
    assertEquals(List.of(17L, 20L, 23L), index.page(new AuditIndex.Query(Optional.of("acc_c"), Optional.empty(),
            Optional.of(AuditIndex.Position.of(keptOfC)), 100), NOW + 100).entries().stream()
        .map(AuditEntry::getSequence).toList(), "an account's log starts where its own entries left");
    assertEquals(Duration.ofDays(400).toMillis() - 84, index.held().shortfallMillis(NOW + 100, tenEntries),
        "the operator's log falls short of the retention from the retention's start to the last entry that left");
  }

  @Test
  void anAccountThatFloodsTheLogShortensItsOwnAndNotTheOthers() {
    // room for the quiet account's 5 entries and 15 of the flood's newest (sequences of two bytes)
    long quietBytes = AuditIndex.sizeOf(AuditEntries.ofCatalog(1, domain("q00001", "acc_q", NOW)));
    long floodBytes = AuditIndex.sizeOf(AuditEntries.ofCatalog(500, domain("f00500", "acc_f", NOW)));
    AuditIndex.Limits twentyEntries = new AuditIndex.Limits(Duration.ofDays(400), 5 * quietBytes + 15 * floodBytes);
    AuditIndex index = new AuditIndex(twentyEntries);
    List<AuditIndex.Read> quiet = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      quiet.add(new AuditIndex.Read(n, domain(String.format("q%05d", n), "acc_q", NOW + n)));
    }
    index.apply(step(Map.of(CATALOG, quiet), twentyEntries, NOW + 10));
    AuditIndex.Query quietsLog = new AuditIndex.Query(Optional.of("acc_q"), Optional.empty(), Optional.empty(), 100);
    List<AuditEntry> before = index.page(quietsLog, NOW + 10).entries();

    long sequence = 5;
    for (int round = 1; round <= 50; round++) {
      List<AuditIndex.Read> flood = new ArrayList<>();
      for (int n = 0; n < 10; n++) {
        sequence++;
        flood.add(new AuditIndex.Read(sequence, domain(String.format("f%05d", sequence), "acc_f", NOW + round * 100L + n)));
      }
      index.apply(step(Map.of(CATALOG, flood), twentyEntries, NOW + round * 100L + 50));
    }

    long later = NOW + 6_000;
    assertEquals(before, index.page(quietsLog, later).entries(), "the quiet account keeps all of its log");
    assertEquals(before.subList(1, 5), index.page(new AuditIndex.Query(Optional.of("acc_q"), Optional.empty(),
        Optional.of(AuditIndex.Position.of(before.get(0))), 100), later).entries(), "and its cursors stay valid");
    List<AuditEntry> flooders = index.page(new AuditIndex.Query(Optional.of("acc_f"), Optional.empty(),
        Optional.empty(), 100), later).entries();
    assertEquals(15, flooders.size(), "the flood keeps what is left of the cap");
    assertEquals(sequence, flooders.get(flooders.size() - 1).getSequence(), "its newest entries");
    assertTrue(index.page(new AuditIndex.Query(Optional.of("acc_f"), Optional.empty(), Optional.of(
        AuditIndex.Position.of(flooders.get(0))), 100), later).entries().size() == 14);
    assertTrue(index.page(new AuditIndex.Query(Optional.of("acc_f"), Optional.empty(), Optional.of(
        new AuditIndex.Position(NOW + 150, "catalog", 10)), 100), later).cursorExpired(),
        "a cursor of the flooder's from before what it lost is expired");
  }

  @Test
  void aStepLargerThanTheCapKeepsEachAccountsNewestEntriesAndSaysWhereEachAccountsLogNowStarts() {
    long entryBytes = AuditIndex.sizeOf(AuditEntries.ofCatalog(1, domain("d00001", "acc_a", NOW)));
    AuditIndex.Limits tenEntries = new AuditIndex.Limits(Duration.ofDays(400), 10 * entryBytes);
    AuditIndex index = new AuditIndex(tenEntries);
    index.apply(step(Map.of(CATALOG, changes(1, 1, NOW)), tenEntries, NOW));
    AuditEntry first = index.page(everything(1), NOW).entries().get(0);

    AuditIndexed burst = step(Map.of(CATALOG, changes(2, 40, NOW)), tenEntries, NOW + 100);
    assertEquals(10, burst.getEntriesCount(), "no step is larger than the log may be");
    assertEquals(List.of(29L, 32L, 33L, 34L, 35L, 36L, 37L, 38L, 39L, 40L),
        burst.getEntriesList().stream().map(AuditEntry::getSequence).toList(), "each account's newest");
    assertEquals(new AuditIndex.Position(NOW + 30, "catalog", 31),
        AuditIndex.Position.of(burst.getEvictedBeforeOrThrow("acc_a")), "right after the newest of acc_a it left out");
    assertEquals(new AuditIndex.Position(NOW + 31, "catalog", 32),
        AuditIndex.Position.of(burst.getEvictedBeforeOrThrow("acc_b")));
    assertEquals(new AuditIndex.Position(NOW + 26, "catalog", 27),
        AuditIndex.Position.of(burst.getEvictedBeforeOrThrow("acc_c")));
    index.apply(burst);
    assertEquals(10, index.size());
    assertTrue(index.page(after(first, 10), NOW + 100).cursorExpired(), "the entries it left out are missing after it");
    assertEquals(40, burst.getPositionsOrThrow(CATALOG), "what it left out was read nonetheless");
  }

  @Test
  void theSnapshotStaysUnderTheCapHoweverManyEntriesWereIndexedAndRestoresTheSamePages() {
    AuditIndex.Limits capped = new AuditIndex.Limits(Duration.ofDays(400), 64 * 1024);
    AuditIndex index = new AuditIndex(capped);
    int sequence = 0;
    for (int round = 0; round < 200; round++) {
      Map<String, List<AuditIndex.Read>> read = new LinkedHashMap<>();
      read.put(CATALOG, changes(sequence + 1, sequence + 40, NOW + round * 1000L));
      read.put("AccountBilling|acc_" + round % 20, List.of(new AuditIndex.Read(round / 20 + 1, WalletToppedUp.newBuilder()
          .setAtMillis(NOW + round * 1000L).setAmount("5.00").setCurrency("USD").setActor("admin").build())));
      sequence += 40;
      index.apply(step(read, capped, NOW + round * 1000L));
    }
    io.tollgate.protocols.v1.journal.AuditSnapshot snapshot = index.snapshot();
    int positionsBytes = snapshot.toBuilder().clearEntries().build().getSerializedSize();
    int snapshotBytes = index.snapshot().getSerializedSize();
    assertTrue(snapshotBytes <= capped.maxBytes() + positionsBytes + 64,
        "8,200 entries indexed, the snapshot is " + snapshotBytes + " bytes, " + positionsBytes
            + " of them positions and where the log starts");
    assertTrue(snapshotBytes > capped.maxBytes() * 9 / 10, "it holds about as much as the cap allows: " + snapshotBytes);

    AuditIndex restored = AuditIndex.fromSnapshot(index.snapshot(), capped);
    long now = NOW + 200_000;
    assertEquals(index.page(everything(1000), now), restored.page(everything(1000), now));
    AuditIndex.Query beforeTheLog = new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.of(
        new AuditIndex.Position(index.held().retainedFromMillis().getAsLong() - 1, "catalog", 1)), 1);
    assertTrue(index.page(beforeTheLog, now).cursorExpired());
    assertTrue(restored.page(beforeTheLog, now).cursorExpired(), "what left stays gone after a restore");
    assertEquals(index.position("AccountBilling|acc_7"), restored.position("AccountBilling|acc_7"));

    AuditIndex.Limits smaller = new AuditIndex.Limits(Duration.ofDays(400), 16 * 1024);
    assertTrue(AuditIndex.fromSnapshot(index.snapshot(), smaller).held().bytes() <= smaller.maxBytes(),
        "a node restarted with a smaller cap fits the log to it");
  }
}
