package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class WalletProperties {
  private static final List<Currency> CURRENCIES =
      List.of("USD", "EUR", "JPY", "BHD").stream().map(Currency::getInstance).toList();

  /** A top-up under a key, or an invoice to pay. */
  record Op(boolean topUp, String key, Money amount) {}

  @Property
  void appliedPlusDueIsTheTotalAndNothingIsAppliedBeyondTheBalance(
      @ForAll("wallets") Wallet wallet, @ForAll("amounts") Money total) {
    Wallet.Applied applied = wallet.apply(total);
    assertEquals(total, applied.applied().plus(applied.due()));
    assertTrue(applied.applied().signum() >= 0, "applied is never negative");
    assertTrue(applied.applied().compareTo(wallet.balance(total.currency())) <= 0);
    assertEquals(wallet.balance(total.currency()).minus(applied.applied()), applied.after().balance(total.currency()));
    boolean exhausted = applied.after().balance(total.currency()).signum() == 0;
    assertTrue(exhausted || applied.due().signum() <= 0, "something is due only once the credits are gone");
  }

  @Property
  void aBalanceIsNeverNegative(@ForAll("operations") List<Op> ops) {
    Wallet wallet = Wallet.empty();
    for (Op op : ops) {
      wallet = op.topUp ? wallet.topUp(op.key, op.amount) : wallet.apply(op.amount).after();
      for (Currency currency : CURRENCIES) {
        assertTrue(wallet.balance(currency).signum() >= 0, () -> "negative balance in " + currency);
      }
    }
  }

  @Property
  void theSameKeyTwiceCreditsOnce(
      @ForAll("wallets") Wallet wallet, @ForAll("positive") Money first, @ForAll("positive") Money retry) {
    String key = "retried-" + wallet.topUpKeys().size();
    Wallet once = wallet.topUp(key, first);
    Wallet twice = once.topUp(key, retry);
    assertEquals(once, twice);
    assertEquals(wallet.balance(first.currency()).plus(first), twice.balance(first.currency()));
  }

  @Property
  void anyOrderOfDistinctTopUpsGivesTheSameWallet(
      @ForAll("topUpAmounts") List<Money> amounts, @ForAll long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < amounts.size(); i++) {
      order.add(i);
    }
    Wallet inOrder = topUps(amounts, order);
    Collections.shuffle(order, new Random(seed));
    Wallet shuffled = topUps(amounts, order);
    assertEquals(inOrder, shuffled);
    for (Currency currency : CURRENCIES) {
      Money expected = amounts.stream().filter(m -> m.currency().equals(currency))
          .reduce(Money.zero(currency), Money::plus);
      assertEquals(expected, shuffled.balance(currency));
    }
  }

  private static Wallet topUps(List<Money> amounts, List<Integer> order) {
    Wallet wallet = Wallet.empty();
    for (int i : order) {
      wallet = wallet.topUp("key-" + i, amounts.get(i));
    }
    return wallet;
  }

  @Provide
  Arbitrary<List<Money>> topUpAmounts() {
    return positive().list().ofMaxSize(20);
  }

  @Provide
  Arbitrary<Wallet> wallets() {
    return operations().map(ops -> {
      Wallet wallet = Wallet.empty();
      for (Op op : ops) {
        wallet = op.topUp ? wallet.topUp(op.key, op.amount) : wallet.apply(op.amount).after();
      }
      return wallet;
    });
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Op> topUp = Combinators.combine(Arbitraries.strings().alpha().ofLength(2), positive())
        .as((key, amount) -> new Op(true, key, amount));
    Arbitrary<Op> invoice = amounts().map(amount -> new Op(false, null, amount));
    return Arbitraries.oneOf(topUp, invoice).list().ofMaxSize(30);
  }

  @Provide
  Arbitrary<Money> positive() {
    return money(1, 1_000_000);
  }

  /** Invoice totals: mostly charges, some zero, some credit notes. */
  @Provide
  Arbitrary<Money> amounts() {
    return money(-10_000, 2_000_000);
  }

  private static Arbitrary<Money> money(long min, long max) {
    return Combinators.combine(Arbitraries.of(CURRENCIES), Arbitraries.longs().between(min, max))
        .as((currency, unscaled) -> new Money(BigDecimal.valueOf(unscaled, currency.getDefaultFractionDigits()), currency));
  }
}
