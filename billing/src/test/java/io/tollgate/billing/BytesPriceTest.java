package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.billing.InvoiceDraft.Line;
import io.tollgate.billing.InvoiceDraft.LineKind;
import io.tollgate.billing.Proration.Segment;
import io.tollgate.billing.Proration.SegmentWithPlan;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BytesPriceTest {
  private static final Period NOVEMBER = PeriodScheme.parse("monthly").periodOf(Instant.parse("2026-11-10T00:00:00Z"));
  private static final Instant MID = Instant.parse("2026-11-16T00:00:00Z");

  @Test
  void aStartedUnitCountsAsAWholeOne() {
    BytesPrice perKb = BytesPrice.of("KB", PriceModel.perUnit("USD", "0.01"));
    assertEquals(0, perKb.unitsOf(0));
    assertEquals(1, perKb.unitsOf(1));
    assertEquals(1, perKb.unitsOf(1000));
    assertEquals(2, perKb.unitsOf(1001));
    assertEquals(1L << 30, BytesPrice.of("GiB", PriceModel.perUnit("USD", "0.09")).unitBytes());
    assertEquals(1_000_000, BytesPrice.of("MB", PriceModel.perUnit("USD", "0.09")).unitBytes());
  }

  @Test
  void anUnknownUnitOrAnotherCurrencyIsRefused() {
    assertEquals(BillingException.INVALID_PRICE,
        assertThrows(BillingException.class, () -> BytesPrice.of("kb", PriceModel.perUnit("USD", "1"))).code());
    assertEquals(BillingException.INVALID_PRICE, assertThrows(BillingException.class,
        () -> new BytesPrice("MB", 1000, PriceModel.perUnit("USD", "1"))).code());
    assertEquals(BillingException.INVALID_PRICE, assertThrows(BillingException.class,
        () -> PlanTerms.of("p", PriceModel.perUnit("USD", "0.001"))
            .withBytesPrice(BytesPrice.of("MB", PriceModel.perUnit("EUR", "0.02")))).code());
  }

  @Test
  void bytesAreBilledOnTheirOwnLinesNextToTheEvents() {
    PlanTerms terms = PlanTerms.of("Pro", PriceModel.perUnit("USD", "0.001"))
        .withRecurringFee(Money.of("5.00", "USD"))
        .withBytesPrice(BytesPrice.of("MB", PriceModel.perUnit("USD", "0.25")));
    List<Line> lines = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "pro", terms, 2000, 2_500_000));

    assertEquals(List.of(LineKind.USAGE, LineKind.BYTES, LineKind.RECURRING_FEE), lines.stream().map(Line::kind).toList());
    Line bytes = lines.get(1);
    assertEquals(3, bytes.quantity(), "2.5 MB are three started MB");
    assertEquals(UnitPrice.of("0.25"), bytes.unitPrice());
    assertEquals(Money.of("0.75", "USD"), bytes.amount());
  }

  @Test
  void aPlanWithoutABytesPriceBillsNoBytes() {
    PlanTerms terms = PlanTerms.of("Basic", PriceModel.perUnit("USD", "0.001"));
    assertEquals(List.of(LineKind.USAGE), InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "basic", terms, 10, 99_999))
        .stream().map(Line::kind).toList());
  }

  @Test
  void bytesTiersGoOnAcrossAPlanChangeAndAPartUnitIsPaidOnce() {
    BytesPrice tiered = BytesPrice.of("KB", PriceModel.graduated("USD",
        List.of(Tier.of(10L, "0"), Tier.of(null, "0.10"))));
    PlanTerms a = PlanTerms.of("A", PriceModel.perUnit("USD", "0")).withBytesPrice(tiered);
    PlanTerms b = PlanTerms.of("B", PriceModel.perUnit("USD", "0")).withBytesPrice(tiered);
    // 9.5 KB then 3 KB: 12.5 KB in the period, 13 started units, 10 free, 3 at 0.10.
    List<Line> lines = Proration.lines(NOVEMBER, "sub", List.of(
        new SegmentWithPlan("a", new Segment(a, NOVEMBER.start(), MID, 0, 9_500)),
        new SegmentWithPlan("b", new Segment(b, MID, NOVEMBER.end(), 0, 3_000))));

    List<Line> bytes = lines.stream().filter(line -> line.kind() == LineKind.BYTES).toList();
    assertEquals(List.of(10L, 3L), bytes.stream().map(Line::quantity).toList(), "the first part pays the unit it started");
    assertEquals(List.of(1, 2), bytes.stream().map(Line::tier).toList());
    assertEquals(Money.of("0.30", "USD"), bytes.stream().map(Line::amount).reduce(Money::plus).orElseThrow());
    assertEquals(MID, bytes.get(1).from());
  }

  @Test
  void termsFromTheJournalCarryTheBytesPrice() {
    io.tollgate.protocols.v1.journal.PriceModel perGib = io.tollgate.protocols.v1.journal.PriceModel.newBuilder()
        .setPerUnit(io.tollgate.protocols.v1.journal.PerUnit.newBuilder().setUnitAmount("0.09")).build();
    PlanTerms terms = PlanTermsProto.fromProto("Pro", io.tollgate.protocols.v1.journal.PlanTerms.newBuilder()
        .setCurrency("USD").setPrice(perGib)
        .setBytesPrice(io.tollgate.protocols.v1.journal.BytesPrice.newBuilder().setPer("GiB").setPrice(perGib))
        .build());

    assertEquals(BytesPrice.of("GiB", PriceModel.perUnit("USD", "0.09")), terms.bytesPrice().orElseThrow());
  }
}
