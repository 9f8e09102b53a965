package io.tollgate.broker.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FieldLengthsTest {
  private static final FieldLengths LENGTHS = new FieldLengths(4, 5, 6, 7, 8);

  @Test
  void aStringAtItsKindsLimitIsKept() {
    assertEquals("abcd", LENGTHS.checked("\"owner\"", "abcd", FieldLengths.Kind.ID));
    assertEquals("abcdefgh", LENGTHS.checked("\"filter\"", "abcdefgh", FieldLengths.Kind.FILTER));
  }

  @Test
  void aLongerOneIsRefusedNamingTheFieldTheLimitAndItsKey() {
    Refusal refused = assertThrows(Refusal.class, () -> LENGTHS.checked("\"name\"", "abcdef", FieldLengths.Kind.NAME));
    assertEquals("field_too_long", refused.code());
    assertEquals("\"name\" is 6 characters long; the longest allowed is 5 (tollgate.limits.max-name-length)",
        refused.getMessage());
  }

  @Test
  void eachKindHasItsOwnLimit() {
    for (FieldLengths.Kind kind : FieldLengths.Kind.values()) {
      int limit = LENGTHS.of(kind);
      LENGTHS.checked("f", "x".repeat(limit), kind);
      Refusal refused = assertThrows(Refusal.class, () -> LENGTHS.checked("f", "x".repeat(limit + 1), kind));
      assertTrue(refused.getMessage().contains(kind.name().toLowerCase(java.util.Locale.ROOT)), refused.getMessage());
    }
  }
}
