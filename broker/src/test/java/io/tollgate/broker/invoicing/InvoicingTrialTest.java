package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.v1.journal.BytesPrice;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A trial's bill: its time and usage cost nothing, on a trial line; a plan change does not restart it. */
class InvoicingTrialTest {
  private static final PeriodScheme DAILY = PeriodScheme.parse("P1D");
  private static final Instant DAY_1 = Instant.parse("2026-11-28T00:00:00Z");
  private final Catalog catalog = new Catalog();

  @Test
  void theTrialsUsageAndTimeCostNothingAndTheRestOfThePeriodPaysItsShare() {
    plan("plan_x", 1, "4.00");
    subscribe(DAY_1.plusSeconds(12 * 3600), "plan_x");
    Catalog.Subscription subscription = catalog.subscription("sub_1").orElseThrow();
    Invoicing.PlanSegmentKey inTrial = Invoicing.segmentAt(subscription, DAY_1.plusSeconds(13 * 3600));
    Invoicing.PlanSegmentKey afterTrial = Invoicing.segmentAt(subscription, DAY_1.plusSeconds(37 * 3600));
    assertEquals(new Invoicing.PlanSegmentKey("plan_x", DAY_1.plusSeconds(36 * 3600)), afterTrial);
    Invoicing.UsageOf usage = (period, sub, segment) ->
        new Metered(segment.equals(inTrial) ? 7 : segment.equals(afterTrial) ? 5 : 0, 0);

    assertEquals(List.of("trial 7 0.00"), lines(DAY_1, usage), "all of its first period is trial");
    assertEquals(List.of("trial 7 0.00", "usage 5 0.05", "recurring_fee 1 2.00"), lines(DAY_1.plusSeconds(86400), usage),
        "the trial's first 12 hours, then 12 of 24 hours' fee");
    List<InvoiceDraft.Line> second = Invoicing.draft(catalog, DAILY.periodOf(DAY_1.plusSeconds(86400)),
        catalog.subscriptionsOf("acc_a"), usage).lines();
    Instant day2 = DAY_1.plusSeconds(86400);
    Instant trialEnd = DAY_1.plusSeconds(36 * 3600);
    assertEquals(List.of(day2 + " " + trialEnd, trialEnd + " " + day2.plusSeconds(86400), trialEnd + " " + day2.plusSeconds(86400)),
        second.stream().map(line -> line.from() + " " + line.to()).toList(), "the trial line is dated with the trial");
  }

  @Test
  void theTrialsBytesCostNothingAndTheBytesAfterItArePricedOnABytesLine() {
    PriceModel perKb = PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.10")).build();
    plan("plan_b", PlanTerms.newBuilder().setCurrency("USD").setRevenueShare("0.70").setTrialDays(1)
        .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01")))
        .setBytesPrice(BytesPrice.newBuilder().setPer("KB").setPrice(perKb)));
    subscribe(DAY_1.plusSeconds(12 * 3600), "plan_b");
    Catalog.Subscription subscription = catalog.subscription("sub_1").orElseThrow();
    Invoicing.PlanSegmentKey inTrial = Invoicing.segmentAt(subscription, DAY_1.plusSeconds(13 * 3600));
    Invoicing.PlanSegmentKey afterTrial = Invoicing.segmentAt(subscription, DAY_1.plusSeconds(37 * 3600));
    Invoicing.UsageOf usage = (period, sub, segment) ->
        segment.equals(inTrial) ? new Metered(7, 9_000) : segment.equals(afterTrial) ? new Metered(5, 2_500) : Metered.NONE;

    assertEquals(List.of("trial 7 0.00", "usage 5 0.05", "bytes 3 0.30"), lines(DAY_1.plusSeconds(86400), usage),
        "the trial's 9 KB cost nothing; the 2.5 KB after it are 3 started KB");
  }

  @Test
  void aPlanChangeDoesNotRestartTheTrialEvenOntoAPlanWithOne() {
    plan("plan_x", 1, "4.00");
    plan("plan_y", 1, "8.00");
    subscribe(DAY_1, "plan_x");
    catalog.apply(CatalogChange.newBuilder().setAtMillis(DAY_1.plusSeconds(6 * 3600).toEpochMilli()).setActor("acc_a")
        .setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder().setSubscription("sub_1").setPlan("plan_y")).build());
    assertEquals(List.of("trial 0 0.00", "trial 0 0.00"), lines(DAY_1, (p, s, k) -> Metered.NONE), "one trial line per plan");
    assertEquals(List.of("recurring_fee 1 8.00"), lines(DAY_1.plusSeconds(86400), (p, s, k) -> Metered.NONE),
        "the second day is paid in full: the change did not restart the trial");
  }

  private List<String> lines(Instant day, Invoicing.UsageOf usage) {
    InvoiceDraft draft = Invoicing.draft(catalog, DAILY.periodOf(day), catalog.subscriptionsOf("acc_a"), usage);
    return draft.lines().stream().map(line -> line.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
        + line.quantity() + " " + line.amount().amount().toPlainString()).toList();
  }

  private void plan(String id, int trialDays, String fee) {
    plan(id, PlanTerms.newBuilder().setCurrency("USD").setRecurringFee(fee).setRevenueShare("0.70")
        .setTrialDays(trialDays).setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01"))));
  }

  private void plan(String id, PlanTerms.Builder terms) {
    catalog.apply(CatalogChange.newBuilder().setAtMillis(DAY_1.minusSeconds(60).toEpochMilli()).setActor("admin")
        .setPlanCreated(PlanCreated.newBuilder().setId(id).setProductId("prod_x").setName(id).setTerms(terms)).build());
  }

  private void subscribe(Instant at, String plan) {
    catalog.apply(CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor("admin")
        .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_1").setAccount("acc_a")
            .setProduct("prod_x").setPlan(plan).setDeliveryType("websocket")).build());
  }
}
