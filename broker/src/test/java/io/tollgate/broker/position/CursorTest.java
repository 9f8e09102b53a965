package io.tollgate.broker.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {
  @Test
  void roundTripsThroughItsText() {
    Cursor cursor = new Cursor("commerce.orders", 3, 17, 4);
    assertEquals("commerce.orders:3:17:4", cursor.encode());
    assertEquals(cursor, Cursor.parse(cursor.encode()));
  }

  @Test
  void ordersBySequenceThenIndex() {
    assertTrue(new Cursor("t.a", 0, 2, 0).isAfter(new Cursor("t.a", 0, 1, 99)));
    assertTrue(new Cursor("t.a", 0, 2, 1).isAfter(new Cursor("t.a", 0, 2, 0)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "x", "t:1:2", "t:a:2:3", ":1:2:3", "t:1:2:x"})
  void refusesTextThatIsNotACursor(String text) {
    assertThrows(IllegalArgumentException.class, () -> Cursor.parse(text));
  }
}
