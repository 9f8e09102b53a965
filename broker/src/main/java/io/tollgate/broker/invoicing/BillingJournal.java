package io.tollgate.broker.invoicing;

import com.google.protobuf.Message;
import io.tollgate.protocols.v1.journal.AlertAnnounced;
import io.tollgate.protocols.v1.journal.AlertCreated;
import io.tollgate.protocols.v1.journal.AlertCrossed;
import io.tollgate.protocols.v1.journal.AlertDeleted;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CreditNoteRequested;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceReopened;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.PeriodArchived;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SnapshotInvoice;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.EventSeq;

/**
 * The one place where {@link BillingEvent}s become the Protobuf messages the journal stores, and
 * back. Each event is stored as the message of its name, field for field, so every entry
 * journaled before the events were records reads back as it was written, and every reader of the
 * journal (the audit, the tests) sees the same messages as before.
 */
public final class BillingJournal extends EventAdapter<BillingEvent, Message> {
  @Override
  public Message toJournal(BillingEvent event) {
    return message(event);
  }

  @Override
  public String manifest(BillingEvent event) {
    return "";
  }

  @Override
  public EventSeq<BillingEvent> fromJournal(Message stored, String manifest) {
    return EventSeq.single(event(stored));
  }

  /** The message an event is stored as. */
  public static Message message(BillingEvent event) {
    return event.accept(TO_MESSAGE);
  }

  /**
   * The event a stored message is.
   *
   * @throws IllegalArgumentException for a message that is not a billing event
   */
  public static BillingEvent event(Message stored) {
    if (stored instanceof UsageRecorded usage) {
      return usage(usage);
    } else if (stored instanceof PublishedRecorded published) {
      return published(published);
    } else if (stored instanceof InvoiceFinalized invoice) {
      return new BillingEvent.InvoiceFinalized(invoice);
    } else if (stored instanceof InvoiceAnnounced announced) {
      return new BillingEvent.InvoiceAnnounced(announced.getInvoice(),
          announced.getEventId().isEmpty() ? announced.getInvoice() : announced.getEventId());
    } else if (stored instanceof RevenueDelivered delivered) {
      return new BillingEvent.RevenueDelivered(delivered.getInvoice());
    } else if (stored instanceof RevenueCredited credit) {
      return new BillingEvent.RevenueCredited(credit);
    } else if (stored instanceof WalletToppedUp topUp) {
      return new BillingEvent.WalletToppedUp(topUp.getIdempotencyKey(),
          StoredMoney.of(topUp.getAmount(), topUp.getCurrency()), topUp.getActor(), Instant.ofEpochMilli(topUp.getAtMillis()));
    } else if (stored instanceof InvoiceStatusChanged changed) {
      return new BillingEvent.InvoiceStatusChanged(changed.getInvoice(), changed.getStatus(), changed.getActor(),
          Instant.ofEpochMilli(changed.getAtMillis()));
    } else if (stored instanceof CreditNoteRequested requested) {
      return creditNoteRequested(requested);
    } else if (stored instanceof CreditNoteIssued note) {
      return new BillingEvent.CreditNoteIssued(note);
    } else if (stored instanceof PeriodsClosed closed) {
      return new BillingEvent.PeriodsClosed(Instant.ofEpochMilli(closed.getThroughMillis()));
    } else if (stored instanceof PeriodArchived archived) {
      return new BillingEvent.PeriodArchived(archived.getPeriod(), Instant.ofEpochMilli(archived.getPeriodEndMillis()));
    } else if (stored instanceof InvoiceReopened reopened) {
      return new BillingEvent.InvoiceReopened(invoice(reopened.getInvoice()));
    } else if (stored instanceof AlertCreated created) {
      return new BillingEvent.AlertCreated(created.getAlert());
    } else if (stored instanceof AlertDeleted deleted) {
      return new BillingEvent.AlertDeleted(deleted.getAlert());
    } else if (stored instanceof AlertCrossed crossed) {
      return new BillingEvent.AlertCrossed(crossed.getCrossing());
    } else if (stored instanceof AlertAnnounced announced) {
      return new BillingEvent.AlertAnnounced(announced.getEventId());
    }
    throw new IllegalArgumentException("not a billing event: " + stored.getClass().getName());
  }

  /** An invoice as a snapshot or the archive stores it. */
  static AccountBilling.Invoice invoice(SnapshotInvoice stored) {
    return new AccountBilling.Invoice(stored.getInvoice(), stored.getStatus(), List.copyOf(stored.getCreditNotesList()));
  }

  /** An invoice as the archive stores it: only settled invoices are archived, so confirmed and announced. */
  static SnapshotInvoice settled(AccountBilling.Invoice invoice) {
    return SnapshotInvoice.newBuilder().setInvoice(invoice.finalized()).setStatus(invoice.status())
        .addAllCreditNotes(invoice.creditNotes()).setAnnounced(true).setRevenueDelivered(true).build();
  }

  static BillingEvent.UsageRecorded usage(UsageRecorded usage) {
    return new BillingEvent.UsageRecorded(usage.getSubscription(), usage.getSequence(), usage.getPeriod(),
        new Metered(usage.getUnits(), usage.getBytes()),
        Instant.ofEpochMilli(usage.getAtMillis()),
        new Invoicing.PlanSegmentKey(usage.getPlan(), Instant.ofEpochMilli(usage.getPlanFromMillis())));
  }

