package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The billing persists one summed record per read of a journal: the ledger must end where the
 * single records would have taken it, whether the read went through or stopped after any sum
 * and a later read went on from the position the ledger kept.
 */
class FeedSumsTest {
  private static final String SUBSCRIPTION = "sub_1";

  /** Where one usage journal entry lands, and how much it counts; its sequence is its place in the list. */
  record Entry(String period, String plan, long planFrom, long units) {}

  @Provide
  Arbitrary<List<Entry>> entries() {
    Arbitrary<Entry> entry = Combinators.combine(Arbitraries.of("2026-11", "2026-12"), Arbitraries.of("plan_a", "plan_b"),
        Arbitraries.of(0L, 1_000L), Arbitraries.longs().between(0, 100)).as(Entry::new);
    return entry.list().ofMaxSize(60);
  }

  private static List<UsageRecorded> usage(List<Entry> entries) {
    List<UsageRecorded> records = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      records.add(UsageRecorded.newBuilder().setSubscription(SUBSCRIPTION).setSequence(i + 1).setPeriod(entry.period())
          .setUnits(entry.units()).setBytes(entry.units() * 137 + i).setAtMillis(i).setPlan(entry.plan())
          .setPlanFromMillis(entry.planFrom()).build());
    }
    return records;
  }

  private static List<PublishedRecorded> published(List<Entry> entries) {
    List<PublishedRecorded> records = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      records.add(PublishedRecorded.newBuilder().setTopic("shop.orders").setPartition(0).setSequence(i + 1)
          .setPeriod(entry.period()).setEvents(entry.units()).setBytes(entry.units() * 256 + entry.planFrom()).build());
    }
    return records;
  }

  private static BillingLedger applyUsage(BillingLedger ledger, List<UsageRecorded> records) {
    records.stream().filter(record -> record.getSequence() > ledger.positionOf(SUBSCRIPTION))
        .forEach(record -> ledger.apply(BillingJournal.usage(record)));
    return ledger;
  }

  private static BillingLedger applyPublished(BillingLedger ledger, List<PublishedRecorded> records) {
    String journal = new PartitionRef("shop.orders", 0).persistenceId();
    records.stream().filter(record -> record.getSequence() > ledger.positionOf(journal))
        .forEach(record -> ledger.apply(BillingJournal.published(record)));
    return ledger;
  }

  @Property
  void summedUsageCountsWhatTheSingleRecordsWouldHave(@ForAll("entries") List<Entry> entries) {
    BillingLedger single = applyUsage(new BillingLedger("acc_c"), usage(entries));
    BillingLedger summed = applyUsage(new BillingLedger("acc_c"), FeedSums.usage(usage(entries)));
    assertEquals(single.usageReport(), summed.usageReport());
    assertEquals(single.positionOf(SUBSCRIPTION), summed.positionOf(SUBSCRIPTION));
  }

  @Property
  void aReadThatStopsAfterAnySumAndIsReadAgainFromThePositionCountsEachEntryOnce(
      @ForAll("entries") List<Entry> entries, @ForAll @IntRange(min = 0, max = 60) int appliedBeforeTheCrash) {
    List<UsageRecorded> records = usage(entries);
    List<UsageRecorded> firstRead = FeedSums.usage(records);
    BillingLedger ledger = applyUsage(new BillingLedger("acc_c"),
        firstRead.subList(0, Math.min(appliedBeforeTheCrash, firstRead.size())));
    long position = ledger.positionOf(SUBSCRIPTION);
    List<UsageRecorded> secondRead = FeedSums.usage(records.stream().filter(r -> r.getSequence() > position).toList());
    applyUsage(ledger, secondRead);
    applyUsage(ledger, firstRead); // a retried ask of the first read's sums, late

    BillingLedger single = applyUsage(new BillingLedger("acc_c"), records);
    assertEquals(single.usageReport(), ledger.usageReport());
  }

  @Property
  void summedPublishesCountWhatTheSingleRecordsWouldHave(@ForAll("entries") List<Entry> entries) {
    BillingLedger single = applyPublished(new BillingLedger("acc_p"), published(entries));
    BillingLedger summed = applyPublished(new BillingLedger("acc_p"), FeedSums.published(published(entries)));
    assertEquals(single.usageReport(), summed.usageReport());
  }

  @Test
  void consecutiveEntriesOfOnePlaceBecomeOneRecordCarryingTheLastSequence() {
    List<UsageRecorded> sums = FeedSums.usage(usage(List.of(
        new Entry("2026-11", "plan_a", 0, 3), new Entry("2026-11", "plan_a", 0, 4),
        new Entry("2026-11", "plan_b", 500, 1), new Entry("2026-12", "plan_b", 500, 2), new Entry("2026-12", "plan_b", 500, 5))));
    assertEquals(List.of(2L, 3L, 5L), sums.stream().map(UsageRecorded::getSequence).toList());
    assertEquals(List.of(7L, 1L, 7L), sums.stream().map(UsageRecorded::getUnits).toList());
    assertEquals(4, sums.get(2).getAtMillis(), "the time of the last entry");
  }
}
