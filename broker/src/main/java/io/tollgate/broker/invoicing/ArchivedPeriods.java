package io.tollgate.broker.invoicing;

import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingArchiveSnapshot;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import io.tollgate.protocols.v1.journal.PublishedUsage;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The closed periods of one account, as its live billing moved them out of its state, in the
 * order they were archived: the state of {@link BillingArchive}, without actors. A period stored
 * again (an invoice that was reopened, paid or credited and settled again) adds to what is
 * there: each invoice, usage entry and topic total is replaced by its newer version, and nothing
 * stored before is lost.
 */
public final class ArchivedPeriods {
  private final Map<String, ArchivedPeriod> periods = new LinkedHashMap<>();

  public ArchivedPeriods add(ArchivedPeriod period) {
    ArchivedPeriod before = periods.get(period.getPeriod());
    if (before == null) {
      periods.put(period.getPeriod(), period);
      return this;
    }
    periods.put(period.getPeriod(), ArchivedPeriod.newBuilder().setPeriod(period.getPeriod())
        .setPeriodEndMillis(period.getPeriodEndMillis())
        .addAllInvoices(merged(before, period, ArchivedPeriod::getInvoicesList, invoice -> invoice.getInvoice().getId()))
        .addAllUsage(merged(before, period, ArchivedPeriod::getUsageList, ArchivedPeriods::usageKey))
        .addAllPublished(merged(before, period, ArchivedPeriod::getPublishedList, PublishedUsage::getTopic))
        .build());
    return this;
  }

  public Optional<SnapshotInvoice> invoice(String id) {
    return periods.values().stream().flatMap(period -> period.getInvoicesList().stream())
        .filter(invoice -> invoice.getInvoice().getId().equals(id)).findFirst();
  }

  /** The live ledger with the archived invoices before its own; an invoice reopened is shown as it is live. */
  public AccountBilling.Ledger withInvoicesOf(AccountBilling.Ledger live) {
    Set<String> liveIds = new HashSet<>();
    live.invoices().forEach(invoice -> liveIds.add(invoice.finalized().getId()));
    List<AccountBilling.Invoice> all = new ArrayList<>();
    periods.values().forEach(period -> period.getInvoicesList().stream()
        .filter(invoice -> !liveIds.contains(invoice.getInvoice().getId()))
        .forEach(invoice -> all.add(BillingJournal.invoice(invoice))));
    all.addAll(live.invoices());
    return new AccountBilling.Ledger(List.copyOf(all), live.credits(), live.wallet());
  }

  /** The live usage with the archived periods' added: usage that came after its period was archived adds to it. */
  public AccountBilling.UsageReport withUsageOf(AccountBilling.UsageReport live) {
    Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Metered>>> usage = new TreeMap<>();
    Map<String, Map<String, AccountBilling.Published>> published = new TreeMap<>();
    periods.values().forEach(period -> {
      period.getUsageList().forEach(entry -> usage.computeIfAbsent(entry.getPeriod(), p -> new HashMap<>())
          .computeIfAbsent(entry.getSubscription(), s -> new HashMap<>())
          .merge(Metered.segmentOf(entry), Metered.of(entry), Metered::plus));
      period.getPublishedList().forEach(entry -> published.computeIfAbsent(entry.getPeriod(), p -> new TreeMap<>())
          .merge(entry.getTopic(), new AccountBilling.Published(entry.getEvents(), entry.getBytes()),
              AccountBilling.Published::plus));
    });
    live.byPeriod().forEach((period, bySubscription) -> bySubscription.forEach((subscription, bySegment) ->
        bySegment.forEach((segment, used) -> usage.computeIfAbsent(period, p -> new HashMap<>())
            .computeIfAbsent(subscription, s -> new HashMap<>()).merge(segment, used, Metered::plus))));
    live.published().forEach((period, byTopic) -> byTopic.forEach((topic, totals) ->
        published.computeIfAbsent(period, p -> new TreeMap<>()).merge(topic, totals, AccountBilling.Published::plus)));
    return new AccountBilling.UsageReport(usage, published);
  }

  public BillingArchiveSnapshot toSnapshot() {
    return BillingArchiveSnapshot.newBuilder().addAllPeriods(periods.values()).build();
  }

  public static ArchivedPeriods fromSnapshot(BillingArchiveSnapshot snapshot) {
    ArchivedPeriods archive = new ArchivedPeriods();
    snapshot.getPeriodsList().forEach(archive::add);
    return archive;
  }

  private static <T> Iterable<T> merged(ArchivedPeriod before, ArchivedPeriod after,
                                        Function<ArchivedPeriod, List<T>> items, Function<T, String> key) {
    Map<String, T> byKey = new LinkedHashMap<>();
    items.apply(before).forEach(item -> byKey.put(key.apply(item), item));
    items.apply(after).forEach(item -> byKey.put(key.apply(item), item));
    return byKey.values();
  }

  private static String usageKey(PeriodUsage usage) {
    return usage.getSubscription() + " " + usage.getPlan() + " " + usage.getPlanFromMillis();
  }
}
