package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuotaTest {
  private final Quota block = Quota.of(100, "block");
  private final Quota bill = Quota.of(100, "bill");

  @Test
  void countsWhatIsLeftWithinTheQuota() {
    assertEquals(100, block.remaining(0));
    assertEquals(1, block.remaining(99));
    assertEquals(0, block.remaining(100));
    assertEquals(0, bill.remaining(250));
  }

  @Test
  void isExceededOnceUsedUp() {
    assertFalse(block.exceeded(99));
    assertTrue(block.exceeded(100));
    assertTrue(bill.exceeded(101));
  }

  @Test
  void blockingAdmitsNoMoreThanTheQuotaHasLeft() {
    assertEquals(10, block.admit(10, 0));
    assertEquals(5, block.admit(10, 95));
    assertEquals(0, block.admit(10, 100));
    assertEquals(0, block.admit(10, 500));
    assertEquals(0, block.admit(0, 0));
  }

  @Test
  void billingAdmitsEverything() {
    assertEquals(10, bill.admit(10, 95));
    assertEquals(Long.MAX_VALUE, bill.admit(Long.MAX_VALUE, 500));
  }

  @Test
  void refusesNegativeCounts() {
    assertThrows(IllegalArgumentException.class, () -> block.remaining(-1));
    assertThrows(IllegalArgumentException.class, () -> block.admit(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> block.admit(1, -1));
    assertThrows(IllegalArgumentException.class, () -> bill.admit(1, -1));
  }
}
