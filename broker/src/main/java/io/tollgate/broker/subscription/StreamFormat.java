package io.tollgate.broker.subscription;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.DeliveryBatch;
import io.tollgate.protocols.v1.StreamClientFrame;
import io.tollgate.protocols.v1.StreamNotice;
import io.tollgate.protocols.v1.StreamServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The two encodings of stream frames: JSON text frames (the default) and Protobuf binary
 * frames for clients that ask for the {@value #PROTOBUF_SUBPROTOCOL} subprotocol.
 */
public sealed interface StreamFormat extends StreamSession.Frames<WireMessage> {
  String JSON_SUBPROTOCOL = "tollgate.v1.json";
  String PROTOBUF_SUBPROTOCOL = "tollgate.v1.protobuf";

  /** The cursor a client frame acks; a {@link FrameException} for anything else. */
  String ackedCursor(WireMessage message);

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

    /** A delivery as a batch frame lists it, as text: its JSON object without a {@code type}. */
    static final Delivery.Rendering<String> ITEM = delivery -> new String(delivery.rendered(Json.ITEM_UTF8),
        StandardCharsets.UTF_8);
    /** A delivery as its own {@code event} frame, which is also an event stream's data. */
    static final Delivery.Rendering<String> EVENT_FRAME = delivery -> "{\"type\":\"event\","
        + delivery.rendered(ITEM).substring(1);

    private static final ByteString EVENT_FRAME_HEAD = ByteString.fromString("{\"type\":\"event\",");
    private static final ByteString BATCH_HEAD = ByteString.fromString("{\"type\":\"batch\",\"events\":[");
    private static final ByteString BATCH_COMMA = ByteString.fromString(",");
    private static final ByteString BATCH_TAIL = ByteString.fromString("]}");

    /**
     * The frame joins the UTF-8 pieces each delivery rendered once and every stream shares
     * ({@link #ITEM_UTF8}): nothing is copied or encoded here. An {@code event} frame is the
     * item's bytes after its opening brace, behind the type.
     */
    @Override
    public WireMessage deliveries(List<Delivery> deliveries) {
      if (deliveries.size() == 1) {
        return WireMessage.text(EVENT_FRAME_HEAD.concat(
            ByteString.fromArrayUnsafe(deliveries.get(0).rendered(ITEM_UTF8)).drop(1)));
      }
      ByteString batch = BATCH_HEAD;
      for (int i = 0; i < deliveries.size(); i++) {
        if (i > 0) {
          batch = batch.concat(BATCH_COMMA);
        }
        batch = batch.concat(ByteString.fromArrayUnsafe(deliveries.get(i).rendered(ITEM_UTF8)));
      }
      return WireMessage.text(batch.concat(BATCH_TAIL));
    }

    private static byte[] item(Delivery delivery) {
      ByteArrayOutputStream utf8 = new ByteArrayOutputStream(512);
      try (JsonGenerator out = FACTORY.createGenerator(utf8, JsonEncoding.UTF8)) {
        out.writeStartObject();
        out.writeStringField("cursor", delivery.cursor().encode());
        out.writeStringField("topic", delivery.cursor().topic());
        out.writeNumberField("partition", delivery.cursor().partition());
        out.writeNumberField("offset", delivery.offset());
        out.writeFieldName("event");
        CloudEventJson.write(delivery.event(), out);
        out.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return utf8.toByteArray();
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
    public WireMessage notice(String type, String code, String message) {
      return WireMessage.text(noticeJson(type, code, message));
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
            out.writeRawValue(delivery.rendered(ITEM));
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

    /**
     * A delivery as a batch frame lists it, as UTF-8: what stream frames and webhook bodies are
     * made of, rendered once per delivery however many streams and endpoints it goes to.
     */
    static final Delivery.Rendering<byte[]> ITEM_UTF8 = Json::item;

    /** A delivery as a batch frame lists it, rendered once per delivery; webhook bodies list events the same way. */
    public static String batchItem(Delivery delivery) {
      return delivery.rendered(ITEM);
    }

    /** {@link #batchItem} as UTF-8 bytes, kept with the delivery and shared: never to be changed. */
    public static byte[] batchItemUtf8(Delivery delivery) {
      return delivery.rendered(ITEM_UTF8);
    }

    /** The JSON of one delivery, as an {@code event} frame carries it. */
    static String deliveryJson(Delivery delivery) {
      return delivery.rendered(EVENT_FRAME);
    }

    @Override
    public String ackedCursor(WireMessage message) {
      if (!message.isText()) {
        throw new FrameException("unsupported_frame", "this stream takes JSON text frames; binary frames need the "
            + PROTOBUF_SUBPROTOCOL + " subprotocol");
      }
      JsonNode frame;
      try {
        frame = FRAMES.read(message.asText());
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
    private static final int EVENT_FIELD = StreamServerFrame.EVENT_FIELD_NUMBER;
    private static final int BATCH_FIELD = StreamServerFrame.BATCH_FIELD_NUMBER;
    private static final int BATCH_EVENTS_FIELD = DeliveryBatch.EVENTS_FIELD_NUMBER;
    /** A delivery as a {@code Delivery} message of stream.proto. */
    static final Delivery.Rendering<byte[]> DELIVERY = delivery -> toProto(delivery).toByteArray();
    /** A delivery as its own frame: a {@code StreamServerFrame} whose {@code event} it is. */
    static final Delivery.Rendering<ByteString> EVENT_FRAME = delivery -> {
      byte[] message = delivery.rendered(DELIVERY);
      return frame(CodedOutputStream.computeByteArraySize(EVENT_FIELD, message),
          out -> out.writeByteArray(EVENT_FIELD, message));
    };

    /** The frames Protobuf would build from the messages, written from the pieces each delivery keeps. */
    @Override
    public WireMessage deliveries(List<Delivery> deliveries) {
      if (deliveries.size() == 1) {
        return WireMessage.binary(deliveries.get(0).rendered(EVENT_FRAME));
      }
      int batchSize = 0;
      for (Delivery delivery : deliveries) {
        batchSize += CodedOutputStream.computeByteArraySize(BATCH_EVENTS_FIELD, delivery.rendered(DELIVERY));
      }
      int inner = batchSize;
      int frameSize = CodedOutputStream.computeTagSize(BATCH_FIELD) + CodedOutputStream.computeUInt32SizeNoTag(inner)
          + inner;
      return WireMessage.binary(frame(frameSize, out -> {
        out.writeTag(BATCH_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(inner);
        for (Delivery delivery : deliveries) {
          out.writeByteArray(BATCH_EVENTS_FIELD, delivery.rendered(DELIVERY));
        }
      }));
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

    private interface FrameWriter {
      void write(CodedOutputStream out) throws IOException;
    }

    private static ByteString frame(int size, FrameWriter writer) {
      byte[] bytes = new byte[size];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      try {
        writer.write(out);
        out.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return ByteString.fromArrayUnsafe(bytes);
    }

    @Override
    public WireMessage notice(String type, String code, String message) {
      return WireMessage.binary(ByteString.fromArrayUnsafe(StreamServerFrame.newBuilder()
          .setNotice(StreamNotice.newBuilder().setType(type).setCode(code).setMessage(message))
          .build().toByteArray()));
    }

    @Override
    public String ackedCursor(WireMessage message) {
      if (message.isText()) {
        throw new FrameException("unsupported_frame", "the " + PROTOBUF_SUBPROTOCOL + " subprotocol takes binary frames");
      }
      try {
        StreamClientFrame frame = StreamClientFrame.parseFrom(
            message.payload().toArrayUnsafe());
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
