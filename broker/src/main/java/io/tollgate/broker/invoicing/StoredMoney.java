package io.tollgate.broker.invoicing;

import io.tollgate.billing.Money;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * Amounts read back from the journal. They were written from {@link Money} at the currency's
 * scale and may be negative (a voided invoice's reversed credits), unlike amounts a client sends.
 */
public final class StoredMoney {
  private StoredMoney() {}

  public static Money of(String amount, String currency) {
    return Money.rounded(new BigDecimal(amount), Currency.getInstance(currency));
  }
}
