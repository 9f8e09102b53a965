package io.tollgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.CloudEventFormatException;
import io.tollgate.protocols.CloudEventJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The JSON stream protocol of a {@link Subscriber}: hands each event of a text message to the
 * handler and acks what the handler accepted. Its transport ({@link WebSocketStream}) calls it
 * one message at a time and asks for the next only after it returned, so the handler runs on one
 * thread at a time and the broker's window is what bounds how much arrives unacknowledged.
 */
final class StreamListener {
  static final int NORMAL_CLOSURE_STATUS = 1000;
  private static final int PROTOCOL_ERROR_STATUS = 1002;
  private static final int UNSUPPORTED_DATA_STATUS = 1003;
  private static final int INTERNAL_ERROR_STATUS = 1011;

  private final Subscriber.Handler handler;
  private final Consumer<Subscriber.Notice> notices;
  /** Deliveries left before the subscriber closes by itself. */
  private long remaining;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /**
   * Held while one frame's events are handled and acked, so that a close from another thread
   * goes out after those acks and never between an event and its ack.
   */
  private final Object lock = new Object();
  /** Null until the connection is open. */
  private StreamSocket socket;
  private boolean delivering;
  private boolean closing;
  /** An error notice from the broker: why the stream ends if the broker closes it next. */
  private volatile TollgateException lastError;

  StreamListener(Subscriber.Handler handler, Consumer<Subscriber.Notice> notices, long maxEvents) {
    this.handler = handler;
    this.notices = notices;
    this.remaining = maxEvents;
  }

  CompletableFuture<Void> closed() {
    return closed;
  }

  void onOpen(StreamSocket socket) {
    synchronized (lock) {
      this.socket = socket;
    }
  }

  /** One whole text message (the transport reassembles fragments). */
  void onText(String message) {
    JsonNode frame;
    try {
      frame = Json.MAPPER.readTree(message);
    } catch (IOException e) {
      fail(new TollgateException(TollgateException.PROTOCOL_ERROR, "the broker sent a frame that is not JSON", e),
          PROTOCOL_ERROR_STATUS, "frame is not JSON");
      return;
    }
    String type = frame.path("type").asText("");
    try {
      switch (type) {
        case "event" -> deliver(List.of(delivery(frame)));
        case "batch" -> deliver(deliveries(frame.path("events")));
        default -> notice(frame, type);
      }
    } catch (TollgateException | CloudEventFormatException e) {
      fail(new TollgateException(TollgateException.PROTOCOL_ERROR, "the broker sent an invalid " + type + " frame: " + e.getMessage(), e),
          PROTOCOL_ERROR_STATUS, "invalid frame");
    }
  }

  void onBinary() {
    fail(new TollgateException(TollgateException.PROTOCOL_ERROR, "the broker sent a binary frame on a JSON stream"),
        UNSUPPORTED_DATA_STATUS, "binary frames are not expected");
  }

  void onClose(int statusCode, String reason) {
    boolean asked;
    synchronized (lock) {
      asked = closing;
      closing = true;
    }
    TollgateException error = lastError;
    if (error != null) {
      closed.completeExceptionally(error);
    } else if (asked || statusCode == NORMAL_CLOSURE_STATUS) {
      closed.complete(null);
    } else {
      closed.completeExceptionally(new TollgateException(TollgateException.CONNECTION_CLOSED,
          "the broker closed the stream with status " + statusCode + (reason == null || reason.isEmpty() ? "" : ": " + reason)));
    }
  }

  void onError(Throwable error) {
    closed.completeExceptionally(new TollgateException(TollgateException.CONNECTION_CLOSED,
        "the stream failed: " + HttpSupport.describe(error), error));
  }

  /**
   * Stops delivering and closes the stream after the acks of what was delivered. Returns true
   * when called from inside the handler: the close then happens once the handler returns, so
   * the caller must not wait for it.
   */
  boolean requestClose() {
    synchronized (lock) {
      if (!closing) {
        closing = true;
        if (!delivering && socket != null) {
          socket.sendClose(NORMAL_CLOSURE_STATUS, "");
        }
      }
      return delivering;
    }
  }

  private void deliver(List<Delivery> deliveries) {
    synchronized (lock) {
      if (closing) {
        // Unacknowledged, so the broker delivers these again on the next connection.
        return;
      }
      lastError = null;
      // One ack per partition acknowledges everything before it in that partition too.
      Map<PartitionKey, String> acks = new LinkedHashMap<>();
      Exception failure = null;
      delivering = true;
      try {
        for (Delivery delivery : deliveries) {
          try {
            handler.onDelivery(delivery);
          } catch (Exception e) {
            failure = e;
            break;
          }
          acks.put(new PartitionKey(delivery.topic(), delivery.partition()), delivery.cursor());
          if (--remaining == 0) {
            closing = true;
          }
          if (closing) {
            break;
          }
        }
      } finally {
        delivering = false;
      }
      for (String cursor : acks.values()) {
        send(ack(cursor));
      }
      // closing can only have become true here through maxEvents or requestClose() from the
      // handler, both of which leave sending the close frame to us.
      if (failure != null) {
        closed.completeExceptionally(failure);
        closing = true;
        socket.sendClose(INTERNAL_ERROR_STATUS, "the subscriber's handler failed");
      } else if (closing) {
        socket.sendClose(NORMAL_CLOSURE_STATUS, "");
      }
    }
  }

  private void notice(JsonNode frame, String type) {
    Subscriber.Notice notice = new Subscriber.Notice(type, frame.path("code").asText(""), frame.path("message").asText(""), frame);
    if (type.equals("error")) {
      lastError = new TollgateException(notice.code(), notice.message());
    }
    try {
      notices.accept(notice);
    } catch (RuntimeException e) {
      fail(e, INTERNAL_ERROR_STATUS, "the subscriber's notice handler failed");
    }
  }

  private void fail(Throwable cause, int status, String reason) {
    synchronized (lock) {
      closed.completeExceptionally(cause);
      if (!closing) {
        closing = true;
        if (socket != null) {
          socket.sendClose(status, reason);
        }
      }
    }
  }

  private void send(String text) {
    socket.sendText(text).whenComplete((sent, error) -> {
      if (error != null) {
        closed.completeExceptionally(new TollgateException(TollgateException.CONNECTION_CLOSED,
            "sending an ack failed: " + HttpSupport.describe(error), error));
      }
    });
  }

  private static String ack(String cursor) {
    return Json.object().put("type", "ack").put("cursor", cursor).toString();
  }

  private static List<Delivery> deliveries(JsonNode events) {
    if (!events.isArray()) {
      throw new TollgateException(TollgateException.PROTOCOL_ERROR, "\"events\" must be an array");
    }
    List<Delivery> deliveries = new ArrayList<>(events.size());
    for (JsonNode event : events) {
      deliveries.add(delivery(event));
    }
    return deliveries;
  }

  static Delivery delivery(JsonNode node) {
    JsonNode partition = node.path("partition");
    JsonNode offset = node.path("offset");
    if (!partition.canConvertToInt() || !offset.isIntegralNumber()) {
      throw new TollgateException(TollgateException.PROTOCOL_ERROR, "partition and offset must be integers");
    }
    return new Delivery(text(node, "cursor"), text(node, "topic"), partition.intValue(), offset.longValue(),
        CloudEventJson.parseStructured(node.get("event")));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!value.isTextual()) {
      throw new TollgateException(TollgateException.PROTOCOL_ERROR, "\"" + field + "\" must be a string");
    }
    return value.textValue();
  }

  private record PartitionKey(String topic, int partition) {}
}
