package io.tollgate.broker.invoicing;

import io.tollgate.billing.PeriodScheme;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.time.Instant;

/**
 * Which period's statement a producer's credit belongs to. A share of an invoice belongs to the
 * invoice's period. A give-back (a void's reversal, a credit note's share: a negative charge)
 * belongs to the period in which it was made, as an adjustment: a statement, once its period's
 * invoices are final, never changes again, and a later correction shows where it happened.
 */
public final class StatementPeriods {
  private StatementPeriods() {}

  public static boolean isAdjustment(RevenueCredited credit) {
    return StoredMoney.of(credit.getCharge(), credit.getCurrency()).signum() < 0;
  }

  public static String periodOf(RevenueCredited credit, PeriodScheme periods) {
    return isAdjustment(credit) ? periods.periodOf(Instant.ofEpochMilli(credit.getAtMillis())).id() : credit.getPeriod();
  }
}
