package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.position.Cursor;
import org.junit.jupiter.api.Test;

class LastEventIdTest {
  private final LastEventId last = LastEventId.of(new Cursor("shop.orders", 1, 5, 2));

  @Test
  void eventsOfItsPartitionUpToItWereReceivedAndItIsTheLast() {
    assertEquals(LastEventId.Handling.RECEIVED, last.onDelivery(new Cursor("shop.orders", 1, 4, 9)));
    assertEquals(LastEventId.Handling.RECEIVED, last.onDelivery(new Cursor("shop.orders", 1, 5, 1)));
    assertEquals(LastEventId.Handling.RECEIVED_LAST, last.onDelivery(new Cursor("shop.orders", 1, 5, 2)));
  }

  @Test
  void laterEventsAndOtherPartitionsAreSent() {
    assertEquals(LastEventId.Handling.SEND, last.onDelivery(new Cursor("shop.orders", 1, 5, 3)));
    assertEquals(LastEventId.Handling.SEND, last.onDelivery(new Cursor("shop.orders", 1, 6, 0)));
    assertEquals(LastEventId.Handling.SEND, last.onDelivery(new Cursor("shop.orders", 0, 1, 0)));
    assertEquals(LastEventId.Handling.SEND, last.onDelivery(new Cursor("shop.refunds", 1, 1, 0)));
  }

  @Test
  void withoutOneEverythingIsSent() {
    assertEquals(LastEventId.Handling.SEND, LastEventId.NONE.onDelivery(new Cursor("shop.orders", 1, 1, 0)));
  }
}
