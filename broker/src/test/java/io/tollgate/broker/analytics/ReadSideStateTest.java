package io.tollgate.broker.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.AnalyticsRolled;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.DomainCreated;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.TopicCreated;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read side's plain logic: what each journal entry adds, lag, positions, and a snapshot that changes nothing. */
class ReadSideStateTest {
  private static final long T0 = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();
  private static final String PARTITION = "TopicPartition|shop.orders|0";
  private static final String SUBSCRIPTION = "Subscription|sub_1";
  private final Catalog catalog = new Catalog();
  private final ReadSideState state = new ReadSideState();

  @BeforeEach
  void catalog() {
    apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId("acc_p").setName("p")));
    apply(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId("acc_c").setName("c")));
    apply(CatalogChange.newBuilder().setDomainCreated(DomainCreated.newBuilder().setName("shop").setOwner("acc_p")));
    apply(CatalogChange.newBuilder().setTopicCreated(TopicCreated.newBuilder().setName("shop.orders").setDomain("shop")
        .setPartitions(1)));
    apply(CatalogChange.newBuilder().setProductCreated(ProductCreated.newBuilder().setId("prod_x").setName("x")
        .setOwner("acc_p").addTopics("shop.orders")));
    apply(CatalogChange.newBuilder().setPlanCreated(PlanCreated.newBuilder().setId("plan_x").setProductId("prod_x")
        .setName("x").setTerms(PlanTerms.newBuilder().setCurrency("USD"))));
    apply(CatalogChange.newBuilder().setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_1")
        .setAccount("acc_c").setProduct("prod_x").setPlan("plan_x").setDeliveryType("websocket")));
  }

  private void apply(CatalogChange.Builder change) {
    catalog.apply(change.setActor("admin").setAtMillis(T0 - 60_000).build());
  }

  private static EventsAppended appended(long firstOffset, int events, long at) {
    EventsAppended.Builder appended = EventsAppended.newBuilder().setFirstOffset(firstOffset).setAppendedAtMillis(at);
    for (int i = 0; i < events; i++) {
      appended.addEvents(CloudEvent.newBuilder().setId("e" + (firstOffset + i)).setSource("s").setType("t"));
    }
    return appended.build();
  }

  private AnalyticsRolled step(Map<String, List<ReadSideState.Entry>> read, long now) {
    AnalyticsRolled step = state.step(catalog, read, Instant.ofEpochMilli(now));
    state.apply(step);
    return step;
  }

  private Rollup minute(Dimension dimension, String key, long at) {
    return state.table().at(dimension, key, at);
  }

  @Test
  void aPartitionEntryReadIsHeldAsItsSummaryAndNotItsEvents() {
    EventsAppended large = appended(40, 1000, T0);
    long bytes = large.getEventsList().stream().mapToLong(CloudEvent::getSerializedSize).sum();

    ReadSideState.Entry entry = new ReadSideState.Entry(7, large);

    assertEquals(new ReadSideState.Appended(40, 1000, bytes, T0), entry.event(),
        "a read holds up to max-entries-per-journal entries of each journal: each a few numbers, not up to 4 MiB of events");
  }

  @Test
  void publishedEventsCountForTheTopicItsProductsAndItsOwner() {
    EventsAppended first = appended(0, 3, T0 + 1_000);
    step(Map.of(PARTITION, List.of(new ReadSideState.Entry(1, first))), T0 + 2_000);
    long bytes = first.getEventsList().stream().mapToLong(CloudEvent::getSerializedSize).sum();
    assertEquals(3, minute(Dimension.TOPICS, "shop.orders", T0).publishedEvents());
    assertEquals(bytes, minute(Dimension.TOPICS, "shop.orders", T0).publishedBytes());
    assertEquals(3, minute(Dimension.PRODUCTS, "prod_x", T0).publishedEvents());
    assertEquals(3, minute(Dimension.ACCOUNTS, "acc_p", T0).publishedEvents());
    assertEquals(0, minute(Dimension.ACCOUNTS, "acc_c", T0).publishedEvents());
    assertEquals(Map.of(PARTITION, 1L), state.positions());
  }

  @Test
  void lagIsWhatTheSubscriptionHasNotAcknowledgedAndSinceWhen() {
    step(Map.of(PARTITION, List.of(new ReadSideState.Entry(1, appended(0, 5, T0)),
        new ReadSideState.Entry(2, appended(5, 5, T0 + 30_000)))), T0 + 40_000);
    assertEquals(10, minute(Dimension.SUBSCRIPTIONS, "sub_1", T0).lagEvents());
    assertEquals(40, minute(Dimension.SUBSCRIPTIONS, "sub_1", T0).lagSeconds());
    assertEquals(10, minute(Dimension.PLANS, "plan_x", T0).lagEvents());

    CursorsAdvanced acked = CursorsAdvanced.newBuilder().setUnits(6).setAtMillis(T0 + 70_000)
        .addCursors(PartitionCursor.newBuilder().setTopic("shop.orders").setPartition(0).setSequence(2).setIndex(0)
            .setOffset(5)).build();
    step(Map.of(SUBSCRIPTION, List.of(new ReadSideState.Entry(1, acked))), T0 + 75_000);
    Rollup nextMinute = minute(Dimension.SUBSCRIPTIONS, "sub_1", T0 + 60_000);
    assertEquals(6, nextMinute.acknowledgedEvents());
    assertEquals(4, nextMinute.lagEvents());
    assertEquals(45, nextMinute.lagSeconds());
    assertEquals(6, minute(Dimension.ACCOUNTS, "acc_c", T0 + 60_000).acknowledgedEvents());
  }

  @Test
  void chargesCountForTheConsumerAndRevenueForTheProducer() {
    InvoiceFinalized invoice = InvoiceFinalized.newBuilder().setAccount("acc_c").setCurrency("USD")
        .setFinalizedAtMillis(T0).addLines(InvoiceLine.newBuilder().setSubscription("sub_1").setPlan("plan_x")
            .setAmount("1.50")).build();
    RevenueCredited credited = RevenueCredited.newBuilder().setSubscription("sub_1").setCurrency("USD")
        .setProducerShare("1.05").setAtMillis(T0).build();
    step(Map.of("AccountBilling|acc_c", List.of(new ReadSideState.Entry(4, invoice)),
        "AccountBilling|acc_p", List.of(new ReadSideState.Entry(9, credited))), T0);
    assertEquals(Map.of("USD", new BigDecimal("1.50")), minute(Dimension.ACCOUNTS, "acc_c", T0).charges());
    assertEquals(Map.of("USD", new BigDecimal("1.05")), minute(Dimension.ACCOUNTS, "acc_p", T0).revenue());
    assertEquals(Map.of(), minute(Dimension.ACCOUNTS, "acc_p", T0).charges());
    Rollup subscription = minute(Dimension.SUBSCRIPTIONS, "sub_1", T0);
    assertEquals(Map.of("USD", new BigDecimal("1.50")), subscription.charges());
    assertEquals(Map.of("USD", new BigDecimal("1.05")), subscription.revenue());
    assertEquals(Map.of("AccountBilling|acc_c", 4L, "AccountBilling|acc_p", 9L), state.positions());
  }

  @Test
  void aStateFromItsSnapshotTakesTheNextStepAsTheStateItself() {
    step(Map.of(PARTITION, List.of(new ReadSideState.Entry(1, appended(0, 5, T0)))), T0 + 10_000);
    ReadSideState restored = ReadSideState.fromSnapshot(state.snapshot());
    assertEquals(state.positions(), restored.positions());
    assertEquals(state.table().all(), restored.table().all());
    Map<String, List<ReadSideState.Entry>> next = Map.of(PARTITION,
        List.of(new ReadSideState.Entry(2, appended(5, 2, T0 + 200_000))));
    assertEquals(state.step(catalog, next, Instant.ofEpochMilli(T0 + 300_000)),
        restored.step(catalog, next, Instant.ofEpochMilli(T0 + 300_000)));
  }

  /** Each key's published and acknowledged counts per minute, leaving out lag (measured per step) and empty minutes. */
  private static Map<String, List<Long>> counts(ReadSideState of) {
    Map<String, List<Long>> counts = new TreeMap<>();
    of.table().all().forEach(minute -> {
      Rollup rollup = minute.rollup();
      if (rollup.publishedEvents() + rollup.acknowledgedEvents() > 0) {
        counts.put(minute.dimension() + "/" + minute.key() + "/" + minute.minuteMillis(),
            List.of(rollup.publishedEvents(), rollup.publishedBytes(), rollup.acknowledgedEvents()));
      }
    });
    return counts;
  }

  private static CursorsAdvanced acked(long units, long at) {
    return CursorsAdvanced.newBuilder().setUnits(units).setAtMillis(at)
        .addCursors(PartitionCursor.newBuilder().setTopic("shop.orders").setPartition(0).setSequence(1).setOffset(units))
        .build();
  }

  @Test
  void aReadOfManyEntriesCountsWhatReadingThemOneAtATimeCounts() {
    apply(CatalogChange.newBuilder().setPlanCreated(PlanCreated.newBuilder().setId("plan_y").setProductId("prod_x")
        .setName("y").setTerms(PlanTerms.newBuilder().setCurrency("USD"))));
    catalog.apply(CatalogChange.newBuilder().setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder()
        .setSubscription("sub_1").setPlan("plan_y")).setActor("admin").setAtMillis(T0 + 20_000).build());
    List<ReadSideState.Entry> partition = List.of(new ReadSideState.Entry(1, appended(0, 3, T0 + 1_000)),
        new ReadSideState.Entry(2, appended(3, 2, T0 + 25_000)), new ReadSideState.Entry(3, appended(5, 4, T0 + 50_000)),
        new ReadSideState.Entry(4, appended(9, 1, T0 + 61_000)), new ReadSideState.Entry(5, appended(10, 7, T0 + 62_000)),
        new ReadSideState.Entry(6, appended(17, 2, T0 + 130_000)));
    List<ReadSideState.Entry> subscription = List.of(new ReadSideState.Entry(1, acked(3, T0 + 10_000)),
        new ReadSideState.Entry(2, acked(2, T0 + 15_000)), new ReadSideState.Entry(3, acked(4, T0 + 30_000)),
        new ReadSideState.Entry(4, acked(5, T0 + 70_000)), new ReadSideState.Entry(5, acked(1, T0 + 71_000)));
    long now = T0 + 200_000;

    step(Map.of(PARTITION, partition, SUBSCRIPTION, subscription), now);
    ReadSideState oneAtATime = new ReadSideState();
    for (Map.Entry<String, List<ReadSideState.Entry>> journal : Map.of(PARTITION, partition, SUBSCRIPTION, subscription)
        .entrySet()) {
      journal.getValue().forEach(entry -> oneAtATime.apply(oneAtATime.step(catalog,
          Map.of(journal.getKey(), List.of(entry)), Instant.ofEpochMilli(now))));
    }

    assertEquals(counts(oneAtATime), counts(state));
    assertEquals(5, minute(Dimension.PLANS, "plan_x", T0).acknowledgedEvents(), "acks before the switch count for the old plan");
    assertEquals(4, minute(Dimension.PLANS, "plan_y", T0).acknowledgedEvents(), "and those after it, in the same minute, for the new one");
    assertEquals(9, minute(Dimension.TOPICS, "shop.orders", T0).publishedEvents());
    assertEquals(Map.of(PARTITION, 6L, SUBSCRIPTION, 5L), state.positions());
  }

  @Test
  void aStepJournalsTheFirstAppendTimeOfEachSecondOnlyAsTheStateKeepsNoMore() {
    List<ReadSideState.Entry> oneSecond = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      oneSecond.add(new ReadSideState.Entry(i + 1, appended(i, 1, T0 + 1_000 + i)));
    }
    oneSecond.add(new ReadSideState.Entry(101, appended(100, 1, T0 + 2_500)));
    AnalyticsRolled first = step(Map.of(PARTITION, oneSecond), T0 + 3_000);
    assertEquals(List.of(T0 + 1_000, T0 + 2_500), appendTimes(first));

    AnalyticsRolled next = step(Map.of(PARTITION, List.of(new ReadSideState.Entry(102, appended(101, 1, T0 + 2_900)),
        new ReadSideState.Entry(103, appended(102, 1, T0 + 4_000)))), T0 + 5_000);
    assertEquals(List.of(T0 + 4_000), appendTimes(next), "the second of T0 + 2,500 was journaled by the step before");
    assertEquals(103, minute(Dimension.TOPICS, "shop.orders", T0).publishedEvents());
  }

  private static List<Long> appendTimes(AnalyticsRolled step) {
    return step.getAppendedAtList().stream().map(io.tollgate.protocols.v1.journal.AppendedAt::getAtMillis).toList();
  }

  @Test
  void anIdleStepWithNoNewLagJournalsNothing() {
    step(Map.of(PARTITION, List.of(new ReadSideState.Entry(1, appended(0, 5, T0)))), T0 + 10_000);
    AnalyticsRolled idle = state.step(catalog, Map.of(), Instant.ofEpochMilli(T0 + 10_000));
    assertEquals(AnalyticsRolled.getDefaultInstance(), idle);
  }
}
