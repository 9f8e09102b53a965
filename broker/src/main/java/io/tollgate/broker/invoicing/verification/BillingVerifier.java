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
    new TreeMap<>(journals.billing()).forEach((id, journal) -> {
      boolean inScope = inScope(id, account);
      ConsumerDocuments documents = new ConsumerDocuments(id, recomputation, inScope ? differences : new ArrayList<>())
          .walk(journal, inScope);
      if (inScope) {
        documents.checkNothingMissing(periods);
      }
      consumers.put(id, documents);
    });
    StatementCheck.Outcome statements = checkStatements(journals, consumers, account, differences);
    if (account.isEmpty()) {
      checkNumbering(consumers.values(), differences);
    }
    List<ConsumerDocuments> verified = consumers.entrySet().stream().filter(entry -> inScope(entry.getKey(), account))
        .map(Map.Entry::getValue).toList();
    return new VerificationReport(account, new VerificationReport.Checked(
        verified.stream().mapToInt(documents -> documents.invoices().size()).sum(),
        verified.stream().mapToInt(documents -> documents.notes().size()).sum(),
        statements.statements(), statements.credits(), recomputation.usageRecords()), statements.pending(), differences);
  }

  private static boolean inScope(String accountId, Optional<String> account) {
    return account.map(accountId::equals).orElse(true);
  }

  /** Each producer in scope: what it recorded against what every consumer's documents owe it. */
  private static StatementCheck.Outcome checkStatements(Journals journals, Map<String, ConsumerDocuments> consumers,
                                                        Optional<String> account, List<Difference> differences) {
    StatementCheck.Outcome total = new StatementCheck.Outcome(0, 0, 0);
    for (Map.Entry<String, List<Message>> journal : new TreeMap<>(journals.billing()).entrySet()) {
      String producer = journal.getKey();
      if (!inScope(producer, account)) {
        continue;
      }
      List<RevenueCredited> recorded = journal.getValue().stream().filter(RevenueCredited.class::isInstance)
          .map(RevenueCredited.class::cast).toList();
      List<ExpectedCredits.Credit> owed = consumers.values().stream().flatMap(documents -> documents.owed().stream())
          .filter(credit -> producer.equals(credit.producer())).toList();
      Map<String, ConsumerDocuments> consumerOf = new HashMap<>();
      owed.forEach(credit -> consumerOf.put(credit.creditKey(), consumers.get(credit.consumer())));
      total = total.plus(StatementCheck.check(producer, recorded, owed,
          creditKey -> consumerOf.get(creditKey).isDelivered(creditKey), differences));
    }
    return total;
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
