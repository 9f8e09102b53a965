package io.tollgate.broker.invoicing.verification;

import com.google.protobuf.Message;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.billing.Wallet;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.invoicing.StoredMoney;
import io.tollgate.protocols.v1.journal.AlertAnnounced;
import io.tollgate.protocols.v1.journal.AlertCreated;
import io.tollgate.protocols.v1.journal.AlertCrossed;
import io.tollgate.protocols.v1.journal.AlertDeleted;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CreditNoteRequested;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceReopened;
import io.tollgate.protocols.v1.journal.PeriodArchived;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One account's consumer documents, walked in the order of its billing journal: each finalized
 * invoice against its recomputation (lines, total, id) and against the wallet as the journal
 * replays it (credits applied), each credit note against its invoice, and every closed period
 * for an invoice that should exist and does not. Collects what the documents owe producers.
 */
final class ConsumerDocuments {
  /** Billing events that carry no consumer document (revenue credits are the producer's, checked apart). */
  /**
   * Events that carry no document of their own. {@code PeriodArchived} and {@code InvoiceReopened}
   * move documents between the live state and the archive; the journal keeps every document's own
   * event, which is what is checked. Usage alerts bill nothing.
   */
  static final Set<Class<? extends Message>> IGNORED = Set.of(UsageRecorded.class, PublishedRecorded.class,
      InvoiceAnnounced.class, CreditNoteRequested.class, RevenueCredited.class, PeriodArchived.class,
      InvoiceReopened.class, AlertCreated.class, AlertDeleted.class, AlertCrossed.class, AlertAnnounced.class);
  /** Periods examined for missing invoices, at most, from the account's first subscription. */
  private static final int MAX_PERIODS = 100_000;

  private final String account;
  private final Recomputation recomputation;
  private final List<Difference> differences;
  private final Map<String, InvoiceFinalized> invoices = new LinkedHashMap<>();
  private final Map<String, String> statuses = new HashMap<>();
  private final Map<String, List<CreditNoteIssued>> notes = new HashMap<>();
  private final List<ExpectedCredits.Credit> owed = new ArrayList<>();
  private final Set<String> delivered = new HashSet<>();
  private final List<CreditNoteIssued> issuedNotes = new ArrayList<>();
  private Wallet wallet = Wallet.empty();
  private Instant closedThrough = Instant.EPOCH;

  ConsumerDocuments(String account, Recomputation recomputation, List<Difference> differences) {
    this.account = account;
    this.recomputation = recomputation;
    this.differences = differences;
  }

  /** Walks the journal; {@code recompute}: check invoices against usage (the account's usage journals were read). */
  ConsumerDocuments walk(List<Message> journal, boolean recompute) {
    for (Message event : journal) {
      if (event instanceof WalletToppedUp topUp) {
        wallet = wallet.topUp("client:" + topUp.getIdempotencyKey(), StoredMoney.of(topUp.getAmount(), topUp.getCurrency()));
      } else if (event instanceof InvoiceFinalized invoice) {
        onInvoice(invoice, recompute);
      } else if (event instanceof InvoiceStatusChanged changed) {
        onStatus(changed);
      } else if (event instanceof CreditNoteIssued note) {
        onNote(note);
      } else if (event instanceof RevenueDelivered confirmed) {
        delivered.add(confirmed.getInvoice());
      } else if (event instanceof PeriodsClosed closed) {
        closedThrough = Instant.ofEpochMilli(Math.max(closedThrough.toEpochMilli(), closed.getThroughMillis()));
      } else if (!IGNORED.contains(event.getClass())) {
        // A new kind of billing event may carry a document: verifying without it would pass blindly.
        throw new IllegalArgumentException("a billing event the verification does not know: " + event.getClass().getName());
      }
    }
    return this;
  }

  List<InvoiceFinalized> invoices() {
    return List.copyOf(invoices.values());
  }

  List<CreditNoteIssued> notes() {
    return List.copyOf(issuedNotes);
  }

  List<ExpectedCredits.Credit> owed() {
    return List.copyOf(owed);
  }

