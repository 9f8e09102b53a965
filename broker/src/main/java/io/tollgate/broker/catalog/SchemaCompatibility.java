package io.tollgate.broker.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a topic's next JSON Schema version may follow the current one. BACKWARD (the default):
 * every event valid under the current version is valid under the next, so consumers that read
 * the topic from the start keep working with the newest schema; FORWARD: the other way round
 * (events of the next version are valid for consumers still on the current one); FULL: both;
 * NONE: no check.
 *
 * <p>Deciding whether one JSON Schema accepts everything another does is undecidable in general,
 * so this decides it by rules, as schema registries do: a change is compatible when each keyword
 * only widens what is accepted (a type added, a required property dropped, a bound loosened, an
 * enum value added, a property added where other properties were refused). A change to a
 * keyword it has no rule for ({@code $ref}, {@code allOf}, {@code if}, {@code patternProperties},
 * ...) is refused rather than guessed; add the version with {@code "compatibility":"none"} then.
 */
public final class SchemaCompatibility {
  public enum Mode { BACKWARD, FORWARD, FULL, NONE;

    /** The mode an API request names; empty is {@link #BACKWARD}. */
    public static Mode of(String name) {
      return name.isEmpty() ? BACKWARD : valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode ANYTHING = JsonNodeFactory.instance.booleanNode(true);
  /** Keywords that only describe. */
  private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description",
      "examples", "default", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
  private static final Set<String> LOWER_BOUNDS = Set.of("minimum", "exclusiveMinimum", "minLength", "minItems",
      "minProperties");
  private static final Set<String> UPPER_BOUNDS = Set.of("maximum", "exclusiveMaximum", "maxLength", "maxItems",
      "maxProperties");
  private static final Set<String> WITH_RULES = Set.of("type", "required", "properties", "additionalProperties",
      "items", "enum", "const", "pattern", "format", "multipleOf", "uniqueItems");

  private SchemaCompatibility() {}

  /** Why {@code next} may not follow {@code current} under {@code mode}; empty when it may. */
  public static List<String> problems(String current, String next, Mode mode) {
    JsonNode older = read(current);
    JsonNode newer = read(next);
    List<String> problems = new ArrayList<>();
    if (mode == Mode.BACKWARD || mode == Mode.FULL) {
      widens(older, newer, "#", problems);
    }
    if (mode == Mode.FORWARD || mode == Mode.FULL) {
      widens(newer, older, "#", problems);
    }
    return problems;
  }

  private static JsonNode read(String schema) {
    try {
      return JSON.readTree(schema);
    } catch (IOException e) {
      throw new UncheckedIOException("a schema the catalog holds is JSON", e);
    }
  }

  /** Adds to {@code problems} each way in which {@code to} may refuse a value {@code from} accepts. */
  private static void widens(JsonNode from, JsonNode to, String at, List<String> problems) {
    if (isAnything(to) || isNothing(from)) {
      return;
    }
    if (isNothing(to) || isAnything(from)) {
      problems.add(at + ": the new schema refuses values the old one accepted");
      return;
    }
    Set<String> keywords = new HashSet<>();
    from.fieldNames().forEachRemaining(keywords::add);
    to.fieldNames().forEachRemaining(keywords::add);
    for (String keyword : keywords) {
      if (ANNOTATIONS.contains(keyword)) {
        continue;
      }
      JsonNode before = from.get(keyword);
      JsonNode after = to.get(keyword);
      if (LOWER_BOUNDS.contains(keyword) || UPPER_BOUNDS.contains(keyword)) {
        bound(keyword, before, after, at, problems);
      } else if (!WITH_RULES.contains(keyword)) {
        if (after != null && !after.equals(before)) {
          problems.add(at + "/" + keyword + ": changed, and there is no rule to tell whether it only widens");
        }
      } else {
        keyword(keyword, from, to, at, problems);
      }
    }
  }

  private static void keyword(String keyword, JsonNode from, JsonNode to, String at, List<String> problems) {
    JsonNode before = from.get(keyword);
    JsonNode after = to.get(keyword);
    switch (keyword) {
      case "type" -> {
        if (after != null && !types(after).containsAll(widenedTypes(before))) {
          problems.add(at + "/type: " + after + " does not take every type of " + (before == null ? "any" : before));
        }
      }
      case "required" -> {
        Set<String> nowRequired = strings(after);
        nowRequired.removeAll(strings(before));
        if (!nowRequired.isEmpty()) {
          problems.add(at + "/required: " + nowRequired + " newly required");
        }
      }
      case "properties", "additionalProperties" -> {
        if (keyword.equals("properties") || !to.has("properties") && !from.has("properties")) {
          properties(from, to, at, problems);
        }
      }
      case "items" -> widens(orAnything(before), orAnything(after), at + "/items", problems);
      case "enum", "const" -> {
        Set<JsonNode> allowedBefore = allowed(from);
        if (after != null && (allowedBefore == null || !allowed(to).containsAll(allowedBefore))) {
          problems.add(at + "/" + keyword + ": " + after + " does not hold every value "
              + (allowedBefore == null ? "allowed" : allowedBefore));
        }
      }
      default -> {
        if (after != null && !after.equals(before)) {
          problems.add(at + "/" + keyword + ": " + (before == null ? "added" : "changed from " + before) + " to " + after);
        }
      }
    }
  }

  /** An object's members: each property the old schema let through must still get through. */
  private static void properties(JsonNode from, JsonNode to, String at, List<String> problems) {
    JsonNode beforeProperties = from.path("properties");
    JsonNode afterProperties = to.path("properties");
    JsonNode beforeOthers = orAnything(from.get("additionalProperties"));
    JsonNode afterOthers = orAnything(to.get("additionalProperties"));
    Set<String> names = new HashSet<>();
    beforeProperties.fieldNames().forEachRemaining(names::add);
    afterProperties.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode before = beforeProperties.has(name) ? beforeProperties.get(name) : beforeOthers;
      JsonNode after = afterProperties.has(name) ? afterProperties.get(name) : afterOthers;
      widens(before, after, at + "/properties/" + name, problems);
    }
    widens(beforeOthers, afterOthers, at + "/additionalProperties", problems);
  }

