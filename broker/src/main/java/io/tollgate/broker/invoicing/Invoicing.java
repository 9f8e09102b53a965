package io.tollgate.broker.invoicing;

import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Money;
import io.tollgate.billing.PlanTerms;
import io.tollgate.billing.UnitPrice;
import io.tollgate.billing.Period;
import io.tollgate.billing.PlanTermsProto;
import io.tollgate.billing.Proration;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.Platform;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The bill of a period from the catalog and the usage: each subscription's period is cut into
 * segments where its plan changed, each priced by {@link Proration}. A subscription's first
 * period runs from its creation, so it pays the full fee and allowance of the period it started
 * in, and a change prorates over the time the subscription has in the period. A cancelled
 * subscription's segments stop at its end, so its fee is prorated to the cancel by the same rule;
 * paused stretches and the trial are left out of the segments the same way, the trial shown as a
 * {@code trial} line of what it covered at zero.
 */
public final class Invoicing {
  private Invoicing() {}

  /** Events acknowledged in a period under one plan segment of a subscription, and their bytes. */
  @FunctionalInterface
  public interface UsageOf {
    Metered used(String period, String subscription, PlanSegmentKey segment);
  }

  /** A plan segment: the plan and when the subscription chose it (EPOCH for its first plan). */
  public record PlanSegmentKey(String plan, Instant from) {}

  /**
   * The segment of {@code subscription} in force at {@code instant}: its plan since it was chosen,
   * or since the last resume or the trial's end after that (each starts a segment of its own, so
   * the paused time between two segments of one plan is not billed, and the trial's usage is
   * apart). An instant within a pause belongs to the segment before it.
   */
  public static PlanSegmentKey segmentAt(Catalog.Subscription subscription, Instant instant) {
    List<Catalog.PlanSpan> spans = subscription.plans();
    PlanSegmentKey key = new PlanSegmentKey(spans.get(0).plan(), Instant.EPOCH);
    Instant chosen = spans.get(0).from();
    for (int i = 1; i < spans.size(); i++) {
      if (!spans.get(i).from().isAfter(instant)) {
        key = new PlanSegmentKey(spans.get(i).plan(), spans.get(i).from());
        chosen = spans.get(i).from();
      }
    }
    List<Instant> starts = new ArrayList<>();
    subscription.pauses().forEach(pause -> pause.to().ifPresent(starts::add));
    subscription.trialEndsAt().ifPresent(starts::add);
    for (Instant start : starts) {
      if (start.isAfter(chosen) && !start.isAfter(instant) && start.isAfter(key.from())) {
        key = new PlanSegmentKey(key.plan(), start);
      }
    }
    return key;
  }

  public static InvoiceDraft draft(Catalog catalog, Period period, List<Catalog.Subscription> subscriptions, UsageOf usage) {
    List<InvoiceDraft.Line> lines = new ArrayList<>();
    for (Catalog.Subscription subscription : subscriptions) {
      // The platform's own notifications (its invoices topic) are free: billing them would
      // invoice the invoice events, period after period.
      if (!subscription.createdAt().isBefore(period.end()) || subscription.product().equals(Platform.INVOICES_PRODUCT)
          || subscription.endedAt(period.start())) {
        continue;
      }
      // A cancelled subscription's last segment stops at its end: the time after it is not billed.
      Instant end = subscription.endsAt().map(ends -> min(ends, period.end())).orElse(period.end());
      List<Proration.SegmentWithPlan> segments = new ArrayList<>();
      List<InvoiceDraft.Line> trial = new ArrayList<>();
      List<Catalog.PlanSpan> spans = subscription.plans();
      for (int i = 0; i < spans.size(); i++) {
        // The first span starts when the subscription was created: its first period runs from there.
        Instant from = max(spans.get(i).from(), period.start());
        Instant to = min(i + 1 < spans.size() ? spans.get(i + 1).from() : period.end(), end);
        Catalog.Plan plan = catalog.plan(spans.get(i).plan()).orElseThrow();
        PlanTerms terms = PlanTermsProto.fromProto(plan.name(), plan.terms());
        for (Instant[] active : splitAtTrialEnd(subscription, unpaused(subscription, from, to))) {
          Metered used = usage.used(period.id(), subscription.id(), segmentAt(subscription, active[0]));
          if (subscription.trialEndsAt().filter(trialEnd -> !active[1].isAfter(trialEnd)).isPresent()) {
            // The trial's usage and time cost nothing: one line shows what it covered, and its
            // time is left out of the segments like a pause, so no fee is due for it.
            trial.add(new InvoiceDraft.Line(subscription.id(), plan.id(), InvoiceDraft.LineKind.TRIAL, 0, used.units(),
                UnitPrice.ZERO, Money.zero(terms.currency()), active[0], active[1]));
          } else {
            segments.add(new Proration.SegmentWithPlan(plan.id(),
                new Proration.Segment(terms, active[0], active[1], used.units(), used.bytes())));
          }
        }
      }
      lines.addAll(trial);
      lines.addAll(Proration.lines(period, subscription.id(), segments, max(subscription.createdAt(), period.start())));
    }
    return InvoiceDraft.ofLines(period, lines);
  }

  /** The stretches of {@code [from, to)} in which the subscription was not paused, in order. */
  private static List<Instant[]> unpaused(Catalog.Subscription subscription, Instant from, Instant to) {
    List<Instant[]> stretches = new ArrayList<>();
    Instant cursor = from;
    for (Catalog.Pause pause : subscription.pauses()) {
      Instant resumed = pause.to().orElse(Instant.MAX);
      if (!resumed.isAfter(cursor) || !pause.from().isBefore(to)) {
        continue;
      }
      if (cursor.isBefore(pause.from())) {
        stretches.add(new Instant[] {cursor, pause.from()});
      }
      cursor = resumed;
    }
    if (cursor.isBefore(to)) {
      stretches.add(new Instant[] {cursor, to});
    }
    return stretches;
  }

  /** The stretches, with the one that holds the trial's end cut there. */
  private static List<Instant[]> splitAtTrialEnd(Catalog.Subscription subscription, List<Instant[]> stretches) {
    if (subscription.trialEndsAt().isEmpty()) {
      return stretches;
    }
    Instant trialEnd = subscription.trialEndsAt().get();
    List<Instant[]> split = new ArrayList<>();
    for (Instant[] stretch : stretches) {
      if (stretch[0].isBefore(trialEnd) && trialEnd.isBefore(stretch[1])) {
        split.add(new Instant[] {stretch[0], trialEnd});
        split.add(new Instant[] {trialEnd, stretch[1]});
      } else {
        split.add(stretch);
      }
    }
    return split;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
