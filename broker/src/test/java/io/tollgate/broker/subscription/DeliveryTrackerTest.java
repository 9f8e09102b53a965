package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.topic.Cursor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryTrackerTest {
  private final DeliveryTracker tracker = new DeliveryTracker();
  private final AtomicInteger released = new AtomicInteger();

  DeliveryTrackerTest() {
    tracker.onReleased(released::addAndGet);
  }

  @Test
  void anAckReleasesItsEventAndEveryEarlierOneOfThePartition() {
    tracker.delivered(new Cursor("t.a", 0, 1, 0));
    tracker.delivered(new Cursor("t.a", 0, 1, 1));
    tracker.delivered(new Cursor("t.a", 1, 1, 0));
    tracker.delivered(new Cursor("t.a", 0, 2, 0));
    assertEquals(DeliveryTracker.AckOutcome.ACCEPTED, tracker.ack(new Cursor("t.a", 0, 1, 1)));
    assertEquals(2, released.get());
    assertEquals(2, tracker.unackedCount());
  }

  @Test
  void anAckOfACursorNeverDeliveredIsRefused() {
    tracker.delivered(new Cursor("t.a", 0, 1, 0));
    assertEquals(DeliveryTracker.AckOutcome.UNKNOWN, tracker.ack(new Cursor("t.a", 0, 9, 0)));
    assertEquals(DeliveryTracker.AckOutcome.UNKNOWN, tracker.ack(new Cursor("t.b", 0, 1, 0)));
    assertEquals(0, released.get());
  }

  @Test
  void aRepeatedAckChangesNothing() {
    tracker.delivered(new Cursor("t.a", 0, 1, 0));
    tracker.ack(new Cursor("t.a", 0, 1, 0));
    assertEquals(DeliveryTracker.AckOutcome.ALREADY_ACKED, tracker.ack(new Cursor("t.a", 0, 1, 0)));
    assertEquals(1, released.get());
  }
}
