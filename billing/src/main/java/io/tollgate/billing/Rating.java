package io.tollgate.billing;

import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * What a quantity costs under a price model. The total is the sum of the already rounded
 * lines, never the rounding of an unrounded total, so an invoice's lines always add up to its
 * total.
 *
 * @param lines in tier order; empty when nothing is charged
 */
public record Rating(Currency currency, List<LineItem> lines) {
  public Rating {
    Objects.requireNonNull(currency, "currency");
    lines = List.copyOf(lines);
  }

  public Money total() {
    Money total = Money.zero(currency);
    for (LineItem line : lines) {
      total = total.plus(line.amount());
    }
    return total;
  }
}
