package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.protocols.v1.journal.AlertCrossing;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.UsageAlert;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeTry;
import org.junit.jupiter.api.Test;

/** When a usage alert fires, decided by the ledger alone: usage records in, crossings out. */
class UsageAlertsTest {
  private static final String ACCOUNT = "acc_a";
  private static final PeriodScheme HOURLY = PeriodScheme.parse("PT1H");
  private static final Instant START = Instant.parse("2026-12-07T10:00:00Z");
  private static final Period HOUR_1 = HOURLY.periodOf(START);
  private static final Period HOUR_2 = HOURLY.periodOf(HOUR_1.end());

  private final Catalog catalog = new Catalog();
  private BillingLedger ledger = new BillingLedger(ACCOUNT);
  private Map<String, Long> sequences = new HashMap<>();

  UsageAlertsTest() {
    catalog.apply(CatalogChange.newBuilder().setAtMillis(START.minusSeconds(3600).toEpochMilli()).setActor("admin")
        .setPlanCreated(PlanCreated.newBuilder().setId("plan_x").setProductId("prod_x").setName("metered")
            .setTerms(PlanTerms.newBuilder().setCurrency("USD").setRevenueShare("0.70")
                .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.10"))))).build());
    subscribe("sub_1", "prod_x", "plan_x");
    subscribe("sub_2", "prod_x", "plan_x");
  }

  /** jqwik keeps one instance for all tries of a property: each try starts with an empty ledger. */
  @BeforeTry
  void emptyLedger() {
    ledger = new BillingLedger(ACCOUNT);
    sequences = new HashMap<>();
  }

  private void subscribe(String id, String product, String plan) {
    catalog.apply(CatalogChange.newBuilder().setAtMillis(START.minusSeconds(1800).toEpochMilli()).setActor("admin")
        .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId(id).setAccount(ACCOUNT)
            .setProduct(product).setPlan(plan).setDeliveryType("websocket")).build());
  }

  private static UsageAlert units(String id, long threshold, String subscription) {
    return UsageAlert.newBuilder().setId(id).setMetric(UsageAlerts.UNITS).setUnits(threshold)
        .setSubscription(subscription).setCreatedAtMillis(START.toEpochMilli()).build();
  }

  private static UsageAlert money(String id, String amount) {
    return UsageAlert.newBuilder().setId(id).setMetric(UsageAlerts.MONEY).setCurrency("USD").setAmount(amount)
        .setCreatedAtMillis(START.toEpochMilli()).build();
  }

  private void create(UsageAlert alert, Period current) {
    List<AlertCrossing> crossed = ledger.crossingsOfNew(alert, catalog, current, catalog.subscriptionsOf(ACCOUNT),
        current.start());
    ledger.apply(new BillingEvent.AlertCreated(alert));
    crossed.forEach(crossing -> ledger.apply(new BillingEvent.AlertCrossed(crossing)));
  }

  /** Records usage as the entity does: the record and what it makes cross, in one write. */
  private List<AlertCrossing> record(String subscription, Period period, long units) {
    return record(UsageRecorded.newBuilder().setSubscription(subscription)
        .setSequence(sequences.merge(subscription, 1L, Long::sum)).setPeriod(period.id()).setUnits(units)
        .setAtMillis(period.start().toEpochMilli()).setPlan("plan_x").build());
  }

  private List<AlertCrossing> record(UsageRecorded usage) {
    BillingEvent.UsageRecorded recorded = BillingJournal.usage(usage);
    Period period = HOURLY.named(recorded.period()).orElseThrow();
    List<AlertCrossing> crossed = ledger.alertsCrossed(catalog, period, catalog.subscriptionsOf(ACCOUNT),
        Optional.of(recorded), recorded.at());
    ledger.apply(recorded);
    crossed.forEach(crossing -> ledger.apply(new BillingEvent.AlertCrossed(crossing)));
    return crossed;
  }

  private static List<String> fired(List<AlertCrossing> crossings) {
    return crossings.stream().map(crossing -> crossing.getAlert().getId() + "@" + crossing.getValue()).toList();
  }

  @Test
  void aUnitsAlertFiresOnceInThePeriodItIsCrossedInAndAgainInTheNext() {
    create(units("alrt_100", 100, ""), HOUR_1);
    assertEquals(List.of(), record("sub_1", HOUR_1, 60));
    assertEquals(List.of("alrt_100@110"), fired(record("sub_2", HOUR_1, 50)), "both subscriptions count");
    assertEquals(List.of(), record("sub_1", HOUR_1, 500), "once per period");
    assertEquals(List.of(), record("sub_1", HOUR_2, 99));
    assertEquals(List.of("alrt_100@100"), fired(record("sub_1", HOUR_2, 1)), "again in the next period");
    assertEquals(List.of("alrt_100:" + HOUR_1.id(), "alrt_100:" + HOUR_2.id()),
        ledger.unannouncedCrossings().stream().map(UsageAlerts::eventId).toList(), "each waits to be announced");
    ledger.apply(new BillingEvent.AlertAnnounced("alrt_100:" + HOUR_1.id()));
    assertEquals(1, ledger.unannouncedCrossings().size());
  }

  @Test
  void anAlertCreatedWhenUsageIsPastItAlreadyFiresAtOnceAndOnlyOnce() {
    record("sub_1", HOUR_1, 30);
    create(units("alrt_20", 20, ""), HOUR_1);
    assertEquals(List.of("alrt_20@30"), fired(ledger.alertCrossings()));
    assertEquals(List.of(), record("sub_1", HOUR_1, 5));
  }

  @Test
  void aMoneyAlertFiresWhenTheRunningChargeReachesItAtTheCurrencysScale() {
    create(money("alrt_money", "1.00"), HOUR_1);
    assertEquals(List.of(), record("sub_1", HOUR_1, 9), "0.90 is below 1.00");
    assertEquals(List.of("alrt_money@1.20"), fired(record("sub_2", HOUR_1, 3)), "9 + 3 units at 0.10");
  }

  @Test
  void aSubscriptionsAlertCountsOnlyThatSubscriptionAndTheInvoiceFeedIsNeverCounted() {
    subscribe("sub_feed", Platform.INVOICES_PRODUCT, "plan_x");
    create(units("alrt_sub2", 10, "sub_2"), HOUR_1);
    create(units("alrt_all", 10, ""), HOUR_1);
    assertEquals(List.of(), record("sub_feed", HOUR_1, 50), "reading invoice events is free and not usage");
    assertEquals(List.of("alrt_all@10"), fired(record("sub_1", HOUR_1, 10)));
    assertEquals(List.of("alrt_sub2@10"), fired(record("sub_2", HOUR_1, 10)));
  }

  @Test
  void aClosedPeriodAndOneThatEndedBeforeTheAlertExistedFireNothing() {
    UsageAlert late = units("alrt_late", 1, "").toBuilder().setCreatedAtMillis(HOUR_2.start().toEpochMilli()).build();
    create(late, HOUR_2);
    assertEquals(List.of(), record("sub_1", HOUR_1, 5), "HOUR_1 ended when the alert was created");
    ledger.apply(new BillingEvent.PeriodsClosed(HOUR_2.end()));
    assertEquals(List.of(), record("sub_1", HOUR_2, 5), "late usage of a closed period is never invoiced nor alerted");
  }

  @Test
  void aDeletedAlertFiresNoMoreButItsCrossingIsStillAnnounced() {
    create(units("alrt_5", 5, ""), HOUR_1);
    record("sub_1", HOUR_1, 5);
    ledger.apply(new BillingEvent.AlertDeleted("alrt_5"));
    assertEquals(List.of(), record("sub_1", HOUR_2, 10));
    assertEquals(List.of(), ledger.alerts());
    assertEquals(1, ledger.unannouncedCrossings().size(), "what happened is still told");
    assertTrue(!ledger.settled());
  }

  @Test
  void aSnapshotKeepsWhatFiredSoARecoveredLedgerDoesNotFireAgain() {
    create(units("alrt_5", 5, ""), HOUR_1);
    record("sub_1", HOUR_1, 5);
    BillingLedger recovered = BillingLedger.fromSnapshot(ACCOUNT, ledger.toSnapshot());
    assertEquals(ledger.alerts(), recovered.alerts());
    assertEquals(ledger.unannouncedCrossings(), recovered.unannouncedCrossings());
    BillingEvent.UsageRecorded more = new BillingEvent.UsageRecorded("sub_1", 9, HOUR_1.id(), new Metered(5, 0), HOUR_1.start(),
        new Invoicing.PlanSegmentKey("plan_x", Instant.EPOCH));
    assertEquals(List.of(), recovered.alertsCrossed(catalog, HOUR_1, catalog.subscriptionsOf(ACCOUNT), Optional.of(more),
        HOUR_1.start()));
  }

  /**
   * However acks are committed and summed into usage records (FeedSums sums consecutive records
   * of one place), and however two subscriptions' records interleave, each alert fires exactly
   * once in each period whose total reaches it, and never in one whose total does not.
   */
  @Property
  void eachThresholdFiresOncePerPeriodWhateverTheBatchingAndOrderOfUsage(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 30) Integer> acks,
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 7) Integer> placement,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 400) Integer> thresholds,
      @ForAll @IntRange(min = 1, max = 50) int perSum) {
    for (int i = 0; i < thresholds.size(); i++) {
      create(units("alrt_" + i, thresholds.get(i), ""), HOUR_1);
    }
    create(money("alrt_money", "3.00"), HOUR_1);
    List<UsageRecorded> raw = new ArrayList<>();
    Map<String, Long> totals = new HashMap<>();
    for (int i = 0; i < acks.size(); i++) {
      int where = placement.get(i % placement.size());
      String subscription = (where & 1) == 0 ? "sub_1" : "sub_2";
      Period period = (where & 2) == 0 ? HOUR_1 : HOUR_2;
      raw.add(UsageRecorded.newBuilder().setSubscription(subscription)
          .setSequence(sequences.merge(subscription, 1L, Long::sum)).setPeriod(period.id()).setUnits(acks.get(i))
          .setAtMillis(period.start().toEpochMilli()).setPlan("plan_x").build());
      totals.merge(period.id(), (long) acks.get(i), Long::sum);
    }
    List<AlertCrossing> fired = new ArrayList<>();
    for (int from = 0; from < raw.size(); from += perSum) {
      FeedSums.usage(raw.subList(from, Math.min(raw.size(), from + perSum))).forEach(sum -> fired.addAll(record(sum)));
    }

    for (Period period : List.of(HOUR_1, HOUR_2)) {
      long total = totals.getOrDefault(period.id(), 0L);
      for (int i = 0; i < thresholds.size(); i++) {
        String alert = "alrt_" + i;
        int threshold = thresholds.get(i);
        List<AlertCrossing> ofAlert = fired.stream().filter(crossing -> crossing.getAlert().getId().equals(alert)
            && crossing.getPeriod().equals(period.id())).toList();
        assertEquals(total >= threshold ? 1 : 0, ofAlert.size(), alert + " in " + period.id() + " at " + total);
        ofAlert.forEach(crossing -> assertTrue(Long.parseLong(crossing.getValue()) >= threshold));
      }
      long moneyCrossings = fired.stream().filter(crossing -> crossing.getAlert().getId().equals("alrt_money")
          && crossing.getPeriod().equals(period.id())).count();
      assertEquals(total >= 30 ? 1 : 0, moneyCrossings, "3.00 is 30 units at 0.10, in " + period.id());
    }
  }
}
