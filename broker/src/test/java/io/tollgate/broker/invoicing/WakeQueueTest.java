package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WakeQueueTest {
  private final WakeQueue queue = new WakeQueue();

  @Test
  void theFirstWakeUpOfAnAccountIsSentAtOnce() {
    assertEquals(Optional.of(List.of("sub_a")), queue.woken("acc_1", "sub_a"));
    assertEquals(Optional.of(List.of("sub_b")), queue.woken("acc_2", "sub_b"), "another account is not held back");
  }

  @Test
  void wakeUpsWhileACatchUpIsInFlightGoTogetherIntoTheNextOneOnce() {
    queue.woken("acc_1", "sub_a");
    for (int write = 0; write < 1_000; write++) {
      assertEquals(Optional.empty(), queue.woken("acc_1", "sub_" + (write % 3)));
    }
    assertEquals(Optional.of(List.of("sub_0", "sub_1", "sub_2")), queue.ended("acc_1"));
    assertEquals(Optional.empty(), queue.woken("acc_1", "sub_0"), "the next one is in flight");
    assertEquals(Optional.of(List.of("sub_0")), queue.ended("acc_1"));
    assertEquals(Optional.empty(), queue.ended("acc_1"));
  }

  @Test
  void anAccountWithNothingWaitingIsSentAtOnceAgainAfterItsCatchUpEnded() {
    queue.woken("acc_1", "sub_a");
    assertEquals(Optional.empty(), queue.ended("acc_1"));
    assertEquals(Optional.of(List.of("sub_a")), queue.woken("acc_1", "sub_a"));
  }
}
