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

  private static CatalogChange domain(String name, String actor, long at) {
    return CatalogChange.newBuilder().setAtMillis(at).setActor(actor)
        .setDomainCreated(DomainCreated.newBuilder().setName(name).setOwner(actor)).build();
  }

  private static AuditIndexed step(Map<String, List<AuditIndex.Read>> read) {
    return AuditIndex.step(read, CATALOG, journal -> journal.substring(journal.indexOf('|') + 1));
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
    AuditIndex index = new AuditIndex();
    AuditIndexed step = step(read);
    index.apply(step);

    assertEquals(Map.of(CATALOG, 2L, SHOP_BILLING, 2L), step.getPositionsMap(), "a journal with nothing new keeps its position");
    assertEquals(List.of("admin", "acc_shop", "admin"), step.getEntriesList().stream().map(AuditEntry::getActor).toList(),
        "a billing action journaled without its actor was the operator's");
    assertEquals(List.of("acc_shop", "acc_shop", "shop"),
        targets(index.page(new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.empty(), 10))),
        "usage is the broker's own work and not shown; the rest in order of time");
    assertEquals(List.of("acc_shop", "shop"),
        targets(index.page(new AuditIndex.Query(Optional.of("acc_shop"), Optional.empty(), Optional.empty(), 10))),
        "an account reads its own changes and the billing actions on it, not the operator's creation of it");
    assertEquals(List.of("shop"),
        targets(index.page(new AuditIndex.Query(Optional.of("acc_shop"), Optional.of("acc_shop"), Optional.empty(), 10))));
  }

  @Test
  void aPageTouchesAboutAsManyEntriesAsItShowsHoweverLongTheLog() {
    AuditIndex index = new AuditIndex();
    List<AuditIndex.Read> changes = new ArrayList<>();
    for (int i = 1; i <= 100_000; i++) {
      changes.add(new AuditIndex.Read(i, domain("d" + i, i % 2 == 0 ? "acc_even" : "acc_odd", 1_000L + i)));
    }
    index.apply(step(Map.of(CATALOG, changes)));

    AuditIndex.Position middle = new AuditIndex.Position(1_000L + 50_000, "catalog", 50_000);
    AuditIndex.Page all = index.page(new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.of(middle), 20));
    assertEquals(20, all.entries().size());
    assertEquals(20, all.examined());
    assertEquals(50_001, all.entries().get(0).getSequence(), "the page starts right after its cursor");

    AuditIndex.Page odd = index.page(new AuditIndex.Query(Optional.of("acc_odd"), Optional.of("acc_odd"), Optional.of(middle), 20));
    assertEquals(20, odd.examined(), "an account's page walks that account's entries, not everyone's");
    assertTrue(odd.entries().stream().allMatch(entry -> entry.getActor().equals("acc_odd")));

    AuditIndex.Page byActor = index.page(new AuditIndex.Query(Optional.empty(), Optional.of("acc_even"), Optional.empty(), 5));
    assertEquals(5, byActor.examined(), "the operator's page of one actor walks that actor's entries");
  }

  @Test
  void aRestoredIndexHasTheSameEntriesAndPositionsAndAReplayedStepIsNotIndexedTwice() {
    AuditIndex index = new AuditIndex();
    AuditIndexed first = step(Map.of(CATALOG, List.of(new AuditIndex.Read(1, domain("shop", "acc_shop", 10)))));
    index.apply(first);
    AuditIndex restored = AuditIndex.fromSnapshot(index.snapshot());
    restored.apply(first);
    restored.apply(step(Map.of(CATALOG, List.of(new AuditIndex.Read(2, domain("store", "acc_shop", 20))))));

    AuditIndex.Query everything = new AuditIndex.Query(Optional.empty(), Optional.empty(), Optional.empty(), 10);
    assertEquals(List.of("shop", "store"), targets(restored.page(everything)));
    assertEquals(2, restored.position(CATALOG));
    assertEquals(1, index.size());
  }
}