  boolean isDelivered(String creditKey) {
    return delivered.contains(creditKey);
  }

  private void onInvoice(InvoiceFinalized invoice, boolean recompute) {
    if (invoices.containsKey(invoice.getId())) {
      differences.add(new Difference(invoice.getId(), "", "finalized", "once", "again at " + invoice.getFinalizedAtMillis()));
      return;
    }
    invoices.put(invoice.getId(), invoice);
    statuses.put(invoice.getId(), "finalized");
    Currency currency = Currency.getInstance(invoice.getCurrency());
    Period period = new Period(invoice.getPeriod(), Instant.ofEpochMilli(invoice.getPeriodStartMillis()),
        Instant.ofEpochMilli(invoice.getPeriodEndMillis()));
    compare(invoice.getId(), "", "id", AccountBilling.invoiceId(account, period, currency), invoice.getId());
    compare(invoice.getId(), "", "account", account, invoice.getAccount());
    if (recompute) {
      Recomputation.Expected expected = recomputation.invoicesOf(account, period).get(currency);
      compareLines(invoice, expected == null ? List.of() : expected.lines());
      compare(invoice.getId(), "", "total", expected == null ? Money.zero(currency).toString() : expected.total().toString(),
          invoice.getTotal());
    }
    Money total = StoredMoney.of(invoice.getTotal(), invoice.getCurrency());
    Money applied = StoredMoney.of(invoice.getCreditsApplied(), invoice.getCurrency());
    Money due = StoredMoney.of(invoice.getAmountDue(), invoice.getCurrency());
    compare(invoice.getId(), "", "credits_applied", wallet.apply(total).applied().toString(), applied.toString());
    compare(invoice.getId(), "", "amount_due", total.minus(applied).toString(), due.toString());
    wallet = wallet.apply(applied).after();
    owed.addAll(ExpectedCredits.ofInvoice(invoice));
  }

  private void onStatus(InvoiceStatusChanged changed) {
    InvoiceFinalized invoice = invoices.get(changed.getInvoice());
    if (invoice == null) {
      differences.add(new Difference(changed.getInvoice(), "", "status", "a finalized invoice", changed.getStatus()));
      return;
    }
    String before = statuses.put(changed.getInvoice(), changed.getStatus());
    if (!before.equals("finalized")) {
      differences.add(new Difference(changed.getInvoice(), "", "status", "a change from finalized",
          before + " to " + changed.getStatus()));
    }
    if (changed.getStatus().equals("void")) {
      List<CreditNoteIssued> credited = notes.getOrDefault(invoice.getId(), List.of());
      Money left = StoredMoney.of(invoice.getCreditsApplied(), invoice.getCurrency()).minus(creditedSum(invoice, credited));
      if (left.signum() > 0) {
        wallet = wallet.topUp("void:" + invoice.getId(), left);
      }
      owed.addAll(ExpectedCredits.ofVoid(invoice, credited));
    }
  }

  private void onNote(CreditNoteIssued note) {
    issuedNotes.add(note);
    InvoiceFinalized invoice = invoices.get(note.getInvoice());
    if (invoice == null) {
      differences.add(new Difference(note.getId(), "", "invoice", "a finalized invoice of " + account, note.getInvoice()));
      return;
    }
    compare(note.getId(), "", "id", "cn_" + note.getNumber().toLowerCase(java.util.Locale.ROOT).replace("-", "_"), note.getId());
    compare(note.getId(), "", "currency", invoice.getCurrency(), note.getCurrency());
    if (statuses.get(invoice.getId()).equals("void")) {
      differences.add(new Difference(note.getId(), "", "invoice status", "finalized or paid", "void"));
    }
    List<CreditNoteIssued> earlier = notes.computeIfAbsent(invoice.getId(), id -> new ArrayList<>());
    Money amount = StoredMoney.of(note.getAmount(), invoice.getCurrency());
    Money creditable = StoredMoney.of(invoice.getTotal(), invoice.getCurrency()).minus(creditedSum(invoice, earlier));
    if (amount.signum() <= 0 || amount.compareTo(creditable) > 0) {
      differences.add(new Difference(note.getId(), "", "amount", "more than zero and at most " + creditable, amount.toString()));
    }
    earlier.add(note);
    if (amount.signum() > 0) {
      wallet = wallet.topUp("credit-note:" + note.getId(), amount);
    }
    owed.addAll(ExpectedCredits.ofNote(invoice, note));
  }

