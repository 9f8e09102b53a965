package io.tollgate.broker.invoicing.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPaused;
import io.tollgate.protocols.v1.journal.SubscriptionResumed;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The verification over journals held in memory. One month: a subscription on plan A (0.10 USD,
 * producer's share 0.70) moves to plan B (0.20 USD, share 0.50) mid-month; 10 units under A and 5
 * under B make an invoice of 2.00, half paid from a 0.50 top-up; a 0.40 credit note; then a void.
 * As journaled consistently, nothing differs; each tampering shows as the difference it is.
 */
class BillingVerifierTest {
  private static final String CONSUMER = "acc_c";
  private static final String PRODUCER = "acc_p";
  private static final String INVOICE = "inv_c_202611_usd";
  private static final String NOTE = "cn_tgcn_000001";
  private static final Instant CREATED = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant CHANGED = Instant.parse("2026-11-15T00:00:00Z");
  private static final PeriodScheme MONTHLY = PeriodScheme.parse("monthly");

  @Test
  void consistentJournalsShowNoDifferenceAndCountWhatWasChecked() {
    VerificationReport report = verify(usage(), consumerJournal(UnaryOperator.identity()), producerJournal(UnaryOperator.identity()));

    assertEquals(List.of(), report.differences());
    assertEquals(new VerificationReport.Checked(1, 1, 1, 3, 2), report.checked());
    assertEquals(0, report.pendingCredits());
  }

  @Test
  void aDoubledUsageRecordShowsAsTheUnitsAndTheAmountTheInvoiceLacks() {
    List<CursorsAdvanced> doubled = new ArrayList<>(usage());
    doubled.add(0, doubled.get(0));

    VerificationReport report = verify(doubled, consumerJournal(UnaryOperator.identity()), producerJournal(UnaryOperator.identity()));

    assertTrue(report.differences().containsAll(List.of(
        new Difference(INVOICE, "sub_1 plan_a usage tier 1", "quantity", "20", "10"),
        new Difference(INVOICE, "sub_1 plan_a usage tier 1", "amount", "2.00", "1.00"),
        new Difference(INVOICE, "", "total", "3.00", "2.00"))), report.differences().toString());
  }

  @Test
  void aTotalThatIsNotItsLinesIsReported() {
    VerificationReport report = verify(usage(), consumerJournal(invoice -> invoice.setTotal("2.10").setAmountDue("1.60")),
        producerJournal(UnaryOperator.identity()));

    assertEquals(List.of(new Difference(INVOICE, "", "total", "2.00", "2.10")), report.differences());
  }

  @Test
  void creditsAppliedThatTheWalletDidNotHoldAreReported() {
    VerificationReport report = verify(usage(), consumerJournal(invoice -> invoice.setCreditsApplied("0.00").setAmountDue("2.00")),
        producerJournal(UnaryOperator.identity()));

    assertTrue(report.differences().contains(new Difference(INVOICE, "", "credits_applied", "0.50", "0.00")),
        report.differences().toString());
  }

  @Test
  void aChargeSplitByTheFirstPlansShareShowsOnTheStatement() {
    VerificationReport report = verify(usage(), consumerJournal(UnaryOperator.identity()), producerJournal(credit ->
        credit.getInvoice().equals(INVOICE) ? credit.toBuilder().setProducerShare("1.40").setPlatformFee("0.60").build() : credit));

    assertEquals(List.of(
        new Difference("statement acc_p 2026-11 USD", INVOICE + " sub_1", "producer_share", "1.20", "1.40"),
        new Difference("statement acc_p 2026-11 USD", INVOICE + " sub_1", "platform_fee", "0.80", "0.60")),
        report.differences());
  }

  @Test
  void aCreditNotYetConfirmedIsPendingAndOneConfirmedButMissingIsADifference() {
    List<Message> withoutVoidCredit = producerJournal(UnaryOperator.identity()).stream()
        .filter(event -> !(event instanceof RevenueCredited credit && credit.getInvoice().endsWith(":void"))).toList();
    List<Message> unconfirmed = consumerJournal(UnaryOperator.identity()).stream()
        .filter(event -> !(event instanceof RevenueDelivered delivered && delivered.getInvoice().endsWith(":void"))).toList();

    VerificationReport pending = verify(usage(), unconfirmed, withoutVoidCredit);
    VerificationReport lost = verify(usage(), consumerJournal(UnaryOperator.identity()), withoutVoidCredit);

    assertEquals(List.of(), pending.differences());
    assertEquals(1, pending.pendingCredits());
    assertEquals(List.of(new Difference("statement acc_p 2026-11 USD", INVOICE + ":void sub_1", "charge", "-1.60", "none")),
        lost.differences());
  }

  @Test
  void aClosedPeriodWithoutItsInvoiceAndAGapInTheNumbersAreReported() {
    List<Message> closedOnly = List.of(PeriodsClosed.newBuilder()
        .setThroughMillis(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli()).build());
    List<Message> secondNumber = consumerJournal(invoice -> invoice.setNumber("TG-000002"));

    VerificationReport missing = verify(usage(), closedOnly, List.of());
    VerificationReport gap = verify(usage(), secondNumber, producerJournal(UnaryOperator.identity()));

    assertEquals(List.of(new Difference(INVOICE, "", "invoice", "finalized, total 2.00", "none")), missing.differences());
    assertEquals(List.of(new Difference("TG-000001", "", "document", "a numbered document", "none")), gap.differences());
  }

  @Test
  void aCreditNoteBeyondWhatIsLeftToCreditIsReported() {
    List<Message> journal = new ArrayList<>(consumerJournal(UnaryOperator.identity()));
    int void_ = journal.indexOf(journal.stream().filter(InvoiceStatusChanged.class::isInstance).findFirst().orElseThrow());
    journal.add(void_, note("TGCN-000002", "1.70", "second"));

    VerificationReport report = verify(usage(), journal, producerJournal(UnaryOperator.identity()));

    assertTrue(report.differences().contains(new Difference("cn_tgcn_000002", "", "amount", "more than zero and at most 1.60", "1.70")),
        report.differences().toString());
  }

  @Test
  void aCreditNoteOnAVoidInvoiceIsReported() {
    List<Message> journal = new ArrayList<>(consumerJournal(UnaryOperator.identity()));
    journal.add(note("TGCN-000002", "0.10", "after-void"));

    VerificationReport report = verify(usage(), journal, producerJournal(UnaryOperator.identity()));

    assertTrue(report.differences().contains(new Difference("cn_tgcn_000002", "", "invoice status", "finalized or paid", "void")),
        report.differences().toString());
  }

  @Test
  void oneAccountsVerificationReportsOnlyThatAccountsDocuments() {
    Journals journals = new Journals(catalog(), Map.of("sub_1", usage()), Map.of(
        CONSUMER, consumerJournal(invoice -> invoice.setTotal("2.10").setAmountDue("1.60")),
        PRODUCER, producerJournal(UnaryOperator.identity())));

    VerificationReport consumer = BillingVerifier.verify(journals, MONTHLY, Optional.of(CONSUMER));
    VerificationReport producer = BillingVerifier.verify(journals, MONTHLY, Optional.of(PRODUCER));

    assertEquals(List.of(new Difference(INVOICE, "", "total", "2.00", "2.10")), consumer.differences());
    assertEquals(new VerificationReport.Checked(1, 1, 0, 0, 2), consumer.checked());
    assertEquals(List.of(), producer.differences());
    assertEquals(new VerificationReport.Checked(0, 0, 1, 3, 2), producer.checked());
  }

  @Test
  void aBillingEventItDoesNotKnowStopsTheVerificationRatherThanPassingBlindly() {
    List<Message> journal = new ArrayList<>(consumerJournal(UnaryOperator.identity()));
    journal.add(catalog().get(0));

    assertThrows(IllegalArgumentException.class, () -> verify(usage(), journal, producerJournal(UnaryOperator.identity())));
  }

  @Test
  void aPauseAndACancelInTheCatalogAreReplayedAndPricedAsTheCloseDoes() {
    List<CatalogChange> catalog = new ArrayList<>(catalog());
    catalog.add(change(Instant.parse("2026-11-12T00:00:00Z"), CatalogChange.newBuilder()
        .setSubscriptionPaused(SubscriptionPaused.newBuilder().setSubscription("sub_1"))));
    catalog.add(change(Instant.parse("2026-11-14T00:00:00Z"), CatalogChange.newBuilder()
        .setSubscriptionResumed(SubscriptionResumed.newBuilder().setSubscription("sub_1"))));
    catalog.sort(java.util.Comparator.comparingLong(CatalogChange::getAtMillis));
    catalog.add(change(Instant.parse("2026-11-25T00:00:00Z"), CatalogChange.newBuilder().setSubscriptionCancelled(
        SubscriptionCancelled.newBuilder().setSubscription("sub_1").setAt("now")
            .setEndsAtMillis(Instant.parse("2026-11-25T00:00:00Z").toEpochMilli()))));
    List<Message> closedThroughDecember = new ArrayList<>(consumerJournal(UnaryOperator.identity()));
    closedThroughDecember.add(PeriodsClosed.newBuilder()
        .setThroughMillis(Instant.parse("2027-01-01T00:00:00Z").toEpochMilli()).build());

    VerificationReport report = BillingVerifier.verify(new Journals(catalog, Map.of("sub_1", usage()),
        Map.of(CONSUMER, closedThroughDecember, PRODUCER, producerJournal(UnaryOperator.identity()))), MONTHLY, Optional.empty());

    assertEquals(List.of(), report.differences(), "the usage on either side of the pause, and no December invoice");
  }

  // ---- the journals --------------------------------------------------------------------------

  private static VerificationReport verify(List<CursorsAdvanced> usage, List<Message> consumer, List<Message> producer) {
    return BillingVerifier.verify(new Journals(catalog(), Map.of("sub_1", usage), Map.of(CONSUMER, consumer, PRODUCER, producer)),
        MONTHLY, Optional.empty());
  }

  private static List<CatalogChange> catalog() {
    return List.of(
        change(CREATED, CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(CONSUMER).setName("c"))),
        change(CREATED, CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId(PRODUCER).setName("p"))),
        change(CREATED, CatalogChange.newBuilder().setProductCreated(ProductCreated.newBuilder().setId("prod_x").setName("x")
            .setOwner(PRODUCER))),
        change(CREATED, CatalogChange.newBuilder().setPlanCreated(plan("plan_a", "0.10", "0.70"))),
        change(CREATED, CatalogChange.newBuilder().setPlanCreated(plan("plan_b", "0.20", "0.50"))),
        change(CREATED, CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_1")
            .setAccount(CONSUMER).setProduct("prod_x").setPlan("plan_a").setDeliveryType("websocket"))),
        change(CHANGED, CatalogChange.newBuilder().setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder()
            .setSubscription("sub_1").setPlan("plan_b"))));
  }

  private static CatalogChange change(Instant at, CatalogChange.Builder change) {
    return change.setAtMillis(at.toEpochMilli()).setActor("admin").build();
  }

  private static PlanCreated.Builder plan(String id, String unitAmount, String share) {
    return PlanCreated.newBuilder().setId(id).setProductId("prod_x").setName(id).setTerms(PlanTerms.newBuilder()
        .setCurrency("USD").setRevenueShare(share)
        .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount(unitAmount))));
  }

  private static List<CursorsAdvanced> usage() {
    return List.of(
        CursorsAdvanced.newBuilder().setPeriod("2026-11").setUnits(10).setAtMillis(Instant.parse("2026-11-10T00:00:00Z").toEpochMilli()).build(),
        CursorsAdvanced.newBuilder().setPeriod("2026-11").setUnits(5).setAtMillis(Instant.parse("2026-11-20T00:00:00Z").toEpochMilli()).build());
  }

  private static List<Message> consumerJournal(UnaryOperator<InvoiceFinalized.Builder> tamper) {
    InvoiceFinalized invoice = tamper.apply(InvoiceFinalized.newBuilder().setId(INVOICE).setNumber("TG-000001")
        .setAccount(CONSUMER).setPeriod("2026-11")
        .setPeriodStartMillis(CREATED.toEpochMilli()).setPeriodEndMillis(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli())
        .setCurrency("USD").setTotal("2.00").setCreditsApplied("0.50").setAmountDue("1.50")
        .addLines(line("plan_a", 10, "0.1", "1.00", "0.70"))
        .addLines(line("plan_b", 5, "0.2", "1.00", "0.50"))).build();
    return List.of(
        WalletToppedUp.newBuilder().setIdempotencyKey("order-1").setCurrency("USD").setAmount("0.50").build(),
        invoice,
        PeriodsClosed.newBuilder().setThroughMillis(invoice.getPeriodEndMillis()).build(),
        RevenueDelivered.newBuilder().setInvoice(INVOICE).build(),
        note("TGCN-000001", "0.40", "first"),
        RevenueDelivered.newBuilder().setInvoice(NOTE).build(),
        InvoiceStatusChanged.newBuilder().setInvoice(INVOICE).setStatus("void").build(),
        RevenueDelivered.newBuilder().setInvoice(INVOICE + ":void").build());
  }

  private static CreditNoteIssued note(String number, String amount, String key) {
    return CreditNoteIssued.newBuilder().setId("cn_" + number.toLowerCase().replace("-", "_")).setNumber(number)
        .setInvoice(INVOICE).setCurrency("USD").setAmount(amount).setIdempotencyKey(key).build();
  }

  private static InvoiceLine line(String plan, long quantity, String unitAmount, String amount, String share) {
    return InvoiceLine.newBuilder().setSubscription("sub_1").setPlan(plan).setKind("usage").setTier(1)
        .setQuantity(quantity).setUnitAmount(unitAmount).setAmount(amount).setProducer(PRODUCER).setRevenueShare(share).build();
  }

  /** The producer's credits: the invoice's (0.70 of A's 1.00, 0.50 of B's), the note's reversal, the void's. */
  private static List<Message> producerJournal(UnaryOperator<RevenueCredited> tamper) {
    return List.of(
        tamper.apply(credit(INVOICE, "2.00", "1.20", "0.80")),
        tamper.apply(credit(NOTE, "-0.40", "-0.24", "-0.16")),
        tamper.apply(credit(INVOICE + ":void", "-1.60", "-0.96", "-0.64")));
  }

  private static RevenueCredited credit(String key, String charge, String share, String fee) {
    return RevenueCredited.newBuilder().setInvoice(key).setSubscription("sub_1").setConsumer(CONSUMER).setPeriod("2026-11")
        .setCurrency("USD").setCharge(charge).setProducerShare(share).setPlatformFee(fee).build();
  }
}
