package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The archive of closed periods: stored again, a period keeps what it had and takes what is newer. */
class ArchivedPeriodsTest {
  private static SnapshotInvoice invoice(String id, String status) {
    return SnapshotInvoice.newBuilder().setInvoice(InvoiceFinalized.newBuilder().setId(id).setPeriod("2026-11"))
        .setStatus(status).build();
  }

  private static PeriodUsage usage(String subscription, long units) {
    return PeriodUsage.newBuilder().setPeriod("2026-11").setSubscription(subscription).setPlan("plan_a").setUnits(units)
        .setBytes(units * 10).build();
  }

  @Test
  void aPeriodStoredAgainReplacesItsInvoicesByIdAndKeepsItsUsage() {
    ArchivedPeriods archive = new ArchivedPeriods()
        .add(ArchivedPeriod.newBuilder().setPeriod("2026-11").addInvoices(invoice("inv_usd", "finalized"))
            .addInvoices(invoice("inv_eur", "finalized")).addUsage(usage("sub_a", 30)).build())
        .add(ArchivedPeriod.newBuilder().setPeriod("2026-11").addInvoices(invoice("inv_usd", "paid")).build());

    assertEquals("paid", archive.invoice("inv_usd").orElseThrow().getStatus());
    assertEquals("finalized", archive.invoice("inv_eur").orElseThrow().getStatus());
    assertEquals(List.of(usage("sub_a", 30)), archive.toSnapshot().getPeriods(0).getUsageList());
    assertEquals(archive.toSnapshot(), ArchivedPeriods.fromSnapshot(archive.toSnapshot()).toSnapshot());
  }

  @Test
  void usageAfterThePeriodWasArchivedAddsToWhatTheArchiveHolds() {
    ArchivedPeriods archive = new ArchivedPeriods()
        .add(ArchivedPeriod.newBuilder().setPeriod("2026-11").addUsage(usage("sub_a", 30)).build());
    Invoicing.PlanSegmentKey segment = new Invoicing.PlanSegmentKey("plan_a", Instant.EPOCH);
    AccountBilling.UsageReport live = new AccountBilling.UsageReport(
        Map.of("2026-11", Map.of("sub_a", Map.of(segment, new Metered(2, 20))),
            "2026-12", Map.of("sub_a", Map.of(segment, new Metered(5, 50)))), Map.of());

    AccountBilling.UsageReport all = archive.withUsageOf(live);
    assertEquals(new Metered(32, 320), all.used("2026-11", "sub_a"));
    assertEquals(new Metered(5, 50), all.used("2026-12", "sub_a"));
  }
}
