package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.redaction.Redaction;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.DeliveryBatch;
import io.tollgate.protocols.v1.StreamServerFrame;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deliveries are redacted and rendered once, for every stream that sends them, into the frames each format defines. */
class RenderedDeliveriesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Delivery delivery(long sequence, String data) {
    CloudEvent event = CloudEvent.newBuilder().setId("e" + sequence).setSource("/shop").setSpecVersion("1.0")
        .setType("order").setJsonData(data).build();
    return new Delivery(new Cursor("t.a", 2, sequence, 0), 40 + sequence, event);
  }

  private static Redaction masking(String pointer) {
    return Redaction.parse(List.of(RedactionRule.newBuilder().setPointer(pointer).setAction("mask").build()));
  }

  private static io.tollgate.protocols.v1.Delivery proto(Delivery delivery) {
    return io.tollgate.protocols.v1.Delivery.newBuilder().setCursor(delivery.cursor().encode()).setTopic("t.a")
        .setPartition(2).setOffset(delivery.offset()).setEvent(delivery.event()).build();
  }

  private static JsonNode json(WireMessage message) throws Exception {
    return MAPPER.readTree(message.asText());
  }

  @Test
  void aJsonEventFrameAndBatchFrameCarryEachDeliveryWhole() throws Exception {
    Delivery one = delivery(1, "{\"card\":\"4111\"}");
    Delivery two = delivery(2, "{\"card\":\"5500\"}");
    JsonNode event = json(new StreamFormat.Json().deliveries(List.of(one)));
    assertEquals("event", event.get("type").asText());
    assertEquals(one.cursor().encode(), event.get("cursor").asText());
    assertEquals("t.a", event.get("topic").asText());
    assertEquals(2, event.get("partition").asInt());
    assertEquals(41, event.get("offset").asLong());
    assertEquals("e1", event.get("event").get("id").asText());
    assertEquals("4111", event.get("event").get("data").get("card").asText());

    JsonNode batch = json(new StreamFormat.Json().deliveries(List.of(one, two)));
    assertEquals("batch", batch.get("type").asText());
    assertEquals(2, batch.get("events").size());
    assertFalse(batch.get("events").get(0).has("type"));
    assertEquals(one.cursor().encode(), batch.get("events").get(0).get("cursor").asText());
    assertEquals("e2", batch.get("events").get(1).get("event").get("id").asText());
  }

  @Test
  void protobufFramesAreTheOnesTheMessagesWouldBuild() throws Exception {
    Delivery one = delivery(1, "{\"n\":1}");
    Delivery two = delivery(2, "{\"n\":2}");
    StreamServerFrame single = StreamServerFrame.parseFrom(
        new StreamFormat.Protobuf().deliveries(List.of(one)).payload().toArray());
    assertEquals(StreamServerFrame.newBuilder().setEvent(proto(one)).build(), single);
    StreamServerFrame batch = StreamServerFrame.parseFrom(
        new StreamFormat.Protobuf().deliveries(List.of(one, two)).payload().toArray());
    assertEquals(StreamServerFrame.newBuilder()
        .setBatch(DeliveryBatch.newBuilder().addEvents(proto(one)).addEvents(proto(two))).build(), batch);
  }

  @Test
  void aDeliveryIsRenderedOnceForEveryStreamOfAFormat() {
    Delivery one = delivery(1, "{\"n\":1}");
    byte[] item = one.rendered(StreamFormat.Json.ITEM_UTF8);
    String first = new StreamFormat.Json().deliveries(List.of(one)).asText();
    String second = new StreamFormat.Json().deliveries(List.of(one, one)).asText();
    assertSame(item, one.rendered(StreamFormat.Json.ITEM_UTF8), "the streams' frames are made of the piece rendered once");
    assertEquals("{\"type\":\"batch\",\"events\":[" + new String(item, java.nio.charset.StandardCharsets.UTF_8) + ","
        + new String(item, java.nio.charset.StandardCharsets.UTF_8) + "]}", second);
    assertSame(new EventStreamFormat().deliveries(List.of(one)), new EventStreamFormat().deliveries(List.of(one)));
    assertEquals(new EventStreamFormat().deliveries(List.of(one)).utf8String(),
        ServerSentEvents.event("event", one.cursor().encode(), first), "an event stream's data is the event frame");
  }

  @Test
  void aDeliveryIsRedactedOnceForEveryPlanWithTheSameRules() {
    Delivery one = delivery(1, "{\"card\":\"4111\",\"n\":1}");
    Delivery redacted = one.redactedBy(masking("/card"));
    assertSame(redacted, one.redactedBy(masking("/card")), "plans with the same rules share the redacted delivery");
    assertEquals("{\"card\":\"***\",\"n\":1}", redacted.event().getJsonData().replace(" ", ""));
    assertNotSame(redacted, one.redactedBy(masking("/n")), "other rules, another delivery");
    assertSame(one, one.redactedBy(Redaction.none()));
    assertSame(one, one.redactedBy(masking("/absent")), "rules that name nothing in it leave the delivery itself");
    assertEquals(one.cursor(), redacted.cursor());
  }
}
