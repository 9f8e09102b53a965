package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.Money;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.PeriodUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The billing rules of one account, without actors: events in, decisions and credits out. */
class BillingLedgerTest {
  static final String ACCOUNT = "acc_consumer";
  static final Currency USD = Currency.getInstance("USD");

  static InvoiceLine line(String subscription, String plan, String amount, String share) {
    return InvoiceLine.newBuilder().setSubscription(subscription).setPlan(plan).setKind("usage").setTier(1)
        .setQuantity(1).setAmount(amount).setProducer("acc_producer").setRevenueShare(share).build();
  }

  static InvoiceFinalized invoice(String id, String creditsApplied, InvoiceLine... lines) {
    Money total = List.of(lines).stream().map(l -> Money.of(l.getAmount(), "USD")).reduce(Money.zero(USD), Money::plus);
    return InvoiceFinalized.newBuilder().setId(id).setNumber("TG-000001").setAccount(ACCOUNT).setPeriod("2026-11")
        .setCurrency("USD").addAllLines(List.of(lines)).setTotal(total.toString()).setCreditsApplied(creditsApplied)
        .setAmountDue(total.minus(Money.of(creditsApplied, "USD")).toString()).build();
  }

  static CreditNoteIssued note(String id, String invoice, String amount) {
    return CreditNoteIssued.newBuilder().setId(id).setNumber(id).setInvoice(invoice).setCurrency("USD")
        .setAmount(amount).setIdempotencyKey(id).build();
  }

  static InvoiceStatusChanged voided(String invoice) {
    return InvoiceStatusChanged.newBuilder().setInvoice(invoice).setStatus("void").build();
  }

  static WalletToppedUp topUp(String amount) {
    return WalletToppedUp.newBuilder().setIdempotencyKey("order-" + amount).setCurrency("USD").setAmount(amount).build();
  }

  /** What the producer of every credit nets, per subscription: charge, producer share, platform fee. */
  static Map<String, List<BigDecimal>> net(List<BillingLedger.Delivery> deliveries) {
    return deliveries.stream().map(BillingLedger.Delivery::credit).collect(Collectors.groupingBy(RevenueCredited::getSubscription,
        Collectors.reducing(List.of(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO),
            credit -> List.of(new BigDecimal(credit.getCharge()), new BigDecimal(credit.getProducerShare()),
                new BigDecimal(credit.getPlatformFee())),
            (a, b) -> List.of(a.get(0).add(b.get(0)), a.get(1).add(b.get(1)), a.get(2).add(b.get(2))))));
  }

