package io.tollgate.broker.invoicing;

import io.tollgate.broker.catalog.Platform;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import java.time.Instant;
import java.util.Objects;

/**
 * One event about an invoice that the platform's invoices topic carries: the invoice finalized,
 * paid or voided, or a credit note issued on it. Its {@code id} is the CloudEvent id, derived
 * from what happened, so storing it again after a failure or a restart stores it once (the
 * topic deduplicates by source and id), and it names the event in {@code InvoiceAnnounced}.
 */
public record InvoiceEvent(String id, String invoice, String type, Instant at) {
  public InvoiceEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(invoice, "invoice");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(at, "at");
  }

  /** The finalized event: its id is the invoice's, as it was before the other events existed. */
  public static InvoiceEvent finalized(InvoiceFinalized invoice) {
    return new InvoiceEvent(invoice.getId(), invoice.getId(), Platform.INVOICE_FINALIZED,
        Instant.ofEpochMilli(invoice.getFinalizedAtMillis()));
  }

  /** The event of a status change to {@code paid} or {@code void}. */
  public static InvoiceEvent statusChanged(String invoice, String status, Instant at) {
    return switch (status) {
      case "paid" -> new InvoiceEvent(invoice + ":paid", invoice, Platform.INVOICE_PAID, at);
      case "void" -> new InvoiceEvent(invoice + ":voided", invoice, Platform.INVOICE_VOIDED, at);
      default -> throw new IllegalArgumentException("an invoice cannot become " + status);
    };
  }

  public static InvoiceEvent creditNoteIssued(CreditNoteIssued note) {
    return new InvoiceEvent(note.getId(), note.getInvoice(), Platform.CREDIT_NOTE_ISSUED,
        Instant.ofEpochMilli(note.getAtMillis()));
  }

  public boolean isFinalized() {
    return type.equals(Platform.INVOICE_FINALIZED);
  }

  public boolean isCreditNote() {
    return type.equals(Platform.CREDIT_NOTE_ISSUED);
  }

  /** The invoice's status the event announces, as its data shows it. */
  String status() {
    return switch (type) {
      case Platform.INVOICE_PAID -> "paid";
      case Platform.INVOICE_VOIDED -> "void";
      default -> "finalized";
    };
  }
}
