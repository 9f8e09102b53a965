package io.tollgate.billing;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** Parsing of the decimal strings the public API uses for every amount. */
final class Decimals {
  // Plain notation only: exponents ("1E+3") and bare points (".5", "1.") are not how the API
  // writes amounts, and accepting them would make "what did the user mean" ambiguous.
  private static final Pattern PLAIN = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

  private Decimals() {}

  /**
   * Parses {@code text} as a plain, non-negative decimal; {@code field} names it in errors.
   *
   * @throws BillingException with {@code errorCode} if the text is missing, not a plain decimal,
   *     or negative
   */
  static BigDecimal parseNonNegative(String text, String field, String errorCode) {
    if (text == null) {
      throw new BillingException(errorCode, field + " is required");
    }
    if (!PLAIN.matcher(text).matches()) {
      throw new BillingException(
          errorCode, field + " must be a plain decimal string such as \"12.30\": '" + text + "'");
    }
    BigDecimal value = new BigDecimal(text);
    if (value.signum() < 0) {
      throw new BillingException(errorCode, "negative amount for " + field + ": " + text);
    }
    return value;
  }

  /**
   * The number of decimals {@code value} really needs: trailing zeros do not count, so "1.50"
   * needs 1 and "100" needs 0.
   */
  static int significantScale(BigDecimal value) {
    return Math.max(0, value.stripTrailingZeros().scale());
  }
}
