package io.tollgate.billing;

import java.util.Currency;
import java.util.Map;
import java.util.Objects;

/**
 * The price of the bytes a consumer acknowledged: the second meter of a plan, next to its events.
 * Bytes are counted in whole {@code per} units (a started unit counts as a whole one, as Stripe's
 * quantity transform rounds up), and that count is priced by any {@link PriceModel}, so a bytes price
 * has per-unit, graduated, volume or package pricing exactly as the events price does.
 *
 * <p>The count is always taken of the running total of a subscription's bytes in the period, never
 * of a part on its own: the units of a part are {@code unitsOf(before + bytes) - unitsOf(before)}.
 * So however the period is cut (a plan change, a pause), its parts count the same units as the
 * whole, and a partly used unit is paid once, by the part that starts it.
 *
 * @param per the unit as the API writes it: "B", "KB", "MB", "GB" (powers of 1000), "KiB", "MiB",
 *     "GiB" (powers of 1024)
 * @param unitBytes the bytes in one unit
 */
public record BytesPrice(String per, long unitBytes, PriceModel price) {
  private static final Map<String, Long> UNITS = Map.of(
      "B", 1L,
      "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L,
      "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30);

  /**
   * @throws BillingException ({@code invalid_price}) for a unit that does not match its size
   */
  public BytesPrice {
    Objects.requireNonNull(price, "price");
    if (per == null || !Objects.equals(UNITS.get(per), unitBytes)) {
      throw BillingException.invalidPrice("bytes_price.per must be one of B, KB, MB, GB, KiB, MiB, GiB: " + per);
    }
  }

  /**
   * The bytes price as the API writes it: {@code {"per": "GiB", "model": "per_unit", "unit_amount": "0.09"}}.
   *
   * @throws BillingException ({@code invalid_price}) for an unknown unit
   */
  public static BytesPrice of(String per, PriceModel price) {
    Long size = per == null ? null : UNITS.get(per);
    if (size == null) {
      throw BillingException.invalidPrice("bytes_price.per must be one of B, KB, MB, GB, KiB, MiB, GiB: " + per);
    }
    return new BytesPrice(per, size, price);
  }

  public Currency currency() {
    return price.currency();
  }

  /** The started units of {@code bytes}: {@code ceil(bytes / unitBytes)}. */
  public long unitsOf(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    }
    return bytes / unitBytes + (bytes % unitBytes == 0 ? 0 : 1);
  }

  /**
   * What {@code bytes} cost when they stand at {@code position} in the period's count of the
   * subscription's bytes (its fields in bytes, as {@link PriceModel.Position} has them in events).
   * {@code rateAt(whole(n), n)} rates {@code unitsOf(n)} units.
   */
  public PriceModel.Slice rateAt(PriceModel.Position position, long bytes) {
    long before = unitsOf(position.before());
    long units = unitsOf(Math.addExact(position.before(), bytes)) - before;
    PriceModel.Position inUnits = new PriceModel.Position(before, unitsOf(position.beforeInPlan()),
        unitsOf(position.total()));
    return price.rateAt(inUnits, units);
  }
}
