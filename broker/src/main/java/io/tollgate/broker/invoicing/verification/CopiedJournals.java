package io.tollgate.broker.invoicing.verification;

import com.google.protobuf.Message;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.invoicing.Invoicing;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.CopiedBillingEvent;
import io.tollgate.protocols.v1.journal.CopiedBillingJournal;
import io.tollgate.protocols.v1.journal.CopiedUsage;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.JournalsCopied;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the billing verification needs of the usage and billing journals, kept apart so that the
 * journals can be trimmed ({@link VerificationCopy}): of a billing journal, every event a document
 * is checked from (invoices, status changes, credit notes, top-ups, revenue credits and their
 * confirmations, closes), as journaled; of a usage journal, its units and bytes summed while the
 * period and the plan segment stay the same. The verification then reads the copy, and each
 * journal only after what was copied: the same documents, recomputed from the same usage.
 */
public final class CopiedJournals {
  private CopiedJournals() {}

  /** A journal entry as read: its sequence number and its event. */
  public record Entry(long sequence, Object event) {}

  /** The copy as the verification reads it: how far each journal is copied, and what. */
  public record Copies(Map<String, Long> through, Map<String, List<Message>> billing,
                       Map<String, List<CursorsAdvanced>> usage) {
    public static final Copies NONE = new Copies(Map.of(), Map.of(), Map.of());

    public long throughOf(String journal) {
      return through.getOrDefault(journal, 0L);
    }
  }

  /**
   * One copy step from what was read after each journal's position, in order. A usage journal of
   * a subscription this catalog does not know yet is left for a later step (its plan segments
   * are not known). A billing event of a kind the verification does not know stops the step, as
   * it stops the verification: copying without it would drop a document.
   */
  public static JournalsCopied step(Map<String, List<Entry>> read, Catalog catalog) {
    JournalsCopied.Builder step = JournalsCopied.newBuilder();
    read.forEach((journal, entries) -> {
      if (entries.isEmpty()) {
        return;
      }
      long last = entries.get(entries.size() - 1).sequence();
      String billingPrefix = AccountBilling.persistenceId("");
      String usagePrefix = SubscriptionEntity.persistenceId("");
      if (journal.startsWith(billingPrefix)) {
        List<CopiedBillingEvent> events = new ArrayList<>();
        entries.forEach(entry -> copy(entry.event()).ifPresent(events::add));
        if (!events.isEmpty()) {
          step.addBilling(CopiedBillingJournal.newBuilder().setAccount(journal.substring(billingPrefix.length()))
              .addAllEvents(events));
        }
        step.putThrough(journal, last);
      } else if (journal.startsWith(usagePrefix)) {
        String subscription = journal.substring(usagePrefix.length());
        catalog.subscription(subscription).ifPresent(known -> {
          List<CursorsAdvanced> summed = summed(known, entries);
          if (!summed.isEmpty()) {
            step.addUsage(CopiedUsage.newBuilder().setSubscription(subscription).addAllUsage(summed));
          }
          step.putThrough(journal, last);
        });
      }
    });
    return step.build();
  }

  /** The billing event as the copy keeps it; empty for one no document is checked from. */
  static Optional<CopiedBillingEvent> copy(Object event) {
    CopiedBillingEvent.Builder copied = CopiedBillingEvent.newBuilder();
    if (event instanceof WalletToppedUp topUp) {
      copied.setWalletToppedUp(topUp);
    } else if (event instanceof InvoiceFinalized invoice) {
      copied.setInvoiceFinalized(invoice);
    } else if (event instanceof InvoiceStatusChanged changed) {
      copied.setInvoiceStatusChanged(changed);
    } else if (event instanceof CreditNoteIssued note) {
      copied.setCreditNoteIssued(note);
    } else if (event instanceof RevenueDelivered delivered) {
      copied.setRevenueDelivered(delivered);
    } else if (event instanceof PeriodsClosed closed) {
      copied.setPeriodsClosed(closed);
    } else if (event instanceof RevenueCredited credited) {
      copied.setRevenueCredited(credited);
    } else if (ConsumerDocuments.IGNORED.contains(event.getClass())) {
      return Optional.empty();
    } else {
      throw new IllegalArgumentException("a billing event the verification does not know: " + event.getClass().getName());
    }
    return Optional.of(copied.build());
  }

  /** The journaled event a copy holds. */
  static Message event(CopiedBillingEvent copied) {
    return switch (copied.getEventCase()) {
      case WALLET_TOPPED_UP -> copied.getWalletToppedUp();
      case INVOICE_FINALIZED -> copied.getInvoiceFinalized();
      case INVOICE_STATUS_CHANGED -> copied.getInvoiceStatusChanged();
      case CREDIT_NOTE_ISSUED -> copied.getCreditNoteIssued();
      case REVENUE_DELIVERED -> copied.getRevenueDelivered();
      case PERIODS_CLOSED -> copied.getPeriodsClosed();
      case REVENUE_CREDITED -> copied.getRevenueCredited();
      case EVENT_NOT_SET -> throw new IllegalArgumentException("a copied billing event without an event");
    };
  }

  /** Consecutive records with units or bytes, of one period and plan segment, summed. */
  static List<CursorsAdvanced> summed(Catalog.Subscription subscription, List<Entry> entries) {
    List<CursorsAdvanced> summed = new ArrayList<>();
    Invoicing.PlanSegmentKey segment = null;
    CursorsAdvanced.Builder open = null;
    for (Entry entry : entries) {
      CursorsAdvanced record = (CursorsAdvanced) entry.event();
      if (record.getUnits() == 0 && record.getBytes() == 0) {
        continue;
      }
      Invoicing.PlanSegmentKey at = Invoicing.segmentAt(subscription, Instant.ofEpochMilli(record.getAtMillis()));
      if (open != null && open.getPeriod().equals(record.getPeriod()) && at.equals(segment)) {
        open.setUnits(open.getUnits() + record.getUnits()).setBytes(open.getBytes() + record.getBytes());
        continue;
      }
      if (open != null) {
        summed.add(open.build());
      }
      segment = at;
      open = CursorsAdvanced.newBuilder().setPeriod(record.getPeriod()).setAtMillis(record.getAtMillis())
          .setUnits(record.getUnits()).setBytes(record.getBytes());
    }
    if (open != null) {
      summed.add(open.build());
    }
    return summed;
  }

  /** The copy's steps, in order, as the verification reads them. */
  public static Copies of(List<JournalsCopied> steps) {
    Map<String, Long> through = new HashMap<>();
    Map<String, List<Message>> billing = new LinkedHashMap<>();
    Map<String, List<CursorsAdvanced>> usage = new LinkedHashMap<>();
    for (JournalsCopied step : steps) {
      step.getThroughMap().forEach((journal, sequence) -> through.merge(journal, sequence, Math::max));
      step.getBillingList().forEach(journal -> journal.getEventsList().forEach(copied ->
          billing.computeIfAbsent(journal.getAccount(), account -> new ArrayList<>()).add(event(copied))));
      step.getUsageList().forEach(copied ->
          usage.computeIfAbsent(copied.getSubscription(), subscription -> new ArrayList<>()).addAll(copied.getUsageList()));
    }
    return new Copies(through, billing, usage);
  }
}
