package io.tollgate.broker.subscription;

import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Stream frames as server-sent events: each delivery is an {@code event} event whose {@code id}
 * is its cursor and whose data is the JSON a WebSocket JSON stream sends for it; a notice is an
 * event named by its type ({@code error}, {@code quota}, {@code plan}) with the notice's JSON.
 */
final class EventStreamFormat implements StreamSession.Frames<ByteString> {
  /** A delivery as its {@code event} event, made once per delivery and rendering for every event stream. */
  static final Delivery.Rendering<ByteString> EVENT = delivery -> ByteString.fromString(
      ServerSentEvents.event("event", delivery.cursor().encode(), StreamFormat.Json.deliveryJson(delivery)));

  @Override
  public ByteString deliveries(List<Delivery> deliveries) {
    ByteString events = ByteString.emptyByteString();
    for (Delivery delivery : deliveries) {
      events = events.concat(delivery.rendered(EVENT));
    }
    return events;
  }

  @Override
  public ByteString notice(String type, String code, String message) {
    return ByteString.fromString(ServerSentEvents.event(type, null, StreamFormat.Json.noticeJson(type, code, message)));
  }

  ByteString keepAlive() {
    return ByteString.fromString(ServerSentEvents.comment("keep-alive"));
  }
}
