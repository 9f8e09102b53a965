package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static io.tollgate.billing.BillingException.CURRENCY_MISMATCH;
import static io.tollgate.billing.BillingException.INVALID_PRICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MoneyTest {
  private static final Currency EUR = Currency.getInstance("EUR");

  @ParameterizedTest
  @CsvSource({
    "12.3, EUR, 12.30",
    "12, EUR, 12.00",
    "0, EUR, 0.00",
    "12, JPY, 12",
    "1.5, BHD, 1.500",
    "1000000000000.01, USD, 1000000000000.01",
  })
  void parsesToTheCurrencyScale(String amount, String currency, String expected) {
    Money money = Money.of(amount, currency);
    assertEquals(expected, money.toString());
    assertEquals(Money.minorUnitDigits(money.currency()), money.amount().scale());
  }

  @Test
  void trailingZerosBeyondTheMinorUnitAreNotExtraDecimals() {
    assertEquals(Money.of("1.23", "EUR"), Money.of("1.230", "EUR"));
    assertEquals(Money.of("100", "JPY"), Money.of("100.00", "JPY"));
  }

  @Test
  void equalAmountsAreEqualWhateverTheirScale() {
    assertEquals(Money.of("1.50", "EUR"), new Money(new BigDecimal("1.5"), EUR));
  }

  @Test
  void refusesMoreDecimalsThanTheCurrencyHas() {
    assertRefused(INVALID_PRICE, "too many decimals for EUR (max 2): 1.234",
        () -> Money.of("1.234", "EUR"));
    assertRefused(INVALID_PRICE, "too many decimals for JPY (max 0): 1.5",
        () -> Money.of("1.5", "JPY"));
    assertRefused(INVALID_PRICE, "too many decimals for EUR (max 2)",
        () -> new Money(new BigDecimal("0.001"), EUR));
  }

  @Test
  void refusesNegativeInput() {
    assertRefused(INVALID_PRICE, "negative amount", () -> Money.of("-1.00", "EUR"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "1e3", "1E+3", ".5", "1.", " 1", "1 ", "+1", "1,50", "NaN"})
  void refusesWhatIsNotAPlainDecimal(String amount) {
    assertRefused(INVALID_PRICE, "must be a plain decimal string", () -> Money.of(amount, "EUR"));
  }

  @Test
  void refusesAMissingAmount() {
    assertRefused(INVALID_PRICE, "amount is required", () -> Money.of(null, "EUR"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ABC", "eur", "EURO", ""})
  void refusesUnknownCurrencies(String code) {
    assertRefused(INVALID_PRICE, "unknown currency", () -> Money.of("1", code));
  }

  @ParameterizedTest
  @ValueSource(strings = {"XXX", "XAU"})
  void refusesCurrenciesWithoutAMinorUnit(String code) {
    assertRefused(INVALID_PRICE, "has no minor unit", () -> Money.currency(code));
  }

  @Test
  void refusesAMissingCurrency() {
    assertRefused(INVALID_PRICE, "currency is required", () -> Money.of("1", (String) null));
  }

  @ParameterizedTest
  @CsvSource({
    "0.125, EUR, 0.12",
    "0.135, EUR, 0.14",
    "0.145, EUR, 0.14",
    "0.1251, EUR, 0.13",
    "-0.125, EUR, -0.12",
    "2.5, JPY, 2",
    "3.5, JPY, 4",
    "0.0005, BHD, 0.000",
    "0.0015, BHD, 0.002",
  })
  void roundsComputedAmountsHalfEvenToTheMinorUnit(String exact, String currency, String expected) {
    assertEquals(expected,
        Money.rounded(new BigDecimal(exact), Currency.getInstance(currency)).toString());
  }

  @Test
  void addsSubtractsAndMultipliesExactly() {
    Money a = Money.of("10.05", "EUR");
    Money b = Money.of("0.10", "EUR");
    assertEquals(Money.of("10.15", "EUR"), a.plus(b));
    assertEquals(Money.of("9.95", "EUR"), a.minus(b));
    assertEquals("-9.95", b.minus(a).toString());
    assertEquals(Money.of("30.15", "EUR"), a.times(3));
    assertEquals(Money.zero(EUR), a.times(0));
  }

  @Test
  void comparesByAmount() {
    assertTrue(Money.of("1.00", "EUR").compareTo(Money.of("1.01", "EUR")) < 0);
    assertEquals(0, Money.of("1", "EUR").compareTo(Money.of("1.00", "EUR")));
  }

  @Test
  void refusesToCombineCurrencies() {
    Money eur = Money.of("1", "EUR");
    Money usd = Money.of("1", "USD");
    assertRefused(CURRENCY_MISMATCH, "cannot combine EUR with USD", () -> eur.plus(usd));
    assertRefused(CURRENCY_MISMATCH, "cannot combine EUR with USD", () -> eur.minus(usd));
    assertRefused(CURRENCY_MISMATCH, "cannot combine EUR with USD", () -> eur.compareTo(usd));
  }
}