  /** Every closed period's invoices should exist; those that do were checked as they came. */
  void checkNothingMissing(PeriodScheme periods) {
    List<Catalog.Subscription> subscriptions = recomputation.subscriptionsOf(account);
    if (subscriptions.isEmpty()) {
      return;
    }
    Period period = periods.periodOf(subscriptions.get(0).createdAt());
    for (int examined = 0; !period.end().isAfter(closedThrough) && examined < MAX_PERIODS; examined++) {
      Period closed = period;
      recomputation.invoicesOf(account, closed).forEach((currency, expected) -> {
        String id = AccountBilling.invoiceId(account, closed, currency);
        if (expected.billsAnything() && !invoices.containsKey(id)) {
          differences.add(new Difference(id, "", "invoice", "finalized, total " + expected.total(), Difference.NONE));
        }
      });
      period = periods.periodOf(period.end());
    }
  }

  private static Money creditedSum(InvoiceFinalized invoice, List<CreditNoteIssued> credited) {
    return credited.stream().map(note -> StoredMoney.of(note.getAmount(), invoice.getCurrency()))
        .reduce(Money.zero(Currency.getInstance(invoice.getCurrency())), Money::plus);
  }

  /** Lines are matched by subscription, plan, kind, tier and occurrence: a plan can come back after a flip. */
  private void compareLines(InvoiceFinalized invoice, List<InvoiceLine> expected) {
    Map<String, InvoiceLine> wanted = keyed(expected);
    Map<String, InvoiceLine> found = keyed(invoice.getLinesList());
    wanted.forEach((key, line) -> {
      InvoiceLine actual = found.get(key);
      if (actual == null) {
        differences.add(new Difference(invoice.getId(), key, "amount", line.getAmount(), Difference.NONE));
        return;
      }
      compare(invoice.getId(), key, "quantity", Long.toString(line.getQuantity()), Long.toString(actual.getQuantity()));
      compare(invoice.getId(), key, "unit_amount", line.getUnitAmount(), actual.getUnitAmount());
      compare(invoice.getId(), key, "amount", line.getAmount(), actual.getAmount());
      compare(invoice.getId(), key, "producer", line.getProducer(), actual.getProducer());
      compare(invoice.getId(), key, "revenue_share", line.getRevenueShare(), actual.getRevenueShare());
      if (actual.getFromMillis() != 0 || actual.getToMillis() != 0) {
        // Lines finalized before their stretch was kept carry none; every later one is checked.
        compare(invoice.getId(), key, "from", Instant.ofEpochMilli(line.getFromMillis()).toString(),
            Instant.ofEpochMilli(actual.getFromMillis()).toString());
        compare(invoice.getId(), key, "to", Instant.ofEpochMilli(line.getToMillis()).toString(),
            Instant.ofEpochMilli(actual.getToMillis()).toString());
      }
    });
    found.forEach((key, line) -> {
      if (!wanted.containsKey(key)) {
        differences.add(new Difference(invoice.getId(), key, "amount", Difference.NONE, line.getAmount()));
      }
    });
  }

  private static Map<String, InvoiceLine> keyed(List<InvoiceLine> lines) {
    Map<String, InvoiceLine> keyed = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (InvoiceLine line : lines) {
      String key = line.getSubscription() + " " + line.getPlan() + " " + line.getKind()
          + (line.getKind().equals("usage") || line.getKind().equals("bytes") ? " tier " + line.getTier() : "");
      int occurrence = seen.merge(key, 1, Integer::sum);
      keyed.put(occurrence == 1 ? key : key + " #" + occurrence, line);
    }
    return keyed;
  }

  private void compare(String document, String line, String field, String expected, String found) {
    if (!expected.equals(found)) {
      differences.add(new Difference(document, line, field, expected, found));
    }
  }
}
