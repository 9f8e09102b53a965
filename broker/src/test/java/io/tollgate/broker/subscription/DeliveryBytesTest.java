package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.redaction.Redaction;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The bytes a delivery is billed for: its data as the consumer receives it, whatever the wire form. */
class DeliveryBytesTest {
  private static final Cursor CURSOR = new Cursor("shop.orders", 0, 1, 0);

  private static Delivery delivery(CloudEvent.Builder event) {
    return new Delivery(CURSOR, 0, event.setId("e1").setSource("/shop").setType("order.created")
        .setSpecVersion("1.0").build());
  }

  @Test
  void textAndJsonDataCountTheirUtf8BytesAndBinaryDataItsBytes() {
    assertEquals(5, delivery(CloudEvent.newBuilder().setTextData("héllo".substring(0, 4))).billedBytes(), "é is two bytes");
    assertEquals(12, delivery(CloudEvent.newBuilder().setJsonData("{\"n\":\"€1\"}")).billedBytes());
    assertEquals(3, delivery(CloudEvent.newBuilder().setBinaryData(ByteString.copyFrom(new byte[] {1, 2, 3}))).billedBytes());
    assertEquals(0, delivery(CloudEvent.newBuilder()).billedBytes(), "an event without data bills no bytes");
  }

  @Property
  void theMeasuredLengthOfAnyTextIsItsUtf8Encoding(@ForAll @StringLength(max = 64) String text) {
    String valid = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    assertEquals(valid.getBytes(StandardCharsets.UTF_8).length, Delivery.utf8Length(valid));
  }

  @Test
  void aSurrogatePairIsFourBytesAndACharAbove0x800Three() {
    CloudEvent event = CloudEvent.newBuilder().setTextData("a\uD83D\uDE00\u0800").build();
    assertEquals(1 + 4 + 3, Delivery.billedBytes(event));
    assertEquals(1 + 4 + 3, new Delivery(CURSOR, 0, event).billedBytes());
  }

  @Test
  void aRedactedDeliveryIsBilledForTheDataTheConsumerSees() {
    Delivery published = delivery(CloudEvent.newBuilder().setJsonData("{\"id\":7,\"card\":\"4111111111111111\"}"));
    Delivery seen = published.redactedBy(Redaction.parse(List.of(
        RedactionRule.newBuilder().setPointer("/card").setAction("remove").build())));

    assertEquals(seen.event().getJsonDataBytes().size(), seen.billedBytes());
    assertTrue(seen.billedBytes() < published.billedBytes(), seen.event().getJsonData());
  }

  @Test
  void anAckCarriesTheBytesOfEveryEventItCovers() {
    DeliveryTracker tracker = new DeliveryTracker();
    for (int sequence = 1; sequence <= 3; sequence++) {
      tracker.delivered(new Delivery(new Cursor("shop.orders", 0, sequence, 0), sequence - 1,
          CloudEvent.newBuilder().setId("e" + sequence).setTextData("x".repeat(10 * sequence)).build()));
    }
    DeliveryTracker.Ack ack = tracker.ack(new Cursor("shop.orders", 0, 2, 0));
    assertEquals(2, ack.delivered());
    assertEquals(30, ack.bytes());
    assertEquals(30, tracker.ack(new Cursor("shop.orders", 0, 3, 0)).bytes(), "an ack counts only what no earlier ack did");
  }
}
