package io.tollgate.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of an ISO 4217 currency, always held at that currency's scale (2 for EUR, 0
 * for JPY, 3 for BHD) so that two equal amounts are also {@code equals}.
 *
 * <p>A {@code Money} may be negative (a credit, or the result of {@link #minus}); the places
 * where a negative amount makes no sense (prices, fees) reject it themselves. Amounts that come
 * out of a computation are brought to the currency's scale only by {@link #rounded}, which
 * rounds HALF_EVEN; everything else refuses to round silently.
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {

  /**
   * Rounding of computed amounts to the minor unit: HALF_EVEN ("banker's rounding") is unbiased,
   * so the rounding of many invoice lines does not drift in anyone's favour.
   */
  public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

  /**
   * @throws BillingException if the currency has no minor unit or {@code amount} has more
   *     decimals than the currency allows
   */
  public Money {
    Objects.requireNonNull(amount, "amount");
    int digits = minorUnitDigits(currency);
    if (Decimals.significantScale(amount) > digits) {
      throw BillingException.invalidPrice(
          "too many decimals for "
              + currency.getCurrencyCode()
              + " (max "
              + digits
              + "): "
              + amount.toPlainString());
    }
    amount = amount.setScale(digits, RoundingMode.UNNECESSARY);
  }

  /**
   * Parses a non-negative amount as the API writes it ({@code "12.30"}), in the currency with
   * ISO 4217 code {@code currencyCode}.
   *
   * @throws BillingException ({@code invalid_price}) for an unknown currency, a malformed or
   *     negative amount, or more decimals than the currency allows
   */
  public static Money of(String amount, String currencyCode) {
    return of(amount, currency(currencyCode));
  }

  /** As {@link #of(String, String)} for an already resolved currency. */
  public static Money of(String amount, Currency currency) {
    return new Money(
        Decimals.parseNonNegative(amount, "amount", BillingException.INVALID_PRICE), currency);
  }

  public static Money zero(Currency currency) {
    return new Money(BigDecimal.ZERO, currency);
  }

  /** A computed amount rounded {@link #ROUNDING HALF_EVEN} to the currency's minor unit. */
  public static Money rounded(BigDecimal exact, Currency currency) {
    return new Money(exact.setScale(minorUnitDigits(currency), ROUNDING), currency);
  }

  /**
   * The currency with ISO 4217 code {@code code}, if it is one that money can be counted in.
   *
   * @throws BillingException ({@code invalid_price}) for an unknown code, or a currency without
   *     a minor unit such as XXX (no currency) or XAU (gold)
   */
  public static Currency currency(String code) {
    if (code == null) {
      throw BillingException.invalidPrice("currency is required");
    }
    Currency currency;
    try {
      currency = Currency.getInstance(code);
    } catch (IllegalArgumentException e) {
      throw BillingException.invalidPrice("unknown currency: '" + code + "'");
    }
    minorUnitDigits(currency);
    return currency;
  }

  /** The number of decimals of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for BHD. */
  public static int minorUnitDigits(Currency currency) {
    Objects.requireNonNull(currency, "currency");
    int digits = currency.getDefaultFractionDigits();
    if (digits < 0) {
      throw BillingException.invalidPrice(
          "currency " + currency.getCurrencyCode() + " has no minor unit and cannot be billed in");
    }
    return digits;
  }

  public Money plus(Money other) {
    return new Money(amount.add(sameCurrency(other).amount), currency);
  }

  public Money minus(Money other) {
    return new Money(amount.subtract(sameCurrency(other).amount), currency);
  }

  /** This amount {@code units} times; exact, since an integer multiple keeps the scale. */
  public Money times(long units) {
    return new Money(amount.multiply(BigDecimal.valueOf(units)), currency);
  }

  public int signum() {
    return amount.signum();
  }

  /**
   * @throws BillingException ({@code currency_mismatch}) for amounts in different currencies,
   *     which have no order
   */
  @Override
  public int compareTo(Money other) {
    return amount.compareTo(sameCurrency(other).amount);
  }

  /** The plain decimal string at the currency's scale, as the API writes it: {@code "12.30"}. */
  @Override
  public String toString() {
    return amount.toPlainString();
  }

  private Money sameCurrency(Money other) {
    if (!currency.equals(other.currency)) {
      throw new BillingException(
          BillingException.CURRENCY_MISMATCH,
          "cannot combine "
              + currency.getCurrencyCode()
              + " with "
              + other.currency.getCurrencyCode());
    }
    return other;
  }
}
