package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON request body with the checks every endpoint needs, each failing with its own code:
 * {@code malformed_json}, {@code duplicate_key}, {@code too_deep}, {@code trailing_json}
 * ({@link StrictJson}), {@code unknown_field}, {@code missing_field}, {@code invalid_field}.
 */
public final class JsonBody {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private final ObjectNode node;
  private final String path;

  private JsonBody(ObjectNode node, String path) {
    this.node = node;
    this.path = path;
  }

  public static JsonBody parse(StrictJson json, byte[] bytes, Set<String> allowedFields) {
    JsonNode root = read(json, bytes);
    if (!root.isObject()) {
      throw new Refusal("malformed_json", "the body must be a JSON object");
    }
    return of((ObjectNode) root, "", allowedFields);
  }

  /** The body as one JSON value by {@code json}'s rules; a refusal is a 400 with the rule's code. */
  static JsonNode read(StrictJson json, byte[] bytes) {
    try {
      return json.read(bytes);
    } catch (StrictJsonException e) {
      throw new Refusal(e.code(), "the body: " + e.getMessage());
    }
  }

  /** {@code allowedFields} null: any field, for objects whose shape another parser checks. */
  public static JsonBody of(ObjectNode node, String path, Set<String> allowedFields) {
    Iterator<String> names = node.fieldNames();
    while (allowedFields != null && names.hasNext()) {
      String name = names.next();
      if (!allowedFields.contains(name)) {
        throw new Refusal("unknown_field", "unknown field \"" + path + name + "\"; expected one of "
            + String.join(", ", allowedFields.stream().sorted().toList()));
      }
    }
    return new JsonBody(node, path);
  }

  public String requiredString(String field) {
    return optionalString(field).orElseThrow(() -> missing(field));
  }

  public Optional<String> optionalString(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw invalid(field, "must be a string, was " + kind(value));
    }
    return Optional.of(value.textValue());
  }

  public long requiredLong(String field) {
    return optionalLong(field).orElseThrow(() -> missing(field));
  }

  public Optional<Long> optionalLong(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw invalid(field, "must be an integer, was " + kind(value));
    }
    return Optional.of(value.longValue());
  }

  /** A decimal given as a string (money is never a JSON number, so nothing is lost to floating point). */
  public Optional<String> optionalDecimal(String field) {
    JsonNode value = node.get(field);
    if (value != null && value.isNumber()) {
      throw invalid(field, "must be a decimal string such as \"0.70\", not a JSON number");
    }
    return optionalString(field);
  }

  public List<String> stringList(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw missing(field);
    }
    if (!value.isArray()) {
      throw invalid(field, "must be an array of strings, was " + kind(value));
    }
    List<String> items = new ArrayList<>(value.size());
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw invalid(field, "must be an array of strings; found " + kind(item));
      }
      items.add(item.textValue());
    }
    return items;
  }

  public Optional<JsonBody> optionalObject(String field, Set<String> allowedFields) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw invalid(field, "must be an object, was " + kind(value));
    }
    return Optional.of(of((ObjectNode) value, path + field + ".", allowedFields));
  }

  public JsonBody requiredObject(String field, Set<String> allowedFields) {
    return optionalObject(field, allowedFields).orElseThrow(() -> missing(field));
  }

  public List<JsonBody> objectList(String field, Set<String> allowedFields) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw value == null ? missing(field) : invalid(field, "must be an array, was " + kind(value));
    }
    List<JsonBody> items = new ArrayList<>();
    int index = 0;
    for (JsonNode item : value) {
      if (!item.isObject()) {
        throw invalid(field + "[" + index + "]", "must be an object, was " + kind(item));
      }
      items.add(of((ObjectNode) item, path + field + "[" + index + "].", allowedFields));
      index++;
    }
    return items;
  }

  public ObjectNode json() {
    return node;
  }

  public boolean has(String field) {
    JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  public Refusal invalid(String field, String problem) {
    return new Refusal("invalid_field", "\"" + path + field + "\" " + problem);
  }

  private Refusal missing(String field) {
    return new Refusal("missing_field", "\"" + path + field + "\" is required");
  }

  private static String kind(JsonNode value) {
    return value.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
