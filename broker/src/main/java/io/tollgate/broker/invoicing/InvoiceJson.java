package io.tollgate.broker.invoicing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import java.time.Instant;

/** An invoice as the API shows it and as its finalized event carries it. */
public final class InvoiceJson {
  private InvoiceJson() {}

  public static ObjectNode of(AccountBilling.Invoice invoice) {
    InvoiceFinalized finalized = invoice.finalized();
    ObjectNode body = JsonNodeFactory.instance.objectNode()
        .put("id", finalized.getId()).put("number", finalized.getNumber()).put("account", finalized.getAccount())
        .put("status", invoice.status()).put("currency", finalized.getCurrency());
    body.putObject("period").put("id", finalized.getPeriod())
        .put("start", Instant.ofEpochMilli(finalized.getPeriodStartMillis()).toString())
        .put("end", Instant.ofEpochMilli(finalized.getPeriodEndMillis()).toString());
    ArrayNode lines = body.putArray("lines");
    for (InvoiceLine line : finalized.getLinesList()) {
      ObjectNode node = lines.addObject().put("subscription", line.getSubscription()).put("plan", line.getPlan())
          .put("kind", line.getKind());
      if (line.getKind().equals("usage") || line.getKind().equals("bytes")) {
        node.put("tier", line.getTier());
      }
      node.put("quantity", line.getQuantity());
      if (!line.getUnitAmount().isEmpty()) {
        node.put("unit_amount", line.getUnitAmount());
      }
      node.put("amount", line.getAmount());
      if (line.getFromMillis() != 0 || line.getToMillis() != 0) {
        node.putObject("period").put("start", Instant.ofEpochMilli(line.getFromMillis()).toString())
            .put("end", Instant.ofEpochMilli(line.getToMillis()).toString());
      }
    }
    ArrayNode notes = body.putArray("credit_notes");
    invoice.creditNotes().forEach(note -> notes.addObject().put("id", note.getId()).put("number", note.getNumber())
        .put("amount", note.getAmount()).put("reason", note.getReason())
        .put("issued_at", Instant.ofEpochMilli(note.getAtMillis()).toString()));
    body.put("total", finalized.getTotal()).put("credits_applied", finalized.getCreditsApplied())
        .put("amount_due", finalized.getAmountDue())
        .put("finalized_at", Instant.ofEpochMilli(finalized.getFinalizedAtMillis()).toString());
    return body;
  }

  /** A credit note as its {@code tollgate.credit_note.issued} event carries it. */
  public static ObjectNode creditNote(CreditNoteIssued note) {
    return JsonNodeFactory.instance.objectNode().put("id", note.getId()).put("number", note.getNumber())
        .put("invoice", note.getInvoice()).put("currency", note.getCurrency()).put("amount", note.getAmount())
        .put("reason", note.getReason()).put("issued_at", Instant.ofEpochMilli(note.getAtMillis()).toString());
  }
}
