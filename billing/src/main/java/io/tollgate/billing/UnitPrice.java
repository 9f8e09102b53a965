package io.tollgate.billing;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * The price of one unit (one event). Unlike {@link Money} it may be finer than the currency's
 * minor unit ("0.0008" USD per event is a realistic price), so it carries no currency: it only
 * becomes money when multiplied by a quantity and rounded, in {@link #times}.
 *
 * <p>Held without trailing zeros, so "0.50" and "0.5" are the same price.
 */
public record UnitPrice(BigDecimal amount) {
  /**
   * Finest price accepted. Twelve decimals is far below any real per-event price while keeping
   * line totals (quantity × price) small enough to compute exactly.
   */
  public static final int MAX_SCALE = 12;

  public static final UnitPrice ZERO = new UnitPrice(BigDecimal.ZERO);

  /**
   * @throws BillingException ({@code invalid_price}) for a negative price or one with more than
   *     {@link #MAX_SCALE} decimals
   */
  public UnitPrice {
    Objects.requireNonNull(amount, "amount");
    if (amount.signum() < 0) {
      throw BillingException.invalidPrice("negative amount for unit_amount: " + amount);
    }
    int scale = Decimals.significantScale(amount);
    if (scale > MAX_SCALE) {
      throw BillingException.invalidPrice(
          "too many decimals for unit_amount (max " + MAX_SCALE + "): " + amount.toPlainString());
    }
    amount = amount.setScale(scale);
  }

  /**
   * Parses a price as the API writes it ({@code "0.0008"}).
   *
   * @throws BillingException ({@code invalid_price}) for a missing, malformed, negative or too
   *     fine price
   */
  public static UnitPrice of(String unitAmount) {
    return new UnitPrice(
        Decimals.parseNonNegative(unitAmount, "unit_amount", BillingException.INVALID_PRICE));
  }

  /** {@code quantity} units at this price, rounded HALF_EVEN to the currency's minor unit. */
  public Money times(long quantity, Currency currency) {
    return Money.rounded(amount.multiply(BigDecimal.valueOf(quantity)), currency);
  }

  @Override
  public String toString() {
    return amount.toPlainString();
  }
}
