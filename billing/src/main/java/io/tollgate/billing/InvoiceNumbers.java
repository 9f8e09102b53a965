package io.tollgate.billing;

import java.util.Locale;
import java.util.Objects;

/**
 * The invoice numbers of one issuer: consecutive, with no gaps, as invoicing rules in many
 * countries require. Pure: the caller persists the returned value before using its number, so a
 * number is never handed out twice nor skipped.
 *
 * @param last the last number issued; 0 before the first
 */
public record InvoiceNumbers(String prefix, long last) {

  /** @throws IllegalArgumentException for a blank prefix or a negative number */
  public InvoiceNumbers {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isBlank()) {
      throw new IllegalArgumentException("an invoice number prefix must not be blank");
    }
    if (last < 0) {
      throw new IllegalArgumentException("last invoice number must not be negative: " + last);
    }
  }

  public static InvoiceNumbers start(String prefix) {
    return new InvoiceNumbers(prefix, 0);
  }

  /** @throws ArithmeticException past {@code Long.MAX_VALUE}, rather than wrapping to a reused number */
  public InvoiceNumbers next() {
    return new InvoiceNumbers(prefix, Math.addExact(last, 1));
  }

  /** {@code "TG-000042"}: at least six digits, more beyond 999999. */
  public String format() {
    // Locale.ROOT: some default locales would print the digits in another script.
    return String.format(Locale.ROOT, "%s-%06d", prefix, last);
  }
}
