package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPaused;
import io.tollgate.protocols.v1.journal.SubscriptionResumed;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A paused subscription's bill: the paused time pays no fee, and usage is billed by the segment of its ack. */
class InvoicingPauseTest {
  private static final PeriodScheme HOURLY = PeriodScheme.parse("PT1H");
  private static final Instant TEN = Instant.parse("2026-11-28T10:00:00Z");
  private static final Period FIRST = HOURLY.periodOf(TEN);
  private static final Period SECOND = HOURLY.periodOf(TEN.plusSeconds(3600));
  private final Catalog catalog = new Catalog();

  @Test
  void thePausedTimePaysNoFeeAndTheUsageOnEitherSideIsBilledInItsSegment() {
    subscribeAt(TEN.minusSeconds(3600));
    pause(TEN.plusSeconds(15 * 60));
    resume(TEN.plusSeconds(45 * 60));
    Catalog.Subscription subscription = catalog.subscription("sub_1").orElseThrow();
    Invoicing.PlanSegmentKey before = Invoicing.segmentAt(subscription, TEN.plusSeconds(60));
    Invoicing.PlanSegmentKey after = Invoicing.segmentAt(subscription, TEN.plusSeconds(50 * 60));
    assertEquals(new Invoicing.PlanSegmentKey("plan_x", Instant.EPOCH), before);
    assertEquals(new Invoicing.PlanSegmentKey("plan_x", TEN.plusSeconds(45 * 60)), after);
    assertEquals(before, Invoicing.segmentAt(subscription, TEN.plusSeconds(20 * 60)), "a late ack within the pause");

    Map<Invoicing.PlanSegmentKey, Long> units = Map.of(before, 3L, after, 4L);
    InvoiceDraft draft = Invoicing.draft(catalog, FIRST, catalog.subscriptionsOf("acc_a"),
        (period, sub, segment) -> new Metered(units.getOrDefault(segment, 0L), 0));
    assertEquals(List.of("usage 3 0.03", "recurring_fee 1 1.00", "usage 4 0.04", "recurring_fee 1 1.00"), describe(draft),
        "15 and 15 minutes of 60 of a 4.00 fee; the 30 paused minutes pay nothing");
    assertEquals(List.of("10:00-10:15", "10:00-10:15", "10:45-11:00", "10:45-11:00"), stretches(draft),
        "each line dated with its segment, the pause left out");
  }

  @Test
  void aResumeOverAPeriodsStartDatesTheLinesFromTheResume() {
    subscribeAt(TEN.minusSeconds(3600));
    pause(TEN.plusSeconds(30 * 60));
    resume(SECOND.start().plusSeconds(45 * 60));
    assertEquals(List.of("11:45-12:00"), stretches(draft(SECOND)));
  }

  private static List<String> stretches(InvoiceDraft draft) {
    return draft.lines().stream().map(line -> line.from().toString().substring(11, 16) + "-"
        + line.to().toString().substring(11, 16)).toList();
  }

  @Test
  void aSubscriptionPausedOverAPeriodsStartPaysOnlyFromItsResumeAndTheWholePausedPeriodNothing() {
    subscribeAt(TEN.minusSeconds(3600));
    pause(TEN.plusSeconds(30 * 60));
    assertEquals(List.of(), describe(draft(SECOND)), "paused all period");
    resume(SECOND.start().plusSeconds(45 * 60));
    assertEquals(List.of("recurring_fee 1 1.00"), describe(draft(SECOND)), "the last 15 minutes of 60");
  }

  @Test
  void aSubscriptionNeverPausedIsBilledAsBefore() {
    subscribeAt(TEN.minusSeconds(3600));
    assertEquals(List.of("recurring_fee 1 4.00"), describe(draft(FIRST)));
  }

  private InvoiceDraft draft(Period period) {
    return Invoicing.draft(catalog, period, catalog.subscriptionsOf("acc_a"), (p, subscription, segment) -> Metered.NONE);
  }

  private static List<String> describe(InvoiceDraft draft) {
    return draft.lines().stream().map(line -> line.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
        + line.quantity() + " " + line.amount().amount().toPlainString()).toList();
  }

  private void subscribeAt(Instant at) {
    apply(at, CatalogChange.newBuilder().setPlanCreated(PlanCreated.newBuilder().setId("plan_x").setProductId("prod_x")
        .setName("hourly").setTerms(PlanTerms.newBuilder().setCurrency("USD").setRecurringFee("4.00").setRevenueShare("0.70")
            .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01"))))));
    apply(at, CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_1")
        .setAccount("acc_a").setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")));
  }

  private void pause(Instant at) {
    apply(at, CatalogChange.newBuilder().setSubscriptionPaused(SubscriptionPaused.newBuilder().setSubscription("sub_1")));
  }

  private void resume(Instant at) {
    apply(at, CatalogChange.newBuilder().setSubscriptionResumed(SubscriptionResumed.newBuilder().setSubscription("sub_1")));
  }

  private void apply(Instant at, CatalogChange.Builder change) {
    catalog.apply(change.setAtMillis(at.toEpochMilli()).setActor("acc_a").build());
  }
}
