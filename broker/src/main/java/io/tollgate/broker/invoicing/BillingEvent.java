package io.tollgate.broker.invoicing;

import io.tollgate.billing.Money;
import io.tollgate.broker.position.PartitionRef;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything an account's billing records: a closed set. {@link BillingLedger} applies it and
 * {@link AccountBilling} persists it; {@link BillingJournal} maps each event to and from the
 * Protobuf message of the same name that the journal stores, so what is stored (and its
 * manifest) does not change with this model.
 *
 * <p>Java 17 has no pattern switch over a sealed type, so {@link Cases} stands in for one: a new
 * event must implement {@link #accept}, which needs a new method in {@link Cases}, which every
 * handler must then implement. The compiler finds every place that must learn of it.
 *
 * <p>The three documents (an invoice, a credit note, a producer's revenue credit) are carried as
 * their stored form: that form is the document, as the endpoints show it and the audit reads it.
 */
public sealed interface BillingEvent {
  <R> R accept(Cases<R> cases);

  /** One method per event. */
  interface Cases<R> {
    R usageRecorded(UsageRecorded event);

    R publishedRecorded(PublishedRecorded event);

    R invoiceFinalized(InvoiceFinalized event);

    R invoiceAnnounced(InvoiceAnnounced event);

    R revenueDelivered(RevenueDelivered event);

    R revenueCredited(RevenueCredited event);

    R walletToppedUp(WalletToppedUp event);

    R invoiceStatusChanged(InvoiceStatusChanged event);

    R creditNoteRequested(CreditNoteRequested event);

    R creditNoteIssued(CreditNoteIssued event);

    R periodsClosed(PeriodsClosed event);

    R periodArchived(PeriodArchived event);

    R invoiceReopened(InvoiceReopened event);

    R alertCreated(AlertCreated event);

    R alertDeleted(AlertDeleted event);

    R alertCrossed(AlertCrossed event);

    R alertAnnounced(AlertAnnounced event);
  }

  /**
   * Units (and their billed bytes) of one subscription's usage journal entries up to
   * {@code sequence} (one entry, or several summed by one read of the journal), in {@code period},
   * under the plan segment in force at the ack. The position moves in the same event, so it counts
   * once.
   */
  record UsageRecorded(String subscription, long sequence, String period, Metered usage, Instant at,
                       Invoicing.PlanSegmentKey segment) implements BillingEvent {
    public UsageRecorded {
      Objects.requireNonNull(subscription, "subscription");
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(segment, "segment");
    }

    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.usageRecorded(this);
    }
  }

  /** What journal entries up to {@code sequence} of one of the account's topic partitions stored in {@code period}. */
  record PublishedRecorded(PartitionRef partition, long sequence, String period, AccountBilling.Published stored)
      implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.publishedRecorded(this);
    }
  }

  /** A consumer invoice, final: never edited again. */
  record InvoiceFinalized(io.tollgate.protocols.v1.journal.InvoiceFinalized invoice) implements BillingEvent {
    public String id() {
      return invoice.getId();
    }

    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.invoiceFinalized(this);
    }
  }

  /**
   * The invoice's event {@code eventId} ({@link InvoiceEvent#id}) is stored on the platform's
   * topic: its finalized event when {@code eventId} is the invoice's id.
   */
  record InvoiceAnnounced(String invoice, String eventId) implements BillingEvent {
    public InvoiceAnnounced {
      Objects.requireNonNull(invoice, "invoice");
      Objects.requireNonNull(eventId, "eventId");
    }

    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.invoiceAnnounced(this);
    }
  }

  /** Every producer confirmed the credits of {@code creditKey}: an invoice, its void or a credit note. */
  record RevenueDelivered(String creditKey) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.revenueDelivered(this);
    }
  }

  /** As a producer: a share of a consumer's invoice, void or credit note; once per (key, subscription). */
  record RevenueCredited(io.tollgate.protocols.v1.journal.RevenueCredited credit) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.revenueCredited(this);
    }
  }

  /** A client's credit to the wallet, once per idempotency key. */
  record WalletToppedUp(String idempotencyKey, Money amount, String actor, Instant at) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.walletToppedUp(this);
    }
  }

  /** An invoice became {@code paid} or {@code void}. */
  record InvoiceStatusChanged(String invoice, String status, String actor, Instant at) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.invoiceStatusChanged(this);
    }
  }

  /** A credit note passed the checks: it is numbered and issued whatever happens. */
  record CreditNoteRequested(String invoice, Money amount, String reason, String idempotencyKey, String actor,
                             Instant at) implements BillingEvent {
    /** The numbering document of the request: the same for every retry of the same request. */
    public String numberingDocument() {
      return invoice + "|" + idempotencyKey;
    }

    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.creditNoteRequested(this);
    }
  }

  /** A numbered credit note on a finalized invoice. */
  record CreditNoteIssued(io.tollgate.protocols.v1.journal.CreditNoteIssued note) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.creditNoteIssued(this);
    }
  }

  /** Every period that ended at or before {@code through} is invoiced. */
  record PeriodsClosed(Instant through) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.periodsClosed(this);
    }
  }

  /**
   * The closed, settled period was stored in the account's {@link BillingArchive}: its invoices,
   * usage and confirmations leave the live state.
   */
  record PeriodArchived(String period, Instant periodEnd) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.periodArchived(this);
    }
  }

  /**
   * An archived invoice, settled when it was archived, is live again to be paid, voided or
   * credited; it is archived again once settled.
   */
  record InvoiceReopened(AccountBilling.Invoice invoice) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.invoiceReopened(this);
    }
  }

  /** A usage alert the account set ({@link UsageAlerts}). */
  record AlertCreated(io.tollgate.protocols.v1.journal.UsageAlert alert) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.alertCreated(this);
    }
  }

  /** The account deleted the usage alert {@code alert}: it fires no more. */
  record AlertDeleted(String alert) implements BillingEvent {
    public AlertDeleted {
      Objects.requireNonNull(alert, "alert");
    }

    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.alertDeleted(this);
    }
  }

  /**
   * An alert's threshold was crossed in a period, in the same write as the usage that crossed it
   * (or as the alert, when usage was past it already): once per alert and period.
   */
  record AlertCrossed(io.tollgate.protocols.v1.journal.AlertCrossing crossing) implements BillingEvent {
    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.alertCrossed(this);
    }
  }

  /** The crossing's event ({@link UsageAlerts#eventId}) is stored on the platform's invoices topic. */
  record AlertAnnounced(String eventId) implements BillingEvent {
    public AlertAnnounced {
      Objects.requireNonNull(eventId, "eventId");
    }

    @Override
    public <R> R accept(Cases<R> cases) {
      return cases.alertAnnounced(this);
    }
  }
}