  private static void bound(String keyword, JsonNode before, JsonNode after, String at, List<String> problems) {
    if (after == null) {
      return;
    }
    boolean lower = LOWER_BOUNDS.contains(keyword);
    if (before == null || (lower ? after.decimalValue().compareTo(before.decimalValue()) > 0
        : after.decimalValue().compareTo(before.decimalValue()) < 0)) {
      problems.add(at + "/" + keyword + ": " + (before == null ? "added" : "tightened from " + before) + " to " + after);
    }
  }

  private static boolean isAnything(JsonNode schema) {
    return schema.isBoolean() && schema.booleanValue() || schema.isObject() && schema.size() == 0;
  }

  private static boolean isNothing(JsonNode schema) {
    return schema.isBoolean() && !schema.booleanValue();
  }

  private static JsonNode orAnything(JsonNode schema) {
    return schema == null ? ANYTHING : schema;
  }

  /** The types a {@code type} keyword names; {@code integer} is also a {@code number}'s. */
  private static Set<String> types(JsonNode type) {
    Set<String> types = strings(type.isArray() ? type : JsonNodeFactory.instance.arrayNode().add(type));
    if (types.contains("number")) {
      types.add("integer");
    }
    return types;
  }

  private static Set<String> widenedTypes(JsonNode type) {
    if (type == null) {
      return Set.of("null", "boolean", "object", "array", "number", "string", "integer");
    }
    return strings(type.isArray() ? type : JsonNodeFactory.instance.arrayNode().add(type));
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> strings = new HashSet<>();
    if (array != null) {
      array.forEach(item -> strings.add(item.asText()));
    }
    return strings;
  }

  /** The values a schema's {@code const} or {@code enum} allows; null when it names none. */
  private static Set<JsonNode> allowed(JsonNode schema) {
    if (schema.has("const")) {
      return Set.of(schema.get("const"));
    }
    if (!schema.has("enum")) {
      return null;
    }
    Set<JsonNode> values = new HashSet<>();
    for (Iterator<JsonNode> it = schema.get("enum").elements(); it.hasNext(); ) {
      values.add(it.next());
    }
    return values;
  }
}
