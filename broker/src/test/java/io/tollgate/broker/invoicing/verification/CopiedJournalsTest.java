package io.tollgate.broker.invoicing.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Message;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.JournalsCopied;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.SubscriptionPlanChanged;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import io.tollgate.protocols.v1.journal.WebhookDeadLettersQueued;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the verification keeps of the usage and billing journals before they are trimmed. */
class CopiedJournalsTest {
  private static final String USAGE = SubscriptionEntity.persistenceId("sub_a");
  private static final String BILLING = AccountBilling.persistenceId("acc_c");
  private static final long PLAN_CHANGE = 5_000;

  /** sub_a of acc_c on plan_a, then on plan_b from {@link #PLAN_CHANGE}. */
  private static Catalog catalog() {
    Catalog catalog = new Catalog();
    catalog.apply(CatalogChange.newBuilder().setAtMillis(0).setActor("admin")
        .setProductCreated(ProductCreated.newBuilder().setId("prod_x").setName("x").setOwner("acc_p")).build());
    for (String plan : List.of("plan_a", "plan_b")) {
      catalog.apply(CatalogChange.newBuilder().setAtMillis(0).setActor("admin")
          .setPlanCreated(PlanCreated.newBuilder().setId(plan).setProductId("prod_x").setName(plan)
              .setTerms(PlanTerms.newBuilder().setCurrency("USD")
                  .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01"))))).build());
    }
    catalog.apply(CatalogChange.newBuilder().setAtMillis(0).setActor("acc_c")
        .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_a").setAccount("acc_c")
            .setProduct("prod_x").setPlan("plan_a").setDeliveryType("websocket")).build());
    catalog.apply(CatalogChange.newBuilder().setAtMillis(PLAN_CHANGE).setActor("acc_c")
        .setSubscriptionPlanChanged(SubscriptionPlanChanged.newBuilder().setSubscription("sub_a").setPlan("plan_b"))
        .build());
    return catalog;
  }

  private static CursorsAdvanced usage(String period, long atMillis, long units) {
    return CursorsAdvanced.newBuilder().setPeriod(period).setAtMillis(atMillis).setUnits(units).setBytes(units * 100)
        .build();
  }

  private static List<CopiedJournals.Entry> entries(Object... events) {
    List<CopiedJournals.Entry> entries = new ArrayList<>();
    for (int i = 0; i < events.length; i++) {
      entries.add(new CopiedJournals.Entry(i + 1, events[i]));
    }
    return entries;
  }

  @Test
  void usageIsSummedWhileThePeriodAndThePlanSegmentStayTheSame() {
    JournalsCopied step = CopiedJournals.step(Map.of(USAGE, entries(
        usage("2026-11", 1_000, 3), usage("2026-11", 2_000, 4), CursorsAdvanced.getDefaultInstance(),
        usage("2026-11", PLAN_CHANGE + 1, 5), usage("2026-12", PLAN_CHANGE + 2, 6), usage("2026-12", PLAN_CHANGE + 3, 1))),
        catalog());
    assertEquals(List.of(usage("2026-11", 1_000, 7), usage("2026-11", PLAN_CHANGE + 1, 5),
        usage("2026-12", PLAN_CHANGE + 2, 7)), step.getUsage(0).getUsageList());
    assertEquals(Map.of(USAGE, 6L), step.getThroughMap());
  }

  @Test
  void aRecomputationFromTheCopyPricesTheSameAsFromTheJournal() {
    List<CursorsAdvanced> journal = List.of(usage("2026-11", 1_000, 3), usage("2026-11", 2_000, 4),
        usage("2026-11", PLAN_CHANGE + 1, 5));
    CopiedJournals.Copies copies = CopiedJournals.of(List.of(
        CopiedJournals.step(Map.of(USAGE, entries(journal.toArray())), catalog())));
    io.tollgate.billing.Period november = io.tollgate.billing.PeriodScheme.parse("monthly")
        .periodOf(java.time.Instant.parse("2026-11-10T00:00:00Z"));
    assertEquals(new Recomputation(catalog(), Map.of("sub_a", journal)).invoicesOf("acc_c", november),
        new Recomputation(catalog(), copies.usage()).invoicesOf("acc_c", november));
  }

  @Test
  void billingKeepsEveryDocumentEventInOrderAndLeavesTheRest() {
    WalletToppedUp topUp = WalletToppedUp.newBuilder().setIdempotencyKey("k").setAmount("1.00").setCurrency("USD").build();
    InvoiceFinalized invoice = InvoiceFinalized.newBuilder().setId("inv_c_202611_usd").build();
    JournalsCopied first = CopiedJournals.step(Map.of(BILLING, entries(UsageRecorded.getDefaultInstance(), topUp)),
        catalog());
    Map<String, List<CopiedJournals.Entry>> later = new LinkedHashMap<>();
    later.put(BILLING, List.of(new CopiedJournals.Entry(3, invoice),
        new CopiedJournals.Entry(4, InvoiceAnnounced.getDefaultInstance())));
    JournalsCopied second = CopiedJournals.step(later, catalog());

    CopiedJournals.Copies copies = CopiedJournals.of(List.of(first, second));
    assertEquals(List.<Message>of(topUp, invoice), copies.billing().get("acc_c"));
    assertEquals(4, copies.throughOf(BILLING));
    assertEquals(0, copies.throughOf(USAGE));
  }

  @Test
  void aBillingEventTheVerificationDoesNotKnowStopsTheCopy() {
    assertThrows(IllegalArgumentException.class, () -> CopiedJournals.step(
        Map.of(BILLING, entries(WebhookDeadLettersQueued.getDefaultInstance())), catalog()));
  }

  @Test
  void aSubscriptionTheCatalogDoesNotKnowYetIsLeftForALaterStep() {
    JournalsCopied step = CopiedJournals.step(Map.of(SubscriptionEntity.persistenceId("sub_new"),
        entries(usage("2026-11", 1_000, 3))), catalog());
    assertEquals(JournalsCopied.getDefaultInstance(), step);
  }
}
