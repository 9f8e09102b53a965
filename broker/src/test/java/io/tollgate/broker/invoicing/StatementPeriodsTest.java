package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.billing.PeriodScheme;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A share stays with its invoice's period; a give-back is an adjustment of the period it was made in. */
class StatementPeriodsTest {
  private static final PeriodScheme HOURLY = new PeriodScheme.Fixed(Duration.ofHours(1));

  private static RevenueCredited credit(String charge, String at) {
    return RevenueCredited.newBuilder().setInvoice("inv_1").setPeriod("2026-11-28T10:00:00Z").setCurrency("USD")
        .setCharge(charge).setProducerShare(charge).setPlatformFee("0.00").setAtMillis(Instant.parse(at).toEpochMilli())
        .build();
  }

  @Test
  void aShareBelongsToItsInvoicesPeriodWheneverItWasMade() {
    RevenueCredited share = credit("1.00", "2026-11-28T11:10:00Z");
    assertFalse(StatementPeriods.isAdjustment(share));
    assertEquals("2026-11-28T10:00:00Z", StatementPeriods.periodOf(share, HOURLY));
  }

  @Test
  void aGiveBackBelongsToThePeriodItWasMadeInSoAClosedStatementNeverChanges() {
    RevenueCredited voided = credit("-1.00", "2026-11-28T13:20:00Z");
    assertTrue(StatementPeriods.isAdjustment(voided));
    assertEquals(HOURLY.periodOf(Instant.parse("2026-11-28T13:20:00Z")).id(), StatementPeriods.periodOf(voided, HOURLY));
  }
}
