package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryTrackerTest {
  private final DeliveryTracker tracker = new DeliveryTracker();
  private final AtomicInteger released = new AtomicInteger();

  DeliveryTrackerTest() {
    tracker.onReleased(released::addAndGet);
  }

  /** A delivery whose offset is its sequence number times ten plus its index, with index + 1 bytes of data. */
  private static Delivery delivery(String topic, int partition, long sequence, int index) {
    return new Delivery(new Cursor(topic, partition, sequence, index), sequence * 10 + index,
        CloudEvent.newBuilder().setTextData("x".repeat(index + 1)).build());
  }

  @Test
  void anAckReleasesItsEventAndEveryEarlierOneOfThePartition() {
    tracker.delivered(delivery("t.a", 0, 1, 0));
    tracker.delivered(delivery("t.a", 0, 1, 1));
    tracker.delivered(delivery("t.a", 1, 1, 0));
    tracker.delivered(delivery("t.a", 0, 2, 0));
    DeliveryTracker.Ack ack = tracker.ack(new Cursor("t.a", 0, 1, 1));
    assertEquals(DeliveryTracker.AckOutcome.ACCEPTED, ack.outcome());
    assertEquals(11, ack.point().offset(), "the ack point carries the acknowledged event's offset");
    assertEquals(3, ack.bytes(), "and the bytes of the two events it covers");
    assertEquals(2, released.get());
    assertEquals(2, tracker.unackedCount());
  }

  @Test
  void anAckOfACursorNeverDeliveredIsRefused() {
    tracker.delivered(delivery("t.a", 0, 1, 0));
    assertEquals(DeliveryTracker.AckOutcome.UNKNOWN, tracker.ack(new Cursor("t.a", 0, 9, 0)).outcome());
    assertEquals(DeliveryTracker.AckOutcome.UNKNOWN, tracker.ack(new Cursor("t.b", 0, 1, 0)).outcome());
    assertEquals(0, released.get());
  }

  @Test
  void aRepeatedAckChangesNothing() {
    tracker.delivered(delivery("t.a", 0, 1, 0));
    tracker.ack(new Cursor("t.a", 0, 1, 0));
    assertEquals(DeliveryTracker.AckOutcome.ALREADY_ACKED, tracker.ack(new Cursor("t.a", 0, 1, 0)).outcome());
    assertEquals(1, released.get());
  }
}
