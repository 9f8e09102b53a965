package io.tollgate.broker.invoicing.verification;

import io.tollgate.billing.Allocation;
import io.tollgate.billing.Money;
import io.tollgate.billing.RevenueShare;
import io.tollgate.billing.RevenueSplit;
import io.tollgate.broker.invoicing.StoredMoney;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The revenue credits a consumer's documents owe its producers, derived from the documents as
 * journaled: an invoice credits each subscription its charge, split line group by line group by
 * each plan's revenue share; a credit note takes back its amount spread over the invoice's charges
 * in proportion ({@link Allocation}); a void takes back what is still credited. Only the billing
 * module's split and allocation are shared with the entity; the grouping is derived here again.
 */
final class ExpectedCredits {
  private ExpectedCredits() {}

  /** A credit a producer should have recorded under {@code creditKey} (an invoice, its void, or a note). */
  record Credit(String producer, String creditKey, String subscription, String consumer, String period, Money charge,
                Money producerShare, Money platformFee) {
    String key() {
      return creditKey + "|" + subscription;
    }

    Credit plus(Credit other) {
      return new Credit(producer, creditKey, subscription, consumer, period, charge.plus(other.charge),
          producerShare.plus(other.producerShare), platformFee.plus(other.platformFee));
    }

    Credit negated(String key) {
      Money zero = Money.zero(charge.currency());
      return new Credit(producer, key, subscription, consumer, period, zero.minus(charge), zero.minus(producerShare),
          zero.minus(platformFee));
    }
  }

  static List<Credit> ofInvoice(InvoiceFinalized invoice) {
    return split(invoice, invoice.getId(), chargesByShare(invoice));
  }

  /** A note's amount spread over the invoice's charges, each part split by its share, taken back. */
  static List<Credit> ofNote(InvoiceFinalized invoice, CreditNoteIssued note) {
    Map<Group, Money> charges = chargesByShare(invoice);
    List<Money> parts = Allocation.proportional(StoredMoney.of(note.getAmount(), note.getCurrency()),
        List.copyOf(charges.values()));
    Map<Group, Money> allocated = new LinkedHashMap<>();
    int i = 0;
    for (Group group : charges.keySet()) {
      allocated.put(group, parts.get(i++));
    }
    return split(invoice, note.getId(), allocated).stream().map(credit -> credit.negated(note.getId())).toList();
  }

  /** What a void takes back: the invoice's credits less its notes' reversals, per subscription. */
  static List<Credit> ofVoid(InvoiceFinalized invoice, List<CreditNoteIssued> notes) {
    String key = invoice.getId() + ":void";
    Map<String, Credit> left = new LinkedHashMap<>();
    ofInvoice(invoice).forEach(credit -> left.merge(credit.subscription(), credit, Credit::plus));
    notes.forEach(note -> ofNote(invoice, note).forEach(credit -> left.merge(credit.subscription(), credit, Credit::plus)));
    return left.values().stream().map(credit -> credit.negated(key)).toList();
  }

  /** The lines of one subscription under one revenue share. */
  private record Group(String subscription, String revenueShare) {}

  private static Map<Group, Money> chargesByShare(InvoiceFinalized invoice) {
    Map<Group, Money> charges = new LinkedHashMap<>();
    for (InvoiceLine line : invoice.getLinesList()) {
      charges.merge(new Group(line.getSubscription(), line.getRevenueShare()),
          StoredMoney.of(line.getAmount(), invoice.getCurrency()), Money::plus);
    }
    return charges;
  }

  private static List<Credit> split(InvoiceFinalized invoice, String creditKey, Map<Group, Money> charges) {
    Map<String, String> producers = new LinkedHashMap<>();
    invoice.getLinesList().forEach(line -> producers.putIfAbsent(line.getSubscription(), line.getProducer()));
    Map<String, Credit> bySubscription = new LinkedHashMap<>();
    charges.forEach((group, charge) -> {
      RevenueSplit split = RevenueSplit.of(charge, RevenueShare.of(group.revenueShare()));
      bySubscription.merge(group.subscription(), new Credit(producers.get(group.subscription()), creditKey,
          group.subscription(), invoice.getAccount(), invoice.getPeriod(), split.charge(), split.producerShare(),
          split.platformFee()), Credit::plus);
    });
    return new ArrayList<>(bySubscription.values());
  }
}
