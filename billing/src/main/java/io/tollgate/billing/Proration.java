package io.tollgate.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Billing of a subscription whose plan changed in the middle of a period. The period is cut into
 * segments, one per plan in force, each {@code [from, to)}.
 *
 * <p>Usage is rated per segment: the events acknowledged before the change are priced by the old
 * plan, those after by the new one. Each segment's free allowance is the plan's allowance
 * prorated by the time the segment covers, {@code floor(allowance × segment-seconds /
 * period-seconds)}.
 *
 * <p>The recurring fee is prorated by time: each segment pays {@code fee × segment-seconds /
 * period-seconds} rounded HALF_EVEN to the minor unit. An upgrade and a downgrade follow the same
 * rule: no refund beyond the unused time, no free upgrade. Seconds are counted exactly,
 * fractions included, so segments that cover the period add up to it exactly.
 *
 * <p>On an invoice ({@link #lines}) the period's seconds are the subscription's time in the
 * period, from its first segment to the period's end: a subscription that starts mid-period pays
 * its full fee and gets its full allowance, and one that starts and changes plan at once pays
 * what starting on the second plan costs. Tiers are not restarted by a change: each segment's
 * billable units stand where the subscription's count for the period stands
 * ({@link PriceModel#rateAt}), so no flip between plans restarts a ladder or charges a tier's flat
 * fee twice; packages are counted per plan across the period. Bytes follow the same rule on their
 * own count: each segment's bytes stand where the subscription's bytes in the period stand, so the
 * segments together pay the bytes units the whole period holds ({@link BytesPrice#rateAt}).
 *
 * <p>Events past a quota that has an overage price are priced at it on an overage line: the
 * quota counts every event of the subscription in the period, whatever the plan changes (as the
 * stream's quota does), each segment under its own plan's quota; the free allowance comes first
 * (an event within it is free even past the quota), and the tiers count only the events the price
 * model prices.
 *
 * <p>Two more rules hold on an invoice. Adjacent segments of the same plan (the
 * same plan id and terms, one ending where the next starts) are one segment, since nothing
 * changed: a "change" to the plan already in force must not restart the tiers or the allowance.
 * And the recurring fees of a subscription in one currency never add up to more than the full
 * fee of its most expensive plan in that currency: when the rounding of the parts would go over
 * (by at most half a minor unit per segment), the excess is taken off the last fee lines.
 */
public final class Proration {
  private Proration() {}

  /**
   * A stretch of the period under one plan, with the units acknowledged in it and their bytes.
   *
   * @param from inclusive
   * @param to exclusive, not before {@code from}
   */
  public record Segment(PlanTerms terms, Instant from, Instant to, long units, long bytes) {
    /** @throws IllegalArgumentException if {@code to} is before {@code from} or units or bytes are negative */
    public Segment {
      Objects.requireNonNull(terms, "terms");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("segment ends before it starts: [" + from + ", " + to + ")");
      }
      if (units < 0 || bytes < 0) {
        throw new IllegalArgumentException("units and bytes must not be negative: " + units + ", " + bytes);
      }
    }

    /** A stretch with events and no bytes. */
    public Segment(PlanTerms terms, Instant from, Instant to, long units) {
      this(terms, from, to, units, 0);
    }
  }

  /** A segment and the id of its plan, which {@link PlanTerms} does not carry. */
  public record SegmentWithPlan(String planId, Segment segment) {
    public SegmentWithPlan {
      Objects.requireNonNull(planId, "planId");
      Objects.requireNonNull(segment, "segment");
    }
  }

  /**
   * The terms that rate the segment's usage: the plan's, with the free allowance prorated and the
   * recurring fee removed (it is billed by {@link #recurringFee}).
   *
   * @throws IllegalArgumentException if the segment is not within the period
   */
  public static PlanTerms segmentTerms(Period period, Segment segment) {
    return segmentTerms(segment, periodSeconds(period, segment));
  }

  /** The segment's terms, its allowance prorated over {@code coveredSeconds}. */
  private static PlanTerms segmentTerms(Segment segment, BigDecimal coveredSeconds) {
    PlanTerms terms = segment.terms();
    long allowance = BigDecimal.valueOf(terms.freeAllowance())
        .multiply(seconds(segment.from(), segment.to()))
        .divide(coveredSeconds, 0, RoundingMode.FLOOR)
        .longValueExact();
    return new PlanTerms(terms.name(), terms.price(), allowance, Optional.empty(), terms.rateLimit(), terms.quota(),
        terms.revenueShare(), terms.bytesPrice());
  }

  /**
   * The segment's part of its plan's recurring fee; zero when the plan has none.
   *
   * @throws IllegalArgumentException if the segment is not within the period
   */
  public static Money recurringFee(Period period, Segment segment) {
    return recurringFee(segment, periodSeconds(period, segment));
  }

  /** The segment's part of its plan's fee, prorated over {@code coveredSeconds}. */
  private static Money recurringFee(Segment segment, BigDecimal periodSeconds) {
    Currency currency = segment.terms().currency();
    return segment.terms().recurringFee()
        .map(fee -> new Money(fee.amount()
            .multiply(seconds(segment.from(), segment.to()))
            .divide(periodSeconds, Money.minorUnitDigits(currency), Money.ROUNDING), currency))
        .orElseGet(() -> Money.zero(currency));
  }

  /**
   * The invoice lines of one subscription's segments, segment by segment in the order given: the
   * free allowance, the usage per tier and the recurring fee, as {@link InvoiceDraft#linesOf}
   * makes them for a whole period.
   *
   * @throws IllegalArgumentException if a segment is not within the period, or segments overlap
   *     or are out of order (gaps are fine: a subscription may start after the period does)
   */
  public static List<InvoiceDraft.Line> lines(Period period, String subscriptionId, List<SegmentWithPlan> segments) {
    List<SegmentWithPlan> merged = coalesce(period, segments);
    return lines(period, subscriptionId, merged, coveredSeconds(period, merged));
  }

  /**
   * The lines of segments with gaps the subscription was in the period but not billed (paused):
   * fees and allowances are shared over its time from {@code since} (its start in the period) to
   * the period's end, so a gap pays nothing and the segments pay what they would have without it.
   *
   * @throws IllegalArgumentException as {@link #lines(Period, String, List)}, or if {@code since}
   *     is after the first segment's start or outside the period
   */
  public static List<InvoiceDraft.Line> lines(Period period, String subscriptionId, List<SegmentWithPlan> segments,
                                              Instant since) {
    List<SegmentWithPlan> merged = coalesce(period, segments);
    if (since.isBefore(period.start()) || !since.isBefore(period.end())
        || !merged.isEmpty() && merged.get(0).segment().from().isBefore(since)) {
      throw new IllegalArgumentException("the subscription's time in period " + period.id() + " cannot start at " + since);
    }
    return lines(period, subscriptionId, merged, seconds(since, period.end()));
  }

  private static List<InvoiceDraft.Line> lines(Period period, String subscriptionId, List<SegmentWithPlan> merged,
                                               BigDecimal covered) {
    List<Optional<Money>> fees = cappedFees(covered, merged);
    List<PlanTerms> terms = new ArrayList<>();
    List<Long> overage = new ArrayList<>();
    long used = 0;
    long total = 0;
    long totalBytes = 0;
    for (SegmentWithPlan s : merged) {
      totalBytes = Math.addExact(totalBytes, s.segment().bytes());
      PlanTerms segmentTerms = segmentTerms(s.segment(), covered);
      long past = segmentTerms.overageUnits(used, s.segment().units());
      terms.add(segmentTerms);
      overage.add(past);
      used = Math.addExact(used, s.segment().units());
      total = Math.addExact(total, segmentTerms.billableUnits(s.segment().units()) - past);
    }
    List<InvoiceDraft.Line> lines = new ArrayList<>();
    long before = 0;
    Map<String, Long> beforeInPlan = new LinkedHashMap<>();
    long bytesBefore = 0;
    Map<String, Long> bytesBeforeInPlan = new LinkedHashMap<>();
    for (int i = 0; i < merged.size(); i++) {
      String planId = merged.get(i).planId();
      Segment segment = merged.get(i).segment();
      PriceModel.Position position = new PriceModel.Position(before, beforeInPlan.getOrDefault(planId, 0L), total);
      PriceModel.Position bytesPosition =
          new PriceModel.Position(bytesBefore, bytesBeforeInPlan.getOrDefault(planId, 0L), totalBytes);
      InvoiceDraft.linesOf(new InvoiceDraft.Usage(subscriptionId, planId, terms.get(i), segment.units(), segment.bytes()),
          position, overage.get(i), bytesPosition).forEach(line -> lines.add(line.during(segment.from(), segment.to())));
      long billable = terms.get(i).billableUnits(segment.units()) - overage.get(i);
      before += billable;
      beforeInPlan.merge(planId, billable, Long::sum);
      bytesBefore += segment.bytes();
      bytesBeforeInPlan.merge(planId, segment.bytes(), Long::sum);
      fees.get(i).ifPresent(fee -> lines.add(
          new InvoiceDraft.Line(subscriptionId, planId, InvoiceDraft.LineKind.RECURRING_FEE, 0, 1, null, fee,
              segment.from(), segment.to())));
    }
    return List.copyOf(lines);
  }

  /** The segments in order, within the period, with adjacent stretches of the same plan joined. */
  private static List<SegmentWithPlan> coalesce(Period period, List<SegmentWithPlan> segments) {
    List<SegmentWithPlan> merged = new ArrayList<>();
    for (SegmentWithPlan next : segments) {
      periodSeconds(period, next.segment());
      if (merged.isEmpty()) {
        merged.add(next);
        continue;
      }
      SegmentWithPlan previous = merged.get(merged.size() - 1);
      if (next.segment().from().isBefore(previous.segment().to())) {
        throw new IllegalArgumentException("segments overlap or are out of order: [" + previous.segment().from() + ", "
            + previous.segment().to() + ") then [" + next.segment().from() + ", " + next.segment().to() + ")");
      }
      if (samePlan(previous, next) && previous.segment().to().equals(next.segment().from())) {
        merged.set(merged.size() - 1, new SegmentWithPlan(previous.planId(), new Segment(previous.segment().terms(),
            previous.segment().from(), next.segment().to(), Math.addExact(previous.segment().units(), next.segment().units()),
            Math.addExact(previous.segment().bytes(), next.segment().bytes()))));
      } else {
        merged.add(next);
      }
    }
    return merged;
  }

  private static boolean samePlan(SegmentWithPlan a, SegmentWithPlan b) {
    return a.planId().equals(b.planId()) && a.segment().terms().equals(b.segment().terms());
  }

  /**
   * Each segment's fee part (empty for a plan without a fee), with what the parts' rounding puts
   * above the most expensive full fee of their currency taken off the last parts.
   */
  private static List<Optional<Money>> cappedFees(BigDecimal covered, List<SegmentWithPlan> segments) {
    List<Optional<Money>> fees = new ArrayList<>();
    Map<Currency, Money> excess = new LinkedHashMap<>();
    Map<Currency, Money> cap = new LinkedHashMap<>();
    for (SegmentWithPlan s : segments) {
      Optional<Money> full = s.segment().terms().recurringFee();
      Optional<Money> part = full.map(fee -> recurringFee(s.segment(), covered));
      fees.add(part);
      part.ifPresent(p -> excess.merge(p.currency(), p, Money::plus));
      full.ifPresent(f -> cap.merge(f.currency(), f, (a, b) -> a.compareTo(b) >= 0 ? a : b));
    }
    cap.forEach((currency, most) -> excess.put(currency, excess.get(currency).minus(most)));
    for (int i = fees.size() - 1; i >= 0; i--) {
      if (fees.get(i).isEmpty()) {
        continue;
      }
      Money fee = fees.get(i).get();
      Money over = excess.get(fee.currency());
      if (over.signum() > 0) {
        Money taken = over.compareTo(fee) <= 0 ? over : fee;
        fees.set(i, Optional.of(fee.minus(taken)));
        excess.put(fee.currency(), over.minus(taken));
      }
    }
    return fees;
  }

  /**
   * The subscription's time in the period: from its first segment (its start, when it started
   * within the period) to the period's end. Fees and allowances are shared over this time, so a
   * subscription that starts mid-period pays its plan's full fee, and one that starts and changes
   * plan at once pays what starting on the second plan costs.
   */
  private static BigDecimal coveredSeconds(Period period, List<SegmentWithPlan> segments) {
    if (segments.isEmpty() || !segments.get(0).segment().from().isBefore(period.end())) {
      return seconds(period.start(), period.end());
    }
    return seconds(segments.get(0).segment().from(), period.end());
  }

  private static BigDecimal seconds(Instant from, Instant to) {
    Duration length = Duration.between(from, to);
    return BigDecimal.valueOf(length.getSeconds()).add(BigDecimal.valueOf(length.getNano(), 9));
  }

  /**
   * The length of the period in seconds, after checking that the segment lies within it.
   *
   * @throws IllegalArgumentException if it does not, or the period is empty
   */
  private static BigDecimal periodSeconds(Period period, Segment segment) {
    if (!period.start().isBefore(period.end())) {
      throw new IllegalArgumentException("empty period: " + period);
    }
    if (segment.from().isBefore(period.start()) || segment.to().isAfter(period.end())) {
      throw new IllegalArgumentException("segment [" + segment.from() + ", " + segment.to() + ") is not within period "
          + period.id() + " [" + period.start() + ", " + period.end() + ")");
    }
    return seconds(period.start(), period.end());
  }
}