  static BillingEvent.PublishedRecorded published(PublishedRecorded published) {
    return new BillingEvent.PublishedRecorded(new PartitionRef(published.getTopic(), published.getPartition()),
        published.getSequence(), published.getPeriod(), new AccountBilling.Published(published.getEvents(), published.getBytes()));
  }

  static BillingEvent.CreditNoteRequested creditNoteRequested(CreditNoteRequested requested) {
    return new BillingEvent.CreditNoteRequested(requested.getInvoice(),
        StoredMoney.of(requested.getAmount(), requested.getCurrency()), requested.getReason(),
        requested.getIdempotencyKey(), requested.getActor(), Instant.ofEpochMilli(requested.getAtMillis()));
  }

  static CreditNoteRequested creditNoteRequested(BillingEvent.CreditNoteRequested requested) {
    return CreditNoteRequested.newBuilder().setInvoice(requested.invoice())
        .setCurrency(requested.amount().currency().getCurrencyCode()).setAmount(requested.amount().toString())
        .setReason(requested.reason()).setIdempotencyKey(requested.idempotencyKey()).setActor(requested.actor())
        .setAtMillis(requested.at().toEpochMilli()).build();
  }

  private static final BillingEvent.Cases<Message> TO_MESSAGE = new BillingEvent.Cases<>() {
    @Override
    public Message usageRecorded(BillingEvent.UsageRecorded event) {
      return UsageRecorded.newBuilder().setSubscription(event.subscription()).setSequence(event.sequence())
          .setPeriod(event.period()).setUnits(event.usage().units()).setBytes(event.usage().bytes())
          .setAtMillis(event.at().toEpochMilli())
          .setPlan(event.segment().plan()).setPlanFromMillis(event.segment().from().toEpochMilli()).build();
    }

    @Override
    public Message publishedRecorded(BillingEvent.PublishedRecorded event) {
      return PublishedRecorded.newBuilder().setTopic(event.partition().topic()).setPartition(event.partition().partition())
          .setSequence(event.sequence()).setPeriod(event.period())
          .setEvents(event.stored().events()).setBytes(event.stored().bytes()).build();
    }

    @Override
    public Message invoiceFinalized(BillingEvent.InvoiceFinalized event) {
      return event.invoice();
    }

    @Override
    public Message invoiceAnnounced(BillingEvent.InvoiceAnnounced event) {
      InvoiceAnnounced.Builder announced = InvoiceAnnounced.newBuilder().setInvoice(event.invoice());
      return (event.eventId().equals(event.invoice()) ? announced : announced.setEventId(event.eventId())).build();
    }

    @Override
    public Message revenueDelivered(BillingEvent.RevenueDelivered event) {
      return RevenueDelivered.newBuilder().setInvoice(event.creditKey()).build();
    }

    @Override
    public Message revenueCredited(BillingEvent.RevenueCredited event) {
      return event.credit();
    }

    @Override
    public Message walletToppedUp(BillingEvent.WalletToppedUp event) {
      return WalletToppedUp.newBuilder().setIdempotencyKey(event.idempotencyKey())
          .setCurrency(event.amount().currency().getCurrencyCode()).setAmount(event.amount().toString())
          .setActor(event.actor()).setAtMillis(event.at().toEpochMilli()).build();
    }

    @Override
    public Message invoiceStatusChanged(BillingEvent.InvoiceStatusChanged event) {
      return InvoiceStatusChanged.newBuilder().setInvoice(event.invoice()).setStatus(event.status())
          .setActor(event.actor()).setAtMillis(event.at().toEpochMilli()).build();
    }

    @Override
    public Message creditNoteRequested(BillingEvent.CreditNoteRequested event) {
      return BillingJournal.creditNoteRequested(event);
    }

    @Override
    public Message creditNoteIssued(BillingEvent.CreditNoteIssued event) {
      return event.note();
    }

    @Override
    public Message periodsClosed(BillingEvent.PeriodsClosed event) {
      return PeriodsClosed.newBuilder().setThroughMillis(event.through().toEpochMilli()).build();
    }

    @Override
    public Message periodArchived(BillingEvent.PeriodArchived event) {
      return PeriodArchived.newBuilder().setPeriod(event.period()).setPeriodEndMillis(event.periodEnd().toEpochMilli())
          .build();
    }

    @Override
    public Message invoiceReopened(BillingEvent.InvoiceReopened event) {
      return InvoiceReopened.newBuilder().setInvoice(settled(event.invoice())).build();
    }

    @Override
    public Message alertCreated(BillingEvent.AlertCreated event) {
      return AlertCreated.newBuilder().setAlert(event.alert()).build();
    }

    @Override
    public Message alertDeleted(BillingEvent.AlertDeleted event) {
      return AlertDeleted.newBuilder().setAlert(event.alert()).build();
    }

    @Override
    public Message alertCrossed(BillingEvent.AlertCrossed event) {
      return AlertCrossed.newBuilder().setCrossing(event.crossing()).build();
    }

    @Override
    public Message alertAnnounced(BillingEvent.AlertAnnounced event) {
      return AlertAnnounced.newBuilder().setEventId(event.eventId()).build();
    }
  };
}
