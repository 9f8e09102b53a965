package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WalletTest {
  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency EUR = Currency.getInstance("EUR");

  @Test
  void anEmptyWalletHoldsZeroInAnyCurrency() {
    assertEquals(Money.zero(USD), Wallet.empty().balance(USD));
    assertEquals(Money.zero(Currency.getInstance("JPY")), Wallet.empty().balance(Currency.getInstance("JPY")));
  }

  @Test
  void topUpsAddUpPerCurrency() {
    Wallet wallet = Wallet.empty()
        .topUp("k1", Money.of("10.00", "USD"))
        .topUp("k2", Money.of("2.50", "USD"))
        .topUp("k3", Money.of("7.00", "EUR"));
    assertEquals(Money.of("12.50", "USD"), wallet.balance(USD));
    assertEquals(Money.of("7.00", "EUR"), wallet.balance(EUR));
    assertEquals(List.of(EUR, USD), List.copyOf(wallet.balances().keySet()), "in order of currency code");
  }

  @Test
  void aRetriedTopUpChangesNothingWhateverItsAmount() {
    Wallet once = Wallet.empty().topUp("k1", Money.of("10.00", "USD"));
    assertSame(once, once.topUp("k1", Money.of("10.00", "USD")));
    assertSame(once, once.topUp("k1", Money.of("99.00", "EUR")));
    assertTrue(once.hasSeen("k1"));
    assertFalse(once.hasSeen("k2"));
  }

  @Test
  void aKeyStaysSeenAfterItsCreditsAreSpent() {
    Wallet spent = Wallet.empty().topUp("k1", Money.of("1.00", "USD")).apply(Money.of("5.00", "USD")).after();
    assertEquals(Money.zero(USD), spent.balance(USD));
    assertSame(spent, spent.topUp("k1", Money.of("1.00", "USD")));
  }

  @Test
  void consumingCreditsSharesTheKeysInsteadOfCopyingThem() {
    Wallet wallet = Wallet.empty().topUp("k1", Money.of("10.00", "USD")).topUp("k2", Money.of("1.00", "USD"));
    assertSame(wallet.topUpKeys(), wallet.apply(Money.of("3.00", "USD")).after().topUpKeys());
  }

  @Test
  void aTopUpDoesNotCopyEveryKeyTheAccountEverUsed() {
    // Copying every key on each top-up makes this quadratic: over a billion key copies, minutes.
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      Wallet wallet = Wallet.empty();
      for (int i = 0; i < 50_000; i++) {
        wallet = wallet.topUp("order-" + i, Money.of("1.00", "USD"));
      }
      assertEquals(50_000, wallet.topUpKeys().size());
      assertEquals(Money.of("50000.00", "USD"), wallet.balance(USD));
    });
  }

  @Test
  void aTopUpMustBePositive() {
    assertRefused(BillingException.INVALID_AMOUNT, "positive", () -> Wallet.empty().topUp("k", Money.zero(USD)));
    assertRefused(BillingException.INVALID_AMOUNT, "-1.00",
        () -> Wallet.empty().topUp("k", new Money(new BigDecimal("-1"), USD)));
  }

  @Test
  void anInvalidAmountIsRefusedEvenUnderASeenKey() {
    Wallet wallet = Wallet.empty().topUp("k", Money.of("1.00", "USD"));
    assertRefused(BillingException.INVALID_AMOUNT, "positive", () -> wallet.topUp("k", Money.zero(USD)));
  }

  @Test
  void aTopUpNeedsAKey() {
    assertThrows(IllegalArgumentException.class, () -> Wallet.empty().topUp(null, Money.of("1.00", "USD")));
    assertThrows(IllegalArgumentException.class, () -> Wallet.empty().topUp(" ", Money.of("1.00", "USD")));
  }

  @Test
  void creditsCoverPartOfALargerInvoice() {
    Wallet wallet = Wallet.empty().topUp("k", Money.of("3.00", "USD"));
    Wallet.Applied applied = wallet.apply(Money.of("10.00", "USD"));
    assertEquals(Money.of("3.00", "USD"), applied.applied());
    assertEquals(Money.of("7.00", "USD"), applied.due());
    assertEquals(Money.zero(USD), applied.after().balance(USD));
  }

  @Test
  void creditsCoverASmallerInvoiceWhole() {
    Wallet wallet = Wallet.empty().topUp("k", Money.of("30.00", "USD"));
    Wallet.Applied applied = wallet.apply(Money.of("10.00", "USD"));
    assertEquals(Money.of("10.00", "USD"), applied.applied());
    assertEquals(Money.zero(USD), applied.due());
    assertEquals(Money.of("20.00", "USD"), applied.after().balance(USD));
  }

  @Test
  void creditsInAnotherCurrencyAreNotTouched() {
    Wallet wallet = Wallet.empty().topUp("k", Money.of("30.00", "EUR"));
    Wallet.Applied applied = wallet.apply(Money.of("10.00", "USD"));
    assertEquals(Money.zero(USD), applied.applied());
    assertEquals(Money.of("10.00", "USD"), applied.due());
    assertEquals(wallet, applied.after());
  }

  @Test
  void aCreditNoteConsumesNothing() {
    Wallet wallet = Wallet.empty().topUp("k", Money.of("5.00", "USD"));
    Money credit = new Money(new BigDecimal("-2.00"), USD);
    Wallet.Applied applied = wallet.apply(credit);
    assertEquals(Money.zero(USD), applied.applied());
    assertEquals(credit, applied.due());
    assertEquals(Money.of("5.00", "USD"), applied.after().balance(USD));
  }

  @Test
  void walletsWithTheSameCreditsAreEqualWhetherOrNotAZeroIsKept() {
    Wallet withZero = new Wallet(Map.of(USD, Money.zero(USD)), Set.of());
    assertEquals(Wallet.empty(), withZero);
    assertTrue(withZero.balances().isEmpty());
  }

  @Test
  void aBalanceCannotBeNegativeOrFiledUnderAnotherCurrency() {
    assertThrows(IllegalArgumentException.class,
        () -> new Wallet(Map.of(USD, new Money(new BigDecimal("-0.01"), USD)), Set.of()));
    assertThrows(IllegalArgumentException.class, () -> new Wallet(Map.of(EUR, Money.of("1.00", "USD")), Set.of()));
  }
}
