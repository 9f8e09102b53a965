package io.tollgate.protocols;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CloudEvents 1.0 JSON event format (structured and batch mode) and HTTP binary mode,
 * mapped to and from the Protobuf {@link CloudEvent} that Tollgate stores and sends.
 */
public final class CloudEventJson {
  public static final String SPEC_VERSION = "1.0";
  private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]{1,20}");
  private static final JsonFactory JSON = new JsonFactory();

  private CloudEventJson() {}

  public static CloudEvent parseStructured(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw CloudEventFormatException.invalid("a CloudEvent must be a JSON object");
    }
    CloudEvent.Builder event = CloudEvent.newBuilder();
    String specVersion = requiredString(node, "specversion");
    if (!SPEC_VERSION.equals(specVersion)) {
      throw CloudEventFormatException.invalid("specversion must be \"1.0\", was \"" + specVersion + "\"");
    }
    event.setSpecVersion(specVersion);
    event.setId(requiredString(node, "id"));
    event.setSource(requiredString(node, "source"));
    event.setType(requiredString(node, "type"));
    JsonNode data = null;
    JsonNode dataBase64 = null;
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String name = field.getKey();
      switch (name) {
        case "specversion", "id", "source", "type" -> { }
        case "data" -> data = field.getValue();
        case "data_base64" -> dataBase64 = field.getValue();
        default -> event.putAttributes(name, attributeFromJson(name, field.getValue()));
      }
    }
    if (data != null && dataBase64 != null) {
      throw CloudEventFormatException.invalid("an event has either data or data_base64, not both");
    }
    if (dataBase64 != null && !dataBase64.isNull()) {
      if (!dataBase64.isTextual()) {
        throw CloudEventFormatException.invalid("data_base64 must be a string");
      }
      try {
        event.setBinaryData(ByteString.copyFrom(Base64.getDecoder().decode(dataBase64.textValue())));
      } catch (IllegalArgumentException e) {
        throw CloudEventFormatException.invalid("data_base64 is not valid base64");
      }
    } else if (data != null && !data.isNull()) {
      String contentType = stringAttribute(event, "datacontenttype");
      if (data.isTextual() && contentType != null && !isJson(contentType)) {
        event.setTextData(data.textValue());
      } else {
        event.setJsonData(data.toString());
      }
    }
    return event.build();
  }

  public static List<CloudEvent> parseBatch(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw CloudEventFormatException.invalid("a CloudEvents batch must be a JSON array");
    }
    List<CloudEvent> events = new ArrayList<>(node.size());
    for (JsonNode element : node) {
      events.add(parseStructured(element));
    }
    return events;
  }

  /**
   * HTTP binary mode: attributes arrive as {@code ce-*} headers (names already lower-cased and
   * stripped of the prefix), the body is the data and Content-Type its datacontenttype. A JSON
   * body is read by {@code json}'s rules.
   *
   * @throws StrictJsonException when the Content-Type says JSON and the body breaks {@code json}'s rules
   */
  public static CloudEvent fromBinary(Map<String, String> ceHeaders, String contentType, byte[] body, StrictJson json) {
    CloudEvent.Builder event = CloudEvent.newBuilder();
    String specVersion = ceHeaders.get("specversion");
    if (!SPEC_VERSION.equals(specVersion)) {
      throw CloudEventFormatException.invalid("ce-specversion must be \"1.0\", was " + quoted(specVersion));
    }
    event.setSpecVersion(specVersion);
    event.setId(requiredHeader(ceHeaders, "id"));
    event.setSource(requiredHeader(ceHeaders, "source"));
    event.setType(requiredHeader(ceHeaders, "type"));
    for (Map.Entry<String, String> header : ceHeaders.entrySet()) {
      String name = header.getKey();
      switch (name) {
        case "specversion", "id", "source", "type" -> { }
        default -> event.putAttributes(name, attributeFromString(name, header.getValue()));
      }
    }
    if (contentType != null && !contentType.isEmpty()) {
      event.putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString(contentType).build());
    }
    if (body.length > 0) {
      if (contentType != null && isJson(contentType)) {
        event.setJsonData(json.read(body).toString());
      } else if (contentType != null && contentType.startsWith("text/")) {
        event.setTextData(new String(body, java.nio.charset.StandardCharsets.UTF_8));
      } else {
        event.setBinaryData(ByteString.copyFrom(body));
      }
    }
    return event.build();
  }

  /** Checks an event that arrived as Protobuf carries what CloudEvents 1.0 requires. */
  public static CloudEvent requireValid(CloudEvent event) {
    if (!SPEC_VERSION.equals(event.getSpecVersion())) {
      throw CloudEventFormatException.invalid("spec_version must be \"1.0\", was " + quoted(event.getSpecVersion()));
    }
    if (event.getId().isEmpty() || event.getSource().isEmpty() || event.getType().isEmpty()) {
      throw CloudEventFormatException.invalid("id, source and type are required and must not be empty");
    }
    for (String name : event.getAttributesMap().keySet()) {
      checkAttributeName(name);
    }
    return event;
  }

  /** Writes the event in the structured JSON format. */
  public static void write(CloudEvent event, JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeStringField("specversion", event.getSpecVersion());
    out.writeStringField("id", event.getId());
    out.writeStringField("source", event.getSource());
    out.writeStringField("type", event.getType());
    for (Map.Entry<String, AttributeValue> attribute : event.getAttributesMap().entrySet()) {
      out.writeFieldName(attribute.getKey());
      writeAttribute(attribute.getValue(), out);
    }
    switch (event.getDataCase()) {
      case JSON_DATA -> {
        out.writeFieldName("data");
        out.writeRawValue(event.getJsonData());
      }
      case TEXT_DATA -> out.writeStringField("data", event.getTextData());
      case BINARY_DATA -> out.writeStringField("data_base64",
          Base64.getEncoder().encodeToString(event.getBinaryData().toByteArray()));
      case DATA_NOT_SET -> { }
    }
    out.writeEndObject();
  }

  public static String toJson(CloudEvent event) {
    StringWriter text = new StringWriter();
    try (JsonGenerator out = JSON.createGenerator(text)) {
      write(event, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The attribute as text (the form binary mode puts in a header), or null when absent. */
  public static String stringAttribute(io.tollgate.protocols.v1.CloudEventOrBuilder event, String name) {
    AttributeValue value = event.getAttributesMap().get(name);
    return value == null ? null : attributeText(value);
  }

  public static String attributeText(AttributeValue value) {
    return switch (value.getAttrCase()) {
      case CE_BOOLEAN -> Boolean.toString(value.getCeBoolean());
      case CE_INTEGER -> Integer.toString(value.getCeInteger());
      case CE_STRING -> value.getCeString();
      case CE_BYTES -> Base64.getEncoder().encodeToString(value.getCeBytes().toByteArray());
      case CE_URI -> value.getCeUri();
      case CE_URI_REF -> value.getCeUriRef();
      case CE_TIMESTAMP -> value.getCeTimestamp();
      case ATTR_NOT_SET -> "";
    };
  }

  public static boolean isJson(String contentType) {
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return mediaType.equals("application/json") || mediaType.endsWith("+json") || mediaType.equals("text/json");
  }

  private static void writeAttribute(AttributeValue value, JsonGenerator out) throws IOException {
    switch (value.getAttrCase()) {
      case CE_BOOLEAN -> out.writeBoolean(value.getCeBoolean());
      case CE_INTEGER -> out.writeNumber(value.getCeInteger());
      default -> out.writeString(attributeText(value));
    }
  }

  private static AttributeValue attributeFromJson(String name, JsonNode value) {
    checkAttributeName(name);
    if (value.isTextual()) {
      return attributeFromString(name, value.textValue());
    }
    if (value.isBoolean()) {
      return AttributeValue.newBuilder().setCeBoolean(value.booleanValue()).build();
    }
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      return AttributeValue.newBuilder().setCeInteger(value.intValue()).build();
    }
    throw CloudEventFormatException.invalid(
        "attribute \"" + name + "\" must be a string, a boolean or a 32-bit integer, was " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
  }

  private static AttributeValue attributeFromString(String name, String text) {
    checkAttributeName(name);
    AttributeValue.Builder value = AttributeValue.newBuilder();
    switch (name) {
      case "time" -> {
        try {
          OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
          throw CloudEventFormatException.invalid("attribute \"time\" must be an RFC 3339 timestamp, was " + quoted(text));
        }
        value.setCeTimestamp(text);
      }
      case "dataschema" -> value.setCeUri(text);
      default -> value.setCeString(text);
    }
    return value.build();
  }

  private static void checkAttributeName(String name) {
    if (!ATTRIBUTE_NAME.matcher(name).matches()) {
      throw CloudEventFormatException.invalid(
          "attribute name " + quoted(name) + " must be 1 to 20 lower-case letters or digits");
    }
  }

  private static String requiredString(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw CloudEventFormatException.invalid("attribute \"" + name + "\" is required");
    }
    if (!value.isTextual()) {
      throw CloudEventFormatException.invalid("attribute \"" + name + "\" must be a string");
    }
    if (value.textValue().isEmpty()) {
      throw CloudEventFormatException.invalid("attribute \"" + name + "\" must not be empty");
    }
    return value.textValue();
  }

  private static String requiredHeader(Map<String, String> headers, String name) {
    String value = headers.get(name);
    if (value == null || value.isEmpty()) {
      throw CloudEventFormatException.invalid("header ce-" + name + " is required");
    }
    return value;
  }

  private static String quoted(String text) {
    return text == null ? "nothing" : "\"" + text + "\"";
  }
}
