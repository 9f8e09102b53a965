package io.tollgate.billing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consumer's bill for one period as it stands: a line per tier of each subscription's rating
 * (after its free allowance), a zero line for the free allowance itself, a line for the events
 * past the quota when the plan prices them apart, a line per tier of the bytes when the plan prices
 * bytes, and the recurring fee.
 * Totals are sums of the rounded lines, per currency.
 */
public record InvoiceDraft(Period period, List<Line> lines, Map<Currency, Money> totals) {

  /** What one subscription used in the period, under which plan: events, and the bytes of their data. */
  public record Usage(String subscriptionId, String planId, PlanTerms terms, long units, long bytes) {
    public Usage {
      if (units < 0 || bytes < 0) {
        throw new IllegalArgumentException("usage must not be negative: " + units + " events, " + bytes + " bytes");
      }
    }

    /** Events only, no bytes. */
    public Usage(String subscriptionId, String planId, PlanTerms terms, long units) {
      this(subscriptionId, planId, terms, units, 0);
    }
  }

  /**
   * {@code BYTES}: a tier of the bytes price; its quantity is in the plan's bytes unit
   * ({@link BytesPrice#per}), or in packages for a package price.
   */
  public enum LineKind { TRIAL, FREE_ALLOWANCE, USAGE, OVERAGE, BYTES, RECURRING_FEE }

  /**
   * One line: {@code unitPrice} is null for the recurring fee. {@code from} and {@code to} are the
   * stretch of the period the line bills (its plan segment, or the trial): the whole period without
   * a change, a pause or a trial; null only on a line not yet placed in a period.
   */
  public record Line(String subscriptionId, String planId, LineKind kind, int tier, long quantity, UnitPrice unitPrice,
                     Money amount, Instant from, Instant to) {
    public Line {
      if ((from == null) != (to == null) || from != null && to.isBefore(from)) {
        throw new IllegalArgumentException("a line's stretch must be empty or run forward: " + from + " to " + to);
      }
    }

    /** A line not yet placed in a period. */
    public Line(String subscriptionId, String planId, LineKind kind, int tier, long quantity, UnitPrice unitPrice,
                Money amount) {
      this(subscriptionId, planId, kind, tier, quantity, unitPrice, amount, null, null);
    }

    /** The same line, billing {@code [from, to)}. */
    public Line during(Instant from, Instant to) {
      return new Line(subscriptionId, planId, kind, tier, quantity, unitPrice, amount, from, to);
    }
  }

  public static InvoiceDraft of(Period period, List<Usage> usages) {
    List<Line> lines = new ArrayList<>();
    Map<Currency, Money> totals = new LinkedHashMap<>();
    for (Usage usage : usages) {
      linesOf(usage).forEach(line -> lines.add(line.during(period.start(), period.end())));
      // A subscription that cost nothing still shows its currency with a zero total.
      totals.putIfAbsent(usage.terms().currency(), Money.zero(usage.terms().currency()));
    }
    return withTotals(period, lines, totals);
  }

  /**
   * A draft of lines already made, e.g. by {@link Proration#lines}; totals are their sums per
   * currency.
   */
  public static InvoiceDraft ofLines(Period period, List<Line> lines) {
    return withTotals(period, lines, new LinkedHashMap<>());
  }

  /**
   * The lines of one usage, in invoice order: the free allowance (when the plan has one), a line
   * per tier reached, the overage (when the plan prices events past its quota apart and some
   * were), a line per tier of the bytes (when the plan prices bytes), and the recurring fee (when
   * the plan has one).
   */
  public static List<Line> linesOf(Usage usage) {
    PlanTerms terms = usage.terms();
    long overage = terms.overageUnits(0, usage.units());
    return linesOf(usage, PriceModel.Position.whole(terms.billableUnits(usage.units()) - overage), overage,
        PriceModel.Position.whole(usage.bytes()));
  }

  /**
   * The lines of one usage of which {@code overage} billable units are past the quota and priced at
   * its overage price, and the rest stand at {@code position} in the period's count of its
   * subscription ({@link PriceModel#rateAt}): a plan segment after a change. Tiers count only the
   * units the price model prices. The usage's bytes stand at {@code bytesPosition} in the period's
   * count of the subscription's bytes ({@link BytesPrice#rateAt}).
   */
  public static List<Line> linesOf(Usage usage, PriceModel.Position position, long overage,
                                   PriceModel.Position bytesPosition) {
    List<Line> lines = new ArrayList<>();
    PlanTerms terms = usage.terms();
    if (terms.freeAllowance() > 0) {
      long free = Math.min(usage.units(), terms.freeAllowance());
      lines.add(new Line(usage.subscriptionId(), usage.planId(), LineKind.FREE_ALLOWANCE, 0, free,
          UnitPrice.of("0"), Money.zero(terms.currency())));
    }
    PriceModel.Slice slice = terms.price().rateAt(position, terms.billableUnits(usage.units()) - overage);
    List<LineItem> rated = slice.rating().lines();
    for (int i = 0; i < rated.size(); i++) {
      LineItem item = rated.get(i);
      lines.add(new Line(usage.subscriptionId(), usage.planId(), LineKind.USAGE, slice.firstTier() + i, item.quantity(),
          item.unitPrice(), item.amount()));
    }
    if (overage > 0) {
      UnitPrice price = terms.quota().orElseThrow().overagePrice().orElseThrow();
      lines.add(new Line(usage.subscriptionId(), usage.planId(), LineKind.OVERAGE, 0, overage, price,
          price.times(overage, terms.currency())));
    }
    terms.bytesPrice().ifPresent(bytesPrice -> {
      PriceModel.Slice bytes = bytesPrice.rateAt(bytesPosition, usage.bytes());
      List<LineItem> tiers = bytes.rating().lines();
      for (int i = 0; i < tiers.size(); i++) {
        LineItem item = tiers.get(i);
        lines.add(new Line(usage.subscriptionId(), usage.planId(), LineKind.BYTES, bytes.firstTier() + i,
            item.quantity(), item.unitPrice(), item.amount()));
      }
    });
    terms.recurringFee().ifPresent(fee ->
        lines.add(new Line(usage.subscriptionId(), usage.planId(), LineKind.RECURRING_FEE, 0, 1, null, fee)));
    return List.copyOf(lines);
  }

  private static InvoiceDraft withTotals(Period period, List<Line> lines, Map<Currency, Money> totals) {
    for (Line line : lines) {
      totals.merge(line.amount().currency(), line.amount(), Money::plus);
    }
    return new InvoiceDraft(period, List.copyOf(lines), Map.copyOf(totals));
  }
}
