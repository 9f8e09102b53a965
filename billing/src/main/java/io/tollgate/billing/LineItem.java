package io.tollgate.billing;

import java.util.Objects;

/**
 * One line of a rating: {@code quantity} at {@code unitPrice}, plus a {@code flatFee}, giving
 * {@code amount}.
 *
 * @param quantity what was charged for: events, or whole packages for {@link PriceModel.Package}
 * @param flatFee zero unless the line's tier has a flat fee
 * @param amount {@code quantity × unitPrice} rounded HALF_EVEN to the minor unit, plus the flat
 *     fee
 */
public record LineItem(long quantity, UnitPrice unitPrice, Money flatFee, Money amount) {
  public LineItem {
    Objects.requireNonNull(unitPrice, "unitPrice");
    Objects.requireNonNull(flatFee, "flatFee");
    Objects.requireNonNull(amount, "amount");
  }

  /** The line for {@code quantity} at {@code unitPrice} plus {@code flatFee}, in its currency. */
  static LineItem priced(long quantity, UnitPrice unitPrice, Money flatFee) {
    return new LineItem(
        quantity,
        unitPrice,
        flatFee,
        unitPrice.times(quantity, flatFee.currency()).plus(flatFee));
  }
}
