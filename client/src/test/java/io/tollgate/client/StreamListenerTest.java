package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.protocols.CloudEventJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The subscriber's stream protocol, driven through a recording socket; FramesRightAfterTheHandshakeTest drives it over a real one. */
class StreamListenerTest {
  private final RecordingSocket socket = new RecordingSocket();
  private final List<Delivery> delivered = new ArrayList<>();
  private final List<Subscriber.Notice> notices = new ArrayList<>();

  @Test
  void deliversAnEventAndAcksItsCursor() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onText(event("t", 0, 12).toString());

    assertEquals(1, delivered.size());
    Delivery delivery = delivered.get(0);
    assertEquals(new Delivery("t:0:12", "t", 0, 12, delivery.event()), delivery);
    assertEquals("e-t-0-12", delivery.event().getId());
    assertEquals(List.of(ack("t:0:12")), socket.sent);
  }

  @Test
  void acksOnlyTheLastCursorOfEachPartitionOfABatch() throws Exception {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onText(batch(event("a", 0, 1), event("a", 1, 1), event("a", 0, 2), event("b", 0, 5),
        event("a", 1, 2), event("a", 0, 3)).toString());

    assertEquals(List.of("a:0:1", "a:1:1", "a:0:2", "b:0:5", "a:1:2", "a:0:3"),
        delivered.stream().map(Delivery::cursor).toList());
    assertEquals(List.of(ack("a:0:3"), ack("a:1:2"), ack("b:0:5")), socket.sent);
  }

  @Test
  void anEventWhoseHandlerThrowsIsNotAckedAndEndsTheStream() {
    IllegalStateException boom = new IllegalStateException("boom");
    StreamListener listener = open(delivery -> {
      if (delivery.offset() == 2) {
        throw boom;
      }
      delivered.add(delivery);
    }, Long.MAX_VALUE);
    listener.onText(batch(event("a", 0, 1), event("a", 0, 2), event("a", 0, 3)).toString());

    assertEquals(1, delivered.size());
    assertEquals(List.of(ack("a:0:1")), socket.sent);
    assertEquals(List.of(1011), socket.closeStatuses);
    ExecutionException e = assertThrows(ExecutionException.class, () -> listener.closed().get(5, TimeUnit.SECONDS));
    assertSame(boom, e.getCause());

    listener.onText(event("a", 0, 4).toString());
    assertEquals(1, delivered.size(), "nothing is delivered once the stream is closing");
  }

  @Test
  void stopsAfterMaxEventsAndAcksOnlyThose() throws Exception {
    StreamListener listener = open(delivered::add, 2);
    listener.onText(batch(event("a", 0, 1), event("a", 1, 1), event("a", 0, 2)).toString());

    assertEquals(2, delivered.size());
    assertEquals(List.of(ack("a:0:1"), ack("a:1:1")), socket.sent);
    assertEquals(List.of(StreamListener.NORMAL_CLOSURE_STATUS), socket.closeStatuses);
    listener.onClose(StreamListener.NORMAL_CLOSURE_STATUS, "");
    listener.closed().get(5, TimeUnit.SECONDS);
  }

  @Test
  void closeFromInsideTheHandlerAcksWhatWasDeliveredFirst() throws Exception {
    StreamListener[] self = new StreamListener[1];
    self[0] = open(delivery -> {
      delivered.add(delivery);
      assertTrue(self[0].requestClose(), "inside the handler the caller must not wait");
    }, Long.MAX_VALUE);
    self[0].onText(batch(event("a", 0, 1), event("a", 0, 2)).toString());

    assertEquals(1, delivered.size());
    assertEquals(List.of(ack("a:0:1")), socket.sent);
    assertEquals(List.of(StreamListener.NORMAL_CLOSURE_STATUS), socket.closeStatuses);
  }

  @Test
  void closeFromOutsideSendsACloseFrame() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    assertFalse(listener.requestClose());
    assertEquals(List.of(StreamListener.NORMAL_CLOSURE_STATUS), socket.closeStatuses);
    listener.onClose(1001, "going away");
    assertTrue(listener.closed().isDone() && !listener.closed().isCompletedExceptionally(),
        "the close we asked for is a normal end whatever status the broker answers with");
  }

  @Test
  void anErrorNoticeIsWhyTheStreamEnded() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onText("{\"type\":\"error\",\"code\":\"quota_exceeded\",\"message\":\"the period's quota is used up\"}");
    listener.onClose(StreamListener.NORMAL_CLOSURE_STATUS, "");

    assertEquals("quota_exceeded", notices.get(0).code());
    assertEquals("error", notices.get(0).type());
    ExecutionException e = assertThrows(ExecutionException.class, () -> listener.closed().get(5, TimeUnit.SECONDS));
    TollgateException error = assertInstanceOf(TollgateException.class, e.getCause());
    assertEquals("quota_exceeded", error.code());
    assertEquals("the period's quota is used up", error.detail());
  }

  @Test
  void otherNoticesDoNotEndTheStream() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onText("{\"type\":\"quota\",\"remaining\":10}");
    listener.onText(event("a", 0, 1).toString());

    assertEquals(10, notices.get(0).frame().path("remaining").asInt());
    assertEquals(1, delivered.size());
    assertFalse(listener.closed().isDone());
  }

  @Test
  void anAbnormalCloseByTheBrokerFailsTheStream() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onClose(1011, "internal error");
    ExecutionException e = assertThrows(ExecutionException.class, () -> listener.closed().get(5, TimeUnit.SECONDS));
    assertEquals(TollgateException.CONNECTION_CLOSED, assertInstanceOf(TollgateException.class, e.getCause()).code());
  }

  @Test
  void aFrameThatIsNotJsonIsAProtocolError() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onText("{not json");
    assertEquals(List.of(1002), socket.closeStatuses);
    ExecutionException e = assertThrows(ExecutionException.class, () -> listener.closed().get(5, TimeUnit.SECONDS));
    assertEquals(TollgateException.PROTOCOL_ERROR, assertInstanceOf(TollgateException.class, e.getCause()).code());
  }

  @Test
  void aBinaryFrameIsAProtocolError() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    listener.onBinary();
    assertEquals(List.of(1003), socket.closeStatuses);
    ExecutionException e = assertThrows(ExecutionException.class, () -> listener.closed().get(5, TimeUnit.SECONDS));
    assertEquals(TollgateException.PROTOCOL_ERROR, assertInstanceOf(TollgateException.class, e.getCause()).code());
  }

  @Test
  void anEventWithoutACursorIsAProtocolError() {
    StreamListener listener = open(delivered::add, Long.MAX_VALUE);
    ObjectNode frame = event("a", 0, 1);
    frame.remove("cursor");
    listener.onText(frame.toString());
    assertTrue(delivered.isEmpty());
    assertEquals(List.of(1002), socket.closeStatuses);
  }

  @Test
  void theStreamUrlFollowsTheBaseUrl() {
    assertEquals("ws://127.0.0.1:8080/v1/subscriptions/sub_1/stream",
        Subscriber.streamUri(java.net.URI.create("http://127.0.0.1:8080"), "sub_1").toString());
    assertEquals("wss://broker.example/base/v1/subscriptions/sub_1/stream",
        Subscriber.streamUri(java.net.URI.create("https://broker.example/base/"), "sub_1").toString());
  }

  private StreamListener open(Subscriber.Handler handler, long maxEvents) {
    StreamListener listener = new StreamListener(handler, notices::add, maxEvents);
    listener.onOpen(socket);
    return listener;
  }

  private static ObjectNode event(String topic, int partition, long offset) {
    ObjectNode frame = Json.object()
        .put("type", "event")
        .put("cursor", topic + ":" + partition + ":" + offset)
        .put("topic", topic)
        .put("partition", partition)
        .put("offset", offset);
    try {
      frame.set("event", Json.MAPPER.readTree(CloudEventJson.toJson(TestEvents.event("e-" + topic + "-" + partition + "-" + offset))));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return frame;
  }

  private static ObjectNode batch(ObjectNode... events) {
    ObjectNode batch = Json.object().put("type", "batch");
    ArrayNode array = batch.putArray("events");
    for (ObjectNode event : events) {
      event.remove("type");
      array.add(event);
    }
    return batch;
  }

  private static String ack(String cursor) {
    return "{\"type\":\"ack\",\"cursor\":\"" + cursor + "\"}";
  }
}
