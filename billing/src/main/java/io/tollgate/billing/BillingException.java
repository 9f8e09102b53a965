package io.tollgate.billing;

/**
 * Billing terms that cannot be accepted. The {@link #code()} is the stable machine-readable
 * error code of the public API; the message names the offending field in the API's snake_case
 * so it can be shown to the caller as is.
 */
public final class BillingException extends IllegalArgumentException {
  /** An amount, currency or price model that is malformed or out of range. */
  public static final String INVALID_PRICE = "invalid_price";

  /** Plan terms other than the price: name, allowance, fee, rate limit, quota, revenue share. */
  public static final String INVALID_PLAN = "invalid_plan";

  /** An amount of money moved (a top-up) that is not a positive amount. */
  public static final String INVALID_AMOUNT = "invalid_amount";

  /** Amounts in two different currencies were combined. */
  public static final String CURRENCY_MISMATCH = "currency_mismatch";

  private final String code;

  public BillingException(String code, String message) {
    super(message);
    this.code = code;
  }

  static BillingException invalidPrice(String message) {
    return new BillingException(INVALID_PRICE, message);
  }

  static BillingException invalidPlan(String message) {
    return new BillingException(INVALID_PLAN, message);
  }

  public String code() {
    return code;
  }
}
