package io.tollgate.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** Splitting an amount in proportion to weights, to the minor unit, with nothing lost or made up. */
public final class Allocation {
  private Allocation() {}

  /**
   * Each part is {@code amount × weight / sum of weights} rounded HALF_EVEN; the last part with
   * a positive weight takes the rounding remainder, so the parts add up to {@code amount} exactly
   * and a zero weight (a line that charged nothing) never receives a cent. Equal weights when
   * every weight is zero.
   */
  public static List<Money> proportional(Money amount, List<Money> weights) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("there must be at least one weight");
    }
    BigDecimal sum = weights.stream().map(Money::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    List<Money> parts = new ArrayList<>(weights.size());
    int remainderTaker = weights.size() - 1;
    while (sum.signum() != 0 && weights.get(remainderTaker).signum() == 0) {
      remainderTaker--;
    }
    Money allocated = Money.zero(amount.currency());
    for (int i = 0; i < weights.size(); i++) {
      if (i == remainderTaker) {
        parts.add(null);
        continue;
      }
      BigDecimal share = sum.signum() == 0
          ? BigDecimal.ONE.divide(BigDecimal.valueOf(weights.size()), 20, RoundingMode.HALF_EVEN)
          : weights.get(i).amount().divide(sum, 20, RoundingMode.HALF_EVEN);
      Money part = Money.rounded(amount.amount().multiply(share), amount.currency());
      parts.add(part);
      allocated = allocated.plus(part);
    }
    parts.set(remainderTaker, amount.minus(allocated));
    return parts;
  }
}
