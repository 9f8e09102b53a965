package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.InvoiceDraft.Line;
import io.tollgate.billing.InvoiceDraft.LineKind;
import io.tollgate.billing.Proration.Segment;
import io.tollgate.billing.Proration.SegmentWithPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Rules of the bytes meter that must hold for every bytes price and every way a period is cut.
 * Expected amounts come from the definition (whole started units of the period's total, priced by
 * the model), not from the code under test.
 */
class BytesPriceProperties {
  private static final Period DAY = PeriodScheme.parse("P1D").periodOf(Instant.parse("2026-11-10T12:00:00Z"));

  @Property
  void startedUnitsAreTheCeilingOfTheBytes(@ForAll("units") String per, @ForAll @LongRange(max = Long.MAX_VALUE / 2) long bytes) {
    BytesPrice price = BytesPrice.of(per, PriceModel.perUnit("USD", "1"));
    long units = price.unitsOf(bytes);
    assertTrue(units * price.unitBytes() >= bytes && (units == 0 || (units - 1) * price.unitBytes() < bytes),
        () -> units + " units of " + price.unitBytes() + " for " + bytes + " bytes");
  }

  /**
   * However a period is cut between plans with the same bytes price, the bytes lines cost what the
   * period's whole bytes cost in started units: no cut starts a unit twice or restarts a tier.
   * Whole-cent prices, so no line rounds (a finer price rounds each segment's line, as events do).
   */
  @Property
  void cuttingThePeriodBetweenPlansNeverChangesWhatItsBytesCost(
      @ForAll("wholeCentBytesPrices") BytesPrice price, @ForAll @Size(min = 1, max = 5) List<@LongRange(max = 50_000_000) Long> bytes) {
    List<SegmentWithPlan> segments = new ArrayList<>();
    long nanos = Duration.between(DAY.start(), DAY.end()).toNanos();
    long total = 0;
    for (int i = 0; i < bytes.size(); i++) {
      PlanTerms terms = PlanTerms.of("plan", PriceModel.perUnit("USD", "0")).withBytesPrice(price);
      segments.add(new SegmentWithPlan(i % 2 == 0 ? "a" : "b", new Segment(terms,
          DAY.start().plusNanos(nanos / bytes.size() * i),
          i == bytes.size() - 1 ? DAY.end() : DAY.start().plusNanos(nanos / bytes.size() * (i + 1)), 0, bytes.get(i))));
      total += bytes.get(i);
    }
    List<Line> lines = Proration.lines(DAY, "sub", segments);
    List<Line> bytesLines = lines.stream().filter(line -> line.kind() == LineKind.BYTES).toList();

    Money charged = bytesLines.stream().map(Line::amount).reduce(Money.zero(price.currency()), Money::plus);
    if (!(price.price() instanceof PriceModel.Package)) {
      assertEquals(price.price().rate(price.unitsOf(total)).total(), charged, () -> "bytes " + bytes);
      assertEquals(price.unitsOf(total), bytesLines.stream().mapToLong(Line::quantity).sum(), "every started unit once");
    }
    assertEquals(List.of(), lines.stream().filter(line -> line.kind() != LineKind.BYTES).toList(),
        "a plan that prices events at zero bills only bytes");
  }

  /** A whole period's bytes lines are the model's rating of the started units, tier by tier. */
  @Property
  void aWholePeriodsBytesAreTheModelsRatingOfTheirStartedUnits(
      @ForAll("bytesPrices") BytesPrice price, @ForAll @LongRange(max = 5_000_000_000L) long bytes) {
    PlanTerms terms = PlanTerms.of("plan", PriceModel.perUnit("USD", "0.001")).withBytesPrice(price);
    List<Line> lines = InvoiceDraft.linesOf(new InvoiceDraft.Usage("sub", "plan", terms, 0, bytes)).stream()
        .filter(line -> line.kind() == LineKind.BYTES).toList();
    List<LineItem> rated = price.price().rate(price.unitsOf(bytes)).lines();
    assertEquals(rated.size(), lines.size());
    for (int i = 0; i < rated.size(); i++) {
      assertEquals(rated.get(i).quantity(), lines.get(i).quantity());
      assertEquals(rated.get(i).amount(), lines.get(i).amount());
    }
  }

  @Provide
  Arbitrary<String> units() {
    return Arbitraries.of("B", "KB", "MB", "GB", "KiB", "MiB", "GiB");
  }

  @Provide
  Arbitrary<BytesPrice> bytesPrices() {
    return bytesPrices("0", "0.0001", "0.013", "0.09", "0.25", "1.00");
  }

  @Provide
  Arbitrary<BytesPrice> wholeCentBytesPrices() {
    return bytesPrices("0", "0.01", "0.09", "0.25", "1.00");
  }

  private Arbitrary<BytesPrice> bytesPrices(String... prices) {
    Arbitrary<List<Tier>> ladders = Combinators.combine(
            Arbitraries.longs().between(1, 5_000).set().ofMinSize(1).ofMaxSize(3),
            Arbitraries.of(prices).list().ofSize(4))
        .as((ends, amounts) -> {
          List<Long> sorted = new ArrayList<>(ends);
          Collections.sort(sorted);
          List<Tier> ladder = new ArrayList<>();
          for (int i = 0; i < sorted.size(); i++) {
            ladder.add(Tier.of(sorted.get(i), amounts.get(i)));
          }
          ladder.add(Tier.of(null, amounts.get(sorted.size())));
          return ladder;
        });
    Arbitrary<PriceModel> models = Arbitraries.oneOf(
        Arbitraries.of(prices).map(amount -> PriceModel.perUnit("USD", amount)),
        ladders.map(ladder -> PriceModel.graduated("USD", ladder)),
        ladders.map(ladder -> PriceModel.volume("USD", ladder)),
        Arbitraries.longs().between(1, 500).map(size -> PriceModel.perPackage("USD", size, "0.50")));
    return Combinators.combine(units(), models).as(BytesPrice::of);
  }
}
