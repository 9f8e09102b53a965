package io.tollgate.broker.invoicing.verification;

import com.google.protobuf.Message;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.InvoiceNumbering;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Recomputes every finalized invoice, credit note and producer statement from the journals and
 * lists every difference to the cent: of one account (its invoices and notes as a consumer, its
 * statements as a producer) or of all accounts (then also the gaps and repeats of the invoice and
 * credit-note numbers). The journals of an account's counterparts are read too, but only to know
 * what their documents owe it; their own documents are checked when they are verified.
 */
public final class BillingVerifier {
  private BillingVerifier() {}

  public static VerificationReport verify(Journals journals, PeriodScheme periods, Optional<String> account) {
    Catalog catalog = new Catalog();
    journals.catalog().forEach(catalog::apply);
    Recomputation recomputation = new Recomputation(catalog, journals.usage());
    List<Difference> differences = new ArrayList<>();
    Map<String, ConsumerDocuments> consumers = new TreeMap<>();
    int invoices = 0;
    int notes = 0;
    for (Map.Entry<String, List<Message>> journal : new TreeMap<>(journals.billing()).entrySet()) {
      boolean inScope = account.map(journal.getKey()::equals).orElse(true);
      ConsumerDocuments documents = new ConsumerDocuments(journal.getKey(), recomputation,
          inScope ? differences : new ArrayList<>()).walk(journal.getValue(), inScope);
      if (inScope) {
        documents.checkNothingMissing(periods);
        invoices += documents.invoices().size();
        notes += documents.notes().size();
      }
      consumers.put(journal.getKey(), documents);
    }
    int statements = 0;
    int credits = 0;
    int pending = 0;
    for (Map.Entry<String, List<Message>> journal : new TreeMap<>(journals.billing()).entrySet()) {
      String producer = journal.getKey();
      if (account.isPresent() && !account.get().equals(producer)) {
        continue;
      }
      List<RevenueCredited> recorded = journal.getValue().stream().filter(RevenueCredited.class::isInstance)
          .map(RevenueCredited.class::cast).toList();
      List<ExpectedCredits.Credit> owed = consumers.values().stream().flatMap(documents -> documents.owed().stream())
          .filter(credit -> producer.equals(credit.producer())).toList();
      Map<String, ConsumerDocuments> consumerOf = new HashMap<>();
      owed.forEach(credit -> consumerOf.put(credit.creditKey(), consumers.get(credit.consumer())));
      StatementCheck.Outcome outcome = StatementCheck.check(producer, recorded, owed,
          creditKey -> consumerOf.get(creditKey).isDelivered(creditKey), differences);
      statements += outcome.statements();
      credits += outcome.credits();
      pending += outcome.pending();
    }
    if (account.isEmpty()) {
      checkNumbering(consumers.values(), differences);
    }
    return new VerificationReport(account, new VerificationReport.Checked(invoices, notes, statements, credits,
        recomputation.usageRecords()), pending, differences);
  }

  private static void checkNumbering(Iterable<ConsumerDocuments> consumers, List<Difference> differences) {
    Map<String, String> invoiceNumbers = new LinkedHashMap<>();
    Map<String, String> noteNumbers = new LinkedHashMap<>();
    for (ConsumerDocuments documents : consumers) {
      documents.invoices().forEach(invoice -> invoiceNumbers.put(invoice.getId(), invoice.getNumber()));
      documents.notes().forEach(note -> noteNumbers.put(note.getId(), note.getNumber()));
    }
    NumberingCheck.check(InvoiceNumbering.INVOICES, invoiceNumbers, differences);
    NumberingCheck.check(InvoiceNumbering.CREDIT_NOTES, noteNumbers, differences);
  }
}
