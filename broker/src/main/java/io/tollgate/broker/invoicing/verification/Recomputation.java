package io.tollgate.broker.invoicing.verification;

import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.Invoicing;
import io.tollgate.broker.invoicing.Metered;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The invoices a period should have, from the catalog's history and the usage journals alone:
 * each acknowledged unit, and its bytes, is attributed to the plan segment in force at its ack (as the catalog's
 * whole history has it, not as some node's view had it when the feed read it), and the period is
 * priced by the same pure rules the close applies ({@link Invoicing#draft}, the billing module).
 */
final class Recomputation {
  /** An invoice as it should be: its lines in invoice order and their total. */
  record Expected(List<InvoiceLine> lines, Money total) {
    boolean billsAnything() {
      return lines.stream().anyMatch(line -> line.getQuantity() > 0);
    }
  }

  private final Catalog catalog;
  /** Events and their bytes per period, subscription and plan segment. */
  private final Map<String, Map<String, Map<Invoicing.PlanSegmentKey, Metered>>> used = new HashMap<>();
  private int usageRecords;

  Recomputation(Catalog catalog, Map<String, List<CursorsAdvanced>> usageJournals) {
    this.catalog = catalog;
    usageJournals.forEach((subscriptionId, records) -> catalog.subscription(subscriptionId).ifPresent(subscription -> {
      for (CursorsAdvanced record : records) {
        if (record.getUnits() > 0 || record.getBytes() > 0) {
          usageRecords++;
          Invoicing.PlanSegmentKey segment = Invoicing.segmentAt(subscription, Instant.ofEpochMilli(record.getAtMillis()));
          used.computeIfAbsent(record.getPeriod(), period -> new HashMap<>())
              .computeIfAbsent(subscriptionId, id -> new HashMap<>())
              .merge(segment, new Metered(record.getUnits(), record.getBytes()), Metered::plus);
        }
      }
    }));
  }

  int usageRecords() {
    return usageRecords;
  }

  /** The account's subscriptions in order of creation, as the close lists them. */
  List<Catalog.Subscription> subscriptionsOf(String account) {
    return catalog.subscriptions().stream().filter(subscription -> subscription.account().equals(account))
        .sorted(Comparator.comparing(Catalog.Subscription::createdAt)).toList();
  }

  /** The account's invoices of {@code period}, by currency; a currency with nothing billed has no invoice. */
  Map<Currency, Expected> invoicesOf(String account, Period period) {
    InvoiceDraft draft = Invoicing.draft(catalog, period, subscriptionsOf(account),
        (periodId, subscription, segment) -> used.getOrDefault(periodId, Map.of())
            .getOrDefault(subscription, Map.of()).getOrDefault(segment, Metered.NONE));
    Map<Currency, List<InvoiceLine>> lines = new LinkedHashMap<>();
    for (InvoiceDraft.Line line : draft.lines()) {
      lines.computeIfAbsent(line.amount().currency(), currency -> new ArrayList<>()).add(invoiceLine(line));
    }
    Map<Currency, Expected> invoices = new LinkedHashMap<>();
    lines.forEach((currency, ofCurrency) -> invoices.put(currency, new Expected(ofCurrency, draft.totals().get(currency))));
    return invoices;
  }

  private InvoiceLine invoiceLine(InvoiceDraft.Line line) {
    String producer = catalog.subscription(line.subscriptionId()).flatMap(s -> catalog.product(s.product()))
        .map(Catalog.Product::owner).orElse("");
    String share = catalog.plan(line.planId()).map(plan -> plan.terms().getRevenueShare()).orElse("");
    return InvoiceLine.newBuilder().setSubscription(line.subscriptionId()).setPlan(line.planId())
        .setKind(line.kind().name().toLowerCase(Locale.ROOT)).setTier(line.tier()).setQuantity(line.quantity())
        .setUnitAmount(line.unitPrice() == null ? "" : line.unitPrice().toString())
        .setAmount(line.amount().toString()).setProducer(producer).setRevenueShare(share)
        .setFromMillis(line.from().toEpochMilli()).setToMillis(line.to().toEpochMilli()).build();
  }
}
