package io.tollgate.billing;

import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pcollections.PSortedSet;
import org.pcollections.TreePSet;

/**
 * The prepaid credits of one account, a balance per currency, and the idempotency keys of the
 * top-ups already credited, so that a client retrying a top-up whose answer it lost is not
 * credited twice.
 *
 * <p>Balances are never negative: credits are only ever consumed up to what is there. A zero
 * balance is not kept, so two wallets holding the same credits are {@code equals}. Balances are
 * kept in order of currency code and keys in their natural order, so that a wallet reads (and
 * serializes) the same on every node. The keys are a persistent set: a top-up adds its key in
 * logarithmic time and every other operation shares the set, so no operation copies every key
 * the account ever used.
 *
 * @param topUpKeys every key ever credited: a key stays seen after its credits are spent
 */
public record Wallet(Map<Currency, Money> balances, Set<String> topUpKeys) {

  /**
   * @throws IllegalArgumentException for a negative balance or one filed under another currency
   */
  public Wallet {
    SortedMap<Currency, Money> kept = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
    balances.forEach((currency, balance) -> {
      if (!currency.equals(balance.currency())) {
        throw new IllegalArgumentException("balance " + balance + " " + balance.currency() + " filed under " + currency);
      }
      if (balance.signum() < 0) {
        throw new IllegalArgumentException("negative balance: " + balance + " " + currency);
      }
      if (balance.signum() > 0) {
        kept.put(currency, balance);
      }
    });
    balances = Collections.unmodifiableSortedMap(kept);
    topUpKeys = topUpKeys instanceof PSortedSet<String> shared ? shared : TreePSet.from(topUpKeys);
  }

  public static Wallet empty() {
    return new Wallet(Map.of(), Set.of());
  }

  /**
   * Credits {@code amount} under {@code idempotencyKey}. A retried top-up with a key already seen
   * changes nothing and returns this wallet, whatever its amount: the first attempt was credited.
   *
   * @throws BillingException ({@code invalid_amount}) unless {@code amount} is positive, checked
   *     before the key so that an invalid request never passes for a retry
   * @throws IllegalArgumentException for a missing or blank key
   */
  public Wallet topUp(String idempotencyKey, Money amount) {
    if (idempotencyKey == null || idempotencyKey.isBlank()) {
      throw new IllegalArgumentException("an idempotency key is required");
    }
    Objects.requireNonNull(amount, "amount");
    if (amount.signum() <= 0) {
      throw new BillingException(BillingException.INVALID_AMOUNT,
          "amount must be positive: " + amount + " " + amount.currency());
    }
    if (hasSeen(idempotencyKey)) {
      return this;
    }
    PSortedSet<String> keys = ((PSortedSet<String>) topUpKeys).plus(idempotencyKey);
    return new Wallet(withBalance(balance(amount.currency()).plus(amount)), keys);
  }

  public boolean hasSeen(String idempotencyKey) {
    return topUpKeys.contains(idempotencyKey);
  }

  /** The credits in {@code currency}; zero when there are none. */
  public Money balance(Currency currency) {
    Money balance = balances.get(currency);
    return balance != null ? balance : Money.zero(currency);
  }

  /**
   * Consumes credits towards an invoice of {@code total}: as much as the balance in its currency
   * covers. A zero or negative total (nothing due, or a credit note) consumes nothing; credit
   * notes are not turned into wallet credits here.
   */
  public Applied apply(Money total) {
    Money balance = balance(total.currency());
    Money applied = total.signum() <= 0 ? Money.zero(total.currency()) : min(balance, total);
    return new Applied(applied, total.minus(applied), new Wallet(withBalance(balance.minus(applied)), topUpKeys));
  }

  /**
   * The outcome of {@link #apply}: {@code applied} credits consumed, {@code due} still to charge
   * ({@code applied + due == total}), and the wallet to keep.
   */
  public record Applied(Money applied, Money due, Wallet after) {
    public Applied {
      Objects.requireNonNull(applied, "applied");
      Objects.requireNonNull(due, "due");
      Objects.requireNonNull(after, "after");
    }
  }

  private Map<Currency, Money> withBalance(Money balance) {
    Map<Currency, Money> updated = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
    updated.putAll(balances);
    updated.put(balance.currency(), balance);
    return updated;
  }

  private static Money min(Money a, Money b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
