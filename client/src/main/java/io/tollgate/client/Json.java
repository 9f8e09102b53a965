package io.tollgate.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The one ObjectMapper of the client, and the JSON shapes shared by the HTTP and WebSocket code. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static byte[] eventBytes(CloudEvent event) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator out = MAPPER.getFactory().createGenerator(bytes)) {
      CloudEventJson.write(event, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] batchBytes(List<CloudEvent> events) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * events.size() + 2);
    try (JsonGenerator out = MAPPER.getFactory().createGenerator(bytes)) {
      out.writeStartArray();
      for (CloudEvent event : events) {
        CloudEventJson.write(event, out);
      }
      out.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads the broker's {@code {"accepted": N, "positions": [...]}} reply. */
  static PublishResult publishResult(JsonNode reply) {
    JsonNode positions = reply.path("positions");
    List<Position> result = new ArrayList<>(positions.size());
    for (JsonNode position : positions) {
      result.add(new Position(
          position.path("partition").asInt(),
          position.path("offset").asLong(),
          position.path("cursor").asText(),
          position.path("duplicate").asBoolean()));
    }
    return new PublishResult(reply.path("accepted").asInt(result.size()), result);
  }
}
