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
import io.tollgate.protocols.v1.journal.SubscriptionCancelled;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cancelled subscription's bill: its segments stop at its end, by the plan-change rule. */
class InvoicingCancelTest {
  private static final PeriodScheme HOURLY = PeriodScheme.parse("PT1H");
  private static final Instant TEN = Instant.parse("2026-11-28T10:00:00Z");
  private static final Period FIRST = HOURLY.periodOf(TEN);
  private static final Period SECOND = HOURLY.periodOf(TEN.plusSeconds(3600));
  private final Catalog catalog = new Catalog();

  @Test
  void aCancelMidPeriodPaysTheFeeUpToItsEndAndTheUsageAndNothingOfLaterPeriods() {
    subscribeAt(TEN.minusSeconds(3600));
    cancel(TEN.plusSeconds(15 * 60));
    InvoiceDraft first = draft(FIRST, 7);
    assertEquals(List.of("usage 7 0.07", "recurring_fee 1 1.00"), describe(first), "15 minutes of 60 of a 4.00 fee");
    assertEquals(List.of(TEN.plusSeconds(15 * 60)), first.lines().stream().map(InvoiceDraft.Line::to).distinct().toList(),
        "its lines end at the cancel");
    assertEquals(List.of(), describe(draft(SECOND, 0)));
  }

  @Test
  void aCancelAtThePeriodsEndPaysThatPeriodInFullAndNothingAfter() {
    subscribeAt(TEN.minusSeconds(3600));
    cancel(FIRST.end());
    assertEquals(List.of("recurring_fee 1 4.00"), describe(draft(FIRST, 0)));
    assertEquals(List.of(), describe(draft(SECOND, 0)));
  }

  @Test
  void aSubscriptionThatStartedMidPeriodSharesOverItsOwnTimeUpToTheCancel() {
    subscribeAt(TEN.plusSeconds(20 * 60));
    cancel(TEN.plusSeconds(40 * 60));
    assertEquals(List.of("recurring_fee 1 2.00"), describe(draft(FIRST, 0)), "20 minutes of its 40");
  }

  private InvoiceDraft draft(Period period, long units) {
    return Invoicing.draft(catalog, period, catalog.subscriptionsOf("acc_a"), (p, subscription, segment) -> new Metered(units, 0));
  }

  private static List<String> describe(InvoiceDraft draft) {
    return draft.lines().stream().map(line -> line.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
        + line.quantity() + " " + line.amount().amount().toPlainString()).toList();
  }

  private void subscribeAt(Instant at) {
    catalog.apply(CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor("admin")
        .setPlanCreated(PlanCreated.newBuilder().setId("plan_x").setProductId("prod_x").setName("hourly")
            .setTerms(PlanTerms.newBuilder().setCurrency("USD").setRecurringFee("4.00").setRevenueShare("0.70")
                .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01"))))).build());
    catalog.apply(CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor("admin")
        .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_1").setAccount("acc_a")
            .setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")).build());
  }

  private void cancel(Instant endsAt) {
    catalog.apply(CatalogChange.newBuilder().setAtMillis(TEN.toEpochMilli()).setActor("acc_a")
        .setSubscriptionCancelled(SubscriptionCancelled.newBuilder().setSubscription("sub_1").setAt("now")
            .setEndsAtMillis(endsAt.toEpochMilli())).build());
  }
}
