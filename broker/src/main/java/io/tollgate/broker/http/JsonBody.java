package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.FieldLengths;
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
 * ({@link StrictJson}), {@code unknown_field}, {@code missing_field}, {@code invalid_field}, and
 * {@code field_too_long}: every string read from it is bounded by its kind's limit ({@link FieldLengths}),
 * {@link FieldLengths.Kind#TEXT} unless the caller says what the string is.
 */
public final class JsonBody {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private final ObjectNode node;
  private final String path;
  private final FieldLengths lengths;

  private JsonBody(ObjectNode node, String path, FieldLengths lengths) {
    this.node = node;
    this.path = path;
    this.lengths = lengths;
  }

  public static JsonBody parse(RequestRules rules, byte[] bytes, Set<String> allowedFields) {
    if (bytes.length > rules.maxBytes()) {
      throw new Refusal("request_too_large", "the body is " + bytes.length + " bytes; a management request is at most "
          + rules.maxBytes() + " (tollgate.limits.max-request-bytes)");
    }
    JsonNode root = read(rules.json(), bytes);
    if (!root.isObject()) {
      throw new Refusal("malformed_json", "the body must be a JSON object");
    }
    return of((ObjectNode) root, "", allowedFields, rules.lengths());
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
  private static JsonBody of(ObjectNode node, String path, Set<String> allowedFields, FieldLengths lengths) {
    Iterator<String> names = node.fieldNames();
    while (allowedFields != null && names.hasNext()) {
      String name = names.next();
      if (!allowedFields.contains(name)) {
        throw new Refusal("unknown_field", "unknown field \"" + path + name + "\"; expected one of "
            + String.join(", ", allowedFields.stream().sorted().toList()));
      }
    }
    return new JsonBody(node, path, lengths);
  }

  public String requiredString(String field) {
    return requiredString(field, FieldLengths.Kind.TEXT);
  }

  public String requiredString(String field, FieldLengths.Kind kind) {
    return optionalString(field, kind).orElseThrow(() -> missing(field));
  }

  public Optional<String> optionalString(String field) {
    return optionalString(field, FieldLengths.Kind.TEXT);
  }

  public Optional<String> optionalString(String field, FieldLengths.Kind kind) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw invalid(field, "must be a string, was " + kind(value));
    }
    return Optional.of(lengths.checked("\"" + path + field + "\"", value.textValue(), kind));
  }

  /** {@code text}, a string derived from the field (a filter's JSON text), if it is at most {@code kind}'s limit long. */
  public String checkedLength(String field, String text, FieldLengths.Kind kind) {
    return lengths.checked("\"" + path + field + "\"", text, kind);
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

  /** An array of identifiers (topic names, product ids, scopes), each at most max-id-length long. */
  public List<String> stringList(String field) {
    return stringList(field, FieldLengths.Kind.ID);
  }

  /** An array of strings, each at most {@code kind}'s limit long. */
  public List<String> stringList(String field, FieldLengths.Kind kind) {
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
      items.add(lengths.checked("\"" + path + field + "[" + items.size() + "]\"", item.textValue(), kind));
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
    return Optional.of(of((ObjectNode) value, path + field + ".", allowedFields, lengths));
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
      items.add(of((ObjectNode) item, path + field + "[" + index + "].", allowedFields, lengths));
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