  @Test
  void voidingAnInvoiceAfterACreditNoteGivesBackOnlyWhatIsLeft() {
    InvoiceFinalized invoice = invoice("inv_1", "10.00", line("sub_a", "plan_a", "10.00", "0.70"));
    BillingLedger ledger = new BillingLedger(ACCOUNT).apply(BillingJournal.event(topUp("10.00")))
        .apply(BillingJournal.event(invoice));
    CreditNoteIssued note = note("cn_1", "inv_1", "4.00");
    ledger.apply(BillingJournal.event(note)).apply(BillingJournal.event(voided("inv_1")));

    assertEquals(Money.of("10.00", "USD"), ledger.wallet().balance(USD), "the wallet gets back the 10.00 it paid, no more");
    List<BillingLedger.Delivery> all = new ArrayList<>(ledger.creditsFor(invoice, 0));
    all.addAll(ledger.noteCreditsFor(invoice, note, 0));
    all.addAll(ledger.voidCreditsFor(invoice, 0));
    assertEquals(List.of(new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.00")), net(all).get("sub_a"),
        "the producer nets zero for a void invoice");
  }

  @Property
  void aVoidTakesBackExactlyWhatIsStillCreditedWhateverTheNotes(
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 100_000) Integer> lineCents,
      @ForAll @Size(max = 3) List<@IntRange(min = 1, max = 100) Integer> notePercents,
      @ForAll @IntRange(min = 0, max = 10_000) int shareBasisPoints) {
    InvoiceLine[] lines = new InvoiceLine[lineCents.size()];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = line("sub_" + i, "plan_" + i, BigDecimal.valueOf(lineCents.get(i), 2).toPlainString(),
          BigDecimal.valueOf(shareBasisPoints, 4).toPlainString());
    }
    InvoiceFinalized invoice = invoice("inv_1", "0.00", lines);
    BillingLedger ledger = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice));
    List<BillingLedger.Delivery> all = new ArrayList<>(ledger.creditsFor(invoice, 0));
    Money left = Money.of(invoice.getTotal(), "USD");
    int n = 0;
    for (int percent : notePercents) {
      Money amount = Money.rounded(left.amount().multiply(BigDecimal.valueOf(percent, 2)), USD);
      if (amount.signum() <= 0) {
        continue;
      }
      CreditNoteIssued note = note("cn_" + n++, "inv_1", amount.toString());
      ledger.apply(BillingJournal.event(note));
      all.addAll(ledger.noteCreditsFor(invoice, note, 0));
      left = left.minus(amount);
    }
    ledger.apply(BillingJournal.event(voided("inv_1")));
    all.addAll(ledger.voidCreditsFor(invoice, 0));
    net(all).forEach((subscription, parts) -> parts.forEach(part ->
        assertEquals(0, part.signum(), subscription + " nets " + parts)));
  }

  @Test
  void aSubscriptionsChargeIsSplitByTheShareOfEachPlanItWasOn() {
    InvoiceFinalized invoice = invoice("inv_1", "0.00",
        line("sub_a", "plan_70", "10.00", "0.70"), line("sub_a", "plan_50", "10.00", "0.50"));
    List<BillingLedger.Delivery> credits = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice)).creditsFor(invoice, 0);
    assertEquals(1, credits.size(), "one credit per (invoice, subscription), the producer's idempotency key");
    assertEquals("20.00", credits.get(0).credit().getCharge());
    assertEquals("12.00", credits.get(0).credit().getProducerShare());
    assertEquals("8.00", credits.get(0).credit().getPlatformFee());
  }

  @Test
  void aCreditNoteIsSplitByTheShareOfThePlansItCredits() {
    InvoiceFinalized invoice = invoice("inv_1", "0.00",
        line("sub_a", "plan_70", "10.00", "0.70"), line("sub_a", "plan_50", "10.00", "0.50"));
    CreditNoteIssued note = note("cn_1", "inv_1", "4.00");
    List<BillingLedger.Delivery> credits = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice)).apply(BillingJournal.event(note)).noteCreditsFor(invoice, note, 0);
    assertEquals("-4.00", credits.get(0).credit().getCharge());
    assertEquals("-2.40", credits.get(0).credit().getProducerShare());
  }

  @Test
  void aSnapshotKeepsWhichVoidsAndCreditNotesEveryProducerConfirmed() {
    InvoiceFinalized invoice = invoice("inv_1", "0.00", line("sub_a", "plan_a", "10.00", "0.70"));
    BillingLedger ledger = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice)).apply(BillingJournal.event(note("cn_1", "inv_1", "4.00"))).apply(BillingJournal.event(voided("inv_1")));
    for (String key : List.of("inv_1", "cn_1", BillingLedger.voidKey("inv_1"))) {
      ledger.apply(BillingJournal.event(io.tollgate.protocols.v1.journal.RevenueDelivered.newBuilder().setInvoice(key).build()));
    }
    assertTrue(ledger.undelivered(0).isEmpty());
    BillingLedger restored = BillingLedger.fromSnapshot(ACCOUNT, ledger.toSnapshot());
    assertEquals(List.of(), restored.undelivered(0).stream().map(BillingLedger.Undelivered::creditKey).toList(),
        "nothing is sent again after a restart from the snapshot");
    assertEquals(ledger.toSnapshot(), restored.toSnapshot());
  }

  @Test
  void everyChangeOfAnInvoiceAwaitsItsEventUntilStoredAndASnapshotKeepsWhatIsNotStored() {
    InvoiceFinalized invoice = invoice("inv_1", "0.00", line("sub_a", "plan_a", "10.00", "0.70"));
    BillingLedger ledger = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice))
        .apply(BillingJournal.event(note("cn_1", "inv_1", "4.00"))).apply(BillingJournal.event(voided("inv_1")));
    assertEquals(List.of("inv_1", "cn_1", "inv_1:voided"), ledger.unannounced().stream().map(InvoiceEvent::id).toList());
    ledger.apply(new BillingEvent.InvoiceAnnounced("inv_1", "inv_1"))
        .apply(new BillingEvent.InvoiceAnnounced("inv_1", "cn_1"));
    assertTrue(!ledger.settled(), "the void's event is not stored yet");

    BillingLedger restored = BillingLedger.fromSnapshot(ACCOUNT, ledger.toSnapshot());
    assertEquals(ledger.unannounced(), restored.unannounced(), "the restored ledger sends the void's event, only it");
    assertEquals(ledger.toSnapshot(), restored.toSnapshot());
    restored.apply(new BillingEvent.InvoiceAnnounced("inv_1", "inv_1:voided"));
    assertEquals(List.of(), restored.unannounced());
  }

  @Test
  void aCreditNoteIsRefusedOnAVoidInvoiceAndBeyondWhatIsLeft() {
    BillingLedger ledger = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice("inv_1", "0.00", line("sub_a", "plan_a", "10.00", "0.70"))));
    assertEquals(new BillingLedger.CreditNoteCheck.Allowed(Money.of("10.00", "USD")), ledger.checkCreditNote("inv_1", "10.00", "r", "k1"));
    ledger.apply(BillingJournal.event(note("cn_1", "inv_1", "4.00")));
    assertEquals("credit_exceeds_invoice",
        ((BillingLedger.CreditNoteCheck.Refused) ledger.checkCreditNote("inv_1", "6.01", "r", "k2")).code());
    assertEquals(new BillingLedger.CreditNoteCheck.AlreadyIssued("cn_1"), ledger.checkCreditNote("inv_1", "4.00", "", "cn_1"));
    ledger.apply(BillingJournal.event(voided("inv_1")));
    assertEquals("invoice_void", ((BillingLedger.CreditNoteCheck.Refused) ledger.checkCreditNote("inv_1", "1.00", "r", "k3")).code());
  }

  @Test
  void anIdempotencyKeyUsedAgainForAnotherRequestIsRefusedAndTheSameRequestIsTheSameDocument() {
    BillingLedger ledger = new BillingLedger(ACCOUNT).apply(BillingJournal.event(invoice("inv_1", "0.00", line("sub_a", "plan_a", "10.00", "0.70"))));
    ledger.apply(BillingJournal.event(note("cn_1", "inv_1", "4.00")));
    assertEquals(new BillingLedger.CreditNoteCheck.AlreadyIssued("cn_1"), ledger.checkCreditNote("inv_1", "4.0", "", "cn_1"));
    for (String[] other : List.of(new String[] {"1.00", ""}, new String[] {"4.00", "another reason"}, new String[] {"x", ""})) {
      assertEquals("idempotency_key_reused",
          ((BillingLedger.CreditNoteCheck.Refused) ledger.checkCreditNote("inv_1", other[0], other[1], "cn_1")).code());
    }

    assertEquals(BillingLedger.TopUpCheck.NEW, ledger.checkTopUp("order-7", Money.of("50.00", "USD")));
    ledger.apply(new BillingEvent.WalletToppedUp("order-7", Money.of("50.00", "USD"), "admin", java.time.Instant.EPOCH));
    assertEquals(BillingLedger.TopUpCheck.REPEATED, ledger.checkTopUp("order-7", Money.of("50.00", "USD")));
    assertEquals(BillingLedger.TopUpCheck.KEY_REUSED, ledger.checkTopUp("order-7", Money.of("60.00", "USD")));
    assertEquals(BillingLedger.TopUpCheck.KEY_REUSED, ledger.checkTopUp("order-7", Money.of("50.00", "EUR")));
    BillingLedger restored = BillingLedger.fromSnapshot(ACCOUNT, ledger.toSnapshot());
    assertEquals(BillingLedger.TopUpCheck.KEY_REUSED, restored.checkTopUp("order-7", Money.of("60.00", "USD")),
        "the amount survives a snapshot");
  }


  @Test
  void bytesAreCountedWithTheEventsAndAnEntryFromBeforeBytesReadsAsNone() {
    BillingLedger ledger = new BillingLedger("acc_b");
    Invoicing.PlanSegmentKey segment = new Invoicing.PlanSegmentKey("plan_a", Instant.EPOCH);
    ledger.apply(BillingJournal.usage(io.tollgate.protocols.v1.journal.UsageRecorded.newBuilder()
        .setSubscription("sub_a").setSequence(1).setPeriod("2026-11").setUnits(3).setPlan("plan_a").build()));
    ledger.apply(new BillingEvent.UsageRecorded("sub_a", 2, "2026-11", new Metered(2, 700), Instant.EPOCH, segment));

    assertEquals(new Metered(5, 700), ledger.usageReport().used("2026-11", "sub_a"));
    assertEquals(ledger.usageReport(), BillingLedger.fromSnapshot("acc_b", ledger.toSnapshot()).usageReport(),
        "the snapshot keeps the bytes");
    ledger.apply(new BillingEvent.PeriodsClosed(MONTHLY.periodOf(Instant.parse("2026-11-02T00:00:00Z")).end()));
    ArchivedPeriod archived = ledger.archiveOf(new BillingLedger.Archivable("2026-11", Instant.parse("2026-12-01T00:00:00Z")));
    assertEquals(700, archived.getUsage(0).getBytes(), "and so does the archive");
  }

  // ---- the archive ---------------------------------------------------------------------------

  private static final PeriodScheme MONTHLY = PeriodScheme.parse("monthly");

  /** One month of an account with 20 subscriptions: usage, the invoice, its confirmations, the close. */
  private static void liveThrough(BillingLedger ledger, Period month, long sequence) {
    InvoiceLine[] lines = new InvoiceLine[20];
    for (int s = 0; s < 20; s++) {
      ledger.apply(new BillingEvent.UsageRecorded("sub_" + s, sequence, month.id(), new Metered(100, 0), month.start(),
          new Invoicing.PlanSegmentKey("plan_a", Instant.EPOCH)));
      lines[s] = line("sub_" + s, "plan_a", "1.00", "0.70");
    }
    InvoiceFinalized invoice = invoice("inv_" + month.id(), "0.00", lines).toBuilder().setPeriod(month.id()).build();
    ledger.apply(new BillingEvent.InvoiceFinalized(invoice)).apply(new BillingEvent.InvoiceAnnounced(invoice.getId(), invoice.getId()))
        .apply(new BillingEvent.RevenueDelivered(invoice.getId())).apply(new BillingEvent.PeriodsClosed(month.end()));
  }

  private static void archiveWhatIsClosed(BillingLedger ledger, List<ArchivedPeriod> archive) {
    for (BillingLedger.Archivable period : ledger.archivable(MONTHLY::named)) {
      archive.add(ledger.archiveOf(period));
      ledger.apply(new BillingEvent.PeriodArchived(period.period(), period.end()));
    }
  }

  @Test
  void theLiveSnapshotStaysTheSameSizeHoweverManyPeriodsWereClosed() {
    BillingLedger archived = new BillingLedger(ACCOUNT);
    BillingLedger kept = new BillingLedger(ACCOUNT);
    List<ArchivedPeriod> archive = new ArrayList<>();
    Period month = MONTHLY.periodOf(Instant.parse("2026-01-15T00:00:00Z"));
    int afterTwo = 0;
    for (int n = 1; n <= 12; n++) {
      liveThrough(archived, month, n);
      liveThrough(kept, month, n);
      archiveWhatIsClosed(archived, archive);
      if (n == 2) {
        afterTwo = archived.toSnapshot().getSerializedSize();
      }
      month = MONTHLY.periodOf(month.end());
    }

    assertEquals(afterTwo, archived.toSnapshot().getSerializedSize(), "twelve closed periods weigh what two do");
    assertTrue(kept.toSnapshot().getSerializedSize() > 10 * afterTwo, "kept in the live state, they would weigh 12 times");
    assertEquals(12, archive.size());
    assertEquals(20 * 100L, archive.get(11).getUsageList().stream().mapToLong(PeriodUsage::getUnits).sum());
    assertEquals(List.of(), archived.view().invoices(), "the live state holds no closed period");
  }

  @Test
  void aPeriodWithSomethingUnconfirmedStaysLiveAndSoDoesEveryLaterOne() {
    BillingLedger ledger = new BillingLedger(ACCOUNT);
    Period november = MONTHLY.periodOf(Instant.parse("2026-11-10T00:00:00Z"));
    Period december = MONTHLY.periodOf(november.end());
    liveThrough(ledger, november, 1);
    liveThrough(ledger, december, 2);
    ledger.apply(new BillingEvent.InvoiceStatusChanged("inv_2026-11", "void", "admin", Instant.EPOCH));

    assertEquals(List.of(), ledger.archivable(MONTHLY::named), "November's void is not confirmed; December waits in order");
    ledger.apply(new BillingEvent.RevenueDelivered(BillingLedger.voidKey("inv_2026-11")));
    assertEquals(List.of(), ledger.archivable(MONTHLY::named), "nor is the void's event stored on the topic");
    ledger.apply(new BillingEvent.InvoiceAnnounced("inv_2026-11", "inv_2026-11:voided"));
    assertEquals(List.of("2026-11", "2026-12"), ledger.archivable(MONTHLY::named).stream()
        .map(BillingLedger.Archivable::period).toList());
  }

  @Test
  void aReopenedInvoiceIsLiveAndSettledAndGoesBackAloneWithoutItsUsage() {
    BillingLedger ledger = new BillingLedger(ACCOUNT);
    Period november = MONTHLY.periodOf(Instant.parse("2026-11-10T00:00:00Z"));
    liveThrough(ledger, november, 1);
    List<ArchivedPeriod> archive = new ArrayList<>();
    archiveWhatIsClosed(ledger, archive);
    ledger.apply(new BillingEvent.InvoiceReopened(BillingJournal.invoice(archive.get(0).getInvoices(0))));
    ledger.apply(new BillingEvent.InvoiceStatusChanged("inv_2026-11", "paid", "admin", Instant.EPOCH));

    assertEquals(List.of("inv_2026-11:paid"), ledger.unannounced().stream().map(InvoiceEvent::id).toList(),
        "what was stored before it was archived is not stored again; the payment's event is new");
    ledger.apply(new BillingEvent.InvoiceAnnounced("inv_2026-11", "inv_2026-11:paid"));
    assertTrue(ledger.settled(), "what was confirmed before it was archived stays confirmed");
    List<BillingLedger.Archivable> again = ledger.archivable(MONTHLY::named);
    assertEquals(List.of("2026-11"), again.stream().map(BillingLedger.Archivable::period).toList());
    ArchivedPeriod paid = ledger.archiveOf(again.get(0));
    assertEquals("paid", paid.getInvoices(0).getStatus());
    assertEquals(0, paid.getUsageCount(), "its usage is in the archive already");
  }
}
