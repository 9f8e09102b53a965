package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.position.Cursor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastEventIdTest {
  private static final Cursor LAST = new Cursor("shop.orders", 1, 5, 2);

  private static LastEventId.Step hold() {
    return new LastEventId.Step(false, Optional.empty());
  }

  private static LastEventId.Step send() {
    return new LastEventId.Step(true, Optional.empty());
  }

  @Test
  void eventsOfItsPartitionUpToItAreHeldBackAndItIsAcknowledgedWhenItComes() {
    LastEventId last = LastEventId.of(LAST);
    assertEquals(hold(), last.onDelivery(new Cursor("shop.orders", 1, 4, 9)));
    assertEquals(hold(), last.onDelivery(new Cursor("shop.orders", 1, 5, 1)));
    assertEquals(new LastEventId.Step(false, Optional.of(LAST)), last.onDelivery(LAST));
    assertEquals(send(), last.onDelivery(new Cursor("shop.orders", 1, 5, 3)));
  }

  @Test
  void otherPartitionsAreSent() {
    LastEventId last = LastEventId.of(LAST);
    assertEquals(send(), last.onDelivery(new Cursor("shop.orders", 0, 1, 0)));
    assertEquals(send(), last.onDelivery(new Cursor("shop.refunds", 1, 1, 0)));
  }

  @Test
  void aCursorBetweenTwoEventsAcknowledgesTheEventsBeforeItWhenTheFirstAfterItComes() {
    LastEventId last = LastEventId.of(new Cursor("shop.orders", 1, 5, 7));
    assertEquals(hold(), last.onDelivery(new Cursor("shop.orders", 1, 5, 0)));
    assertEquals(hold(), last.onDelivery(new Cursor("shop.orders", 1, 5, 1)));
    assertEquals(new LastEventId.Step(true, Optional.of(new Cursor("shop.orders", 1, 5, 1))),
        last.onDelivery(new Cursor("shop.orders", 1, 6, 0)), "the first after it is sent, and what was held is acked");
    assertEquals(send(), last.onDelivery(new Cursor("shop.orders", 1, 6, 1)));
  }

  @Test
  void aCursorBeforeEverythingDeliveredHoldsNothingBackAndAcksNothing() {
    LastEventId last = LastEventId.of(new Cursor("shop.orders", 1, 1, 0));
    assertEquals(send(), last.onDelivery(new Cursor("shop.orders", 1, 2, 0)));
  }

  @Test
  void withoutOneEverythingIsSent() {
    assertEquals(send(), LastEventId.none().onDelivery(LAST));
  }
}
