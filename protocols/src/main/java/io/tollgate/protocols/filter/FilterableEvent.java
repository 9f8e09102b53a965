package io.tollgate.protocols.filter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.List;
import java.util.Objects;

/**
 * A {@link CloudEvent} as filters see it: attributes by name and, for JSON data, the data tree,
 * parsed on first use and then kept. {@link EventFilter#matches(CloudEvent)} makes one per call;
 * to test one event against many filters (every subscription of a topic), make one with
 * {@link #of} and pass it to {@link EventFilter#matches(FilterableEvent)} so the data is parsed
 * once for all of them. Safe to share between threads (at worst two threads both parse the data).
 */
public final class FilterableEvent {
  /** Binary data: present (for $exists and $ne) but equal to, and ordered with, no literal. */
  static final JsonNode OPAQUE = BinaryNode.valueOf(new byte[0]);
  /** The data tree when json_data is not valid JSON (which CloudEventJson never lets in). */
  private static final JsonNode UNPARSABLE = new TextNode("<unparsable>"); // compared by identity
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final CloudEvent event;
  private volatile JsonNode data;

  private FilterableEvent(CloudEvent event) {
    this.event = event;
  }

  public static FilterableEvent of(CloudEvent event) {
    return new FilterableEvent(Objects.requireNonNull(event, "event"));
  }

  public CloudEvent event() {
    return event;
  }

  /** The field's value, or null when the event has no such field. */
  JsonNode field(FieldPath path) {
    return path.isData() ? data(path) : attribute(path.attribute());
  }

  private JsonNode attribute(String name) {
    switch (name) {
      case "id":
        return TextNode.valueOf(event.getId());
      case "source":
        return TextNode.valueOf(event.getSource());
      case "type":
        return TextNode.valueOf(event.getType());
      case "specversion":
        return TextNode.valueOf(event.getSpecVersion());
      default:
        AttributeValue value = event.getAttributesOrDefault(name, null);
        if (value == null) {
          return null;
        }
        return switch (value.getAttrCase()) {
          case CE_BOOLEAN -> BooleanNode.valueOf(value.getCeBoolean());
          case CE_INTEGER -> IntNode.valueOf(value.getCeInteger());
          case ATTR_NOT_SET -> null;
          default -> TextNode.valueOf(CloudEventJson.attributeText(value));
        };
    }
  }

  private JsonNode data(FieldPath path) {
    List<String> segments = path.segments();
    switch (event.getDataCase()) {
      case JSON_DATA:
        break;
      case TEXT_DATA:
        return segments.isEmpty() ? TextNode.valueOf(event.getTextData()) : null;
      case BINARY_DATA:
        return segments.isEmpty() ? OPAQUE : null;
      default:
        return null;
    }
    JsonNode node = jsonData();
    if (node == UNPARSABLE) {
      return null;
    }
    int[] indexes = path.indexes();
    for (int i = 0; i < indexes.length && node != null; i++) {
      if (node.isObject()) {
        node = node.get(segments.get(i));
      } else if (node.isArray() && indexes[i] >= 0) {
        node = node.get(indexes[i]);
      } else {
        return null;
      }
    }
    return node;
  }

  private JsonNode jsonData() {
    JsonNode tree = data;
    if (tree == null) {
      try {
        tree = MAPPER.readTree(event.getJsonData());
        if (tree == null || tree.isMissingNode()) {
          tree = UNPARSABLE;
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException | NumberFormatException e) {
        // NumberFormatException: a decimal BigDecimal cannot hold (1E99999999999), which Jackson
        // does not report as a parse error.
        tree = UNPARSABLE;
      }
      data = tree;
    }
    return tree;
  }
}
