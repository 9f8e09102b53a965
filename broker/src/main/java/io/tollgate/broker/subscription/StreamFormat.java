package io.tollgate.broker.subscription;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.DeliveryBatch;
import io.tollgate.protocols.v1.StreamClientFrame;
import io.tollgate.protocols.v1.StreamNotice;
import io.tollgate.protocols.v1.StreamServerFrame;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.util.ByteString;

/**
 * The two encodings of stream frames: JSON text frames (the default) and Protobuf binary
 * frames for clients that ask for the {@value #PROTOBUF_SUBPROTOCOL} subprotocol.
 */
public sealed interface StreamFormat extends StreamSession.Frames<Message> {
  String JSON_SUBPROTOCOL = "tollgate.v1.json";
  String PROTOBUF_SUBPROTOCOL = "tollgate.v1.protobuf";

  /** The cursor a client frame acks; a {@link FrameException} for anything else. */
  String ackedCursor(Message strictMessage);

  final class FrameException extends RuntimeException {
    private final String code;

    FrameException(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  static StreamFormat forSubprotocol(String subprotocol) {
    return PROTOBUF_SUBPROTOCOL.equals(subprotocol) ? new Protobuf() : new Json();
  }

  final class Json implements StreamFormat {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    /** A consumer's frames are acks, one level deep; anything much deeper is not one. */
    private static final StrictJson FRAMES = new StrictJson(8);

    @Override
    public Message deliveries(List<Delivery> deliveries) {
      StringWriter text = new StringWriter(512 * deliveries.size());
      try (JsonGenerator out = FACTORY.createGenerator(text)) {
        if (deliveries.size() == 1) {
          writeDelivery(deliveries.get(0), "event", out);
        } else {
          out.writeStartObject();
          out.writeStringField("type", "batch");
          out.writeArrayFieldStart("events");
          for (Delivery delivery : deliveries) {
            writeDelivery(delivery, null, out);
          }
          out.writeEndArray();
          out.writeEndObject();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return TextMessage.create(text.toString());
    }

    private static void writeDelivery(Delivery delivery, String type, JsonGenerator out) throws IOException {
      out.writeStartObject();
      if (type != null) {
        out.writeStringField("type", type);
      }
      out.writeStringField("cursor", delivery.cursor().encode());
      out.writeStringField("topic", delivery.cursor().topic());
      out.writeNumberField("partition", delivery.cursor().partition());
      out.writeNumberField("offset", delivery.offset());
      out.writeFieldName("event");
      CloudEventJson.write(delivery.event(), out);
      out.writeEndObject();
    }

    private static void writeEnvelope(Delivery delivery, JsonGenerator out) throws IOException {
      CloudEvent event = delivery.event();
      int dataBytes = event.getBinaryData().size() + event.getTextData().getBytes(StandardCharsets.UTF_8).length
          + event.getJsonData().getBytes(StandardCharsets.UTF_8).length;
      out.writeStartObject();
      out.writeStringField("cursor", delivery.cursor().encode());
      out.writeStringField("topic", delivery.cursor().topic());
      out.writeNumberField("partition", delivery.cursor().partition());
      out.writeNumberField("offset", delivery.offset());
      out.writeFieldName("event");
      CloudEventJson.write(event.toBuilder().clearData().build(), out);
      out.writeNumberField("data_bytes", dataBytes);
      out.writeEndObject();
    }

    @Override
    public Message notice(String type, String code, String message) {
      return TextMessage.create(noticeJson(type, code, message));
    }

    static String noticeJson(String type, String code, String message) {
      return MAPPER.createObjectNode().put("type", type).put("code", code).put("message", message).toString();
    }

    /**
     * A subscription's preview: {@code {"subscription", "data": [...]}}, each event as a batch frame
     * holds it. Without {@code withData} each event's data is left out and its size given as
     * {@code data_bytes}: what flows is shown, what the plan sells is not given away unbilled.
     */
    public static String previewJson(String subscriptionId, List<Delivery> deliveries, boolean withData) {
      StringWriter text = new StringWriter(512 * (deliveries.size() + 1));
      try (JsonGenerator out = FACTORY.createGenerator(text)) {
        out.writeStartObject();
        out.writeStringField("subscription", subscriptionId);
        out.writeArrayFieldStart("data");
        for (Delivery delivery : deliveries) {
          if (withData) {
            writeDelivery(delivery, null, out);
          } else {
            writeEnvelope(delivery, out);
          }
        }
        out.writeEndArray();
        out.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return text.toString();
    }

    /** The JSON of one delivery, as an {@code event} frame carries it. */
    static String deliveryJson(Delivery delivery) {
      StringWriter text = new StringWriter(512);
      try (JsonGenerator out = FACTORY.createGenerator(text)) {
        writeDelivery(delivery, "event", out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return text.toString();
    }

    @Override
    public String ackedCursor(Message strictMessage) {
      if (!strictMessage.isText()) {
        throw new FrameException("unsupported_frame", "this stream takes JSON text frames; binary frames need the "
            + PROTOBUF_SUBPROTOCOL + " subprotocol");
      }
      JsonNode frame;
      try {
        frame = FRAMES.read(strictMessage.asTextMessage().getStrictText());
      } catch (StrictJsonException e) {
        throw new FrameException(e.code(), "the frame: " + e.getMessage());
      }
      if (!frame.isObject()) {
        throw new FrameException("malformed_frame", "a frame is a JSON object with a \"type\"");
      }
      JsonNode type = frame.get("type");
      if (type == null || !"ack".equals(type.asText())) {
        throw new FrameException("unknown_frame_type", "the only frame a consumer sends is {\"type\":\"ack\",\"cursor\":...}");
      }
      JsonNode cursor = frame.get("cursor");
      if (cursor == null || !cursor.isTextual()) {
        throw new FrameException("malformed_frame", "an ack needs a \"cursor\" string");
      }
      return cursor.textValue();
    }
  }

  final class Protobuf implements StreamFormat {
    @Override
    public Message deliveries(List<Delivery> deliveries) {
      StreamServerFrame.Builder frame = StreamServerFrame.newBuilder();
      if (deliveries.size() == 1) {
        frame.setEvent(toProto(deliveries.get(0)));
      } else {
        DeliveryBatch.Builder batch = DeliveryBatch.newBuilder();
        deliveries.forEach(delivery -> batch.addEvents(toProto(delivery)));
        frame.setBatch(batch);
      }
      return BinaryMessage.create(ByteString.fromArrayUnsafe(frame.build().toByteArray()));
    }

    private static io.tollgate.protocols.v1.Delivery toProto(Delivery delivery) {
      return io.tollgate.protocols.v1.Delivery.newBuilder()
          .setCursor(delivery.cursor().encode())
          .setTopic(delivery.cursor().topic())
          .setPartition(delivery.cursor().partition())
          .setOffset(delivery.offset())
          .setEvent(delivery.event())
          .build();
    }

    @Override
    public Message notice(String type, String code, String message) {
      return BinaryMessage.create(ByteString.fromArrayUnsafe(StreamServerFrame.newBuilder()
          .setNotice(StreamNotice.newBuilder().setType(type).setCode(code).setMessage(message))
          .build().toByteArray()));
    }

    @Override
    public String ackedCursor(Message strictMessage) {
      if (strictMessage.isText()) {
        throw new FrameException("unsupported_frame", "the " + PROTOBUF_SUBPROTOCOL + " subprotocol takes binary frames");
      }
      try {
        StreamClientFrame frame = StreamClientFrame.parseFrom(
            strictMessage.asBinaryMessage().getStrictData().toArrayUnsafe());
        if (!frame.hasAck()) {
          throw new FrameException("unknown_frame_type", "the only frame a consumer sends is an ack");
        }
        return frame.getAck().getCursor();
      } catch (InvalidProtocolBufferException e) {
        throw new FrameException("malformed_frame", "the frame is not a StreamClientFrame");
      }
    }
  }
}
