package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

final class BillingAssertions {
  private BillingAssertions() {}

  /**
   * Asserts that {@code action} is refused with {@code code} and a message containing {@code
   * text}.
   */
  static BillingException assertRefused(String code, String text, Executable action) {
    BillingException e = assertThrows(BillingException.class, action);
    assertEquals(code, e.code(), "code of: " + e.getMessage());
    assertTrue(
        e.getMessage().contains(text),
        () -> "expected a message containing '" + text + "', got '" + e.getMessage() + "'");
    return e;
  }
}
