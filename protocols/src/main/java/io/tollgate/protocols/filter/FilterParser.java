package io.tollgate.protocols.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.filter.Ast.Comparison;
import io.tollgate.protocols.filter.Ast.Literal;
import io.tollgate.protocols.filter.Ast.Node;
import io.tollgate.protocols.filter.Ast.Op;
import io.tollgate.protocols.filter.Ast.Operand;
import io.tollgate.protocols.filter.Ast.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns filter JSON into an {@link Ast} tree, checking every rule and limit. One use per filter. */
final class FilterParser {
  static final int MAX_DEPTH = 8;
  static final int MAX_CONDITIONS = 64;
  static final int MAX_IN_ITEMS = 256;
  static final int MAX_PATH_SEGMENTS = 16;
  static final String ROOT = "filter";

  private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]{1,20}");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]{0,63})}");
  private static final String OPERATORS = "$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith";

  private final Set<String> variables = new TreeSet<>();
  private int conditions;

  Set<String> variables() {
    return variables;
  }

  Node filter(JsonNode node, String path, int depth) {
    if (node == null || !node.isObject()) {
      throw new FilterException(path, "a filter must be a JSON object, not " + describe(node));
    }
    if (depth > MAX_DEPTH) {
      throw new FilterException(path, "filters nest more than " + MAX_DEPTH + " deep");
    }
    List<Node> parts = new ArrayList<>(node.size());
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      String keyPath = path + "." + key;
      switch (key) {
        case "$and", "$or" -> {
          if (!value.isArray() || value.isEmpty()) {
            throw new FilterException(keyPath, key + " needs a non-empty array of filters, not " + describe(value));
          }
          List<Node> clauses = new ArrayList<>(value.size());
          for (int i = 0; i < value.size(); i++) {
            String clausePath = keyPath + "[" + i + "]";
            count(clausePath);
            clauses.add(filter(value.get(i), clausePath, depth + 1));
          }
          parts.add(key.equals("$and") ? new Ast.All(List.copyOf(clauses)) : new Ast.Any(List.copyOf(clauses)));
        }
        case "$not" -> {
          count(keyPath);
          parts.add(new Ast.Not(filter(value, keyPath, depth + 1)));
        }
        default -> {
          if (key.startsWith("$")) {
            throw new FilterException(keyPath,
                "unknown combinator " + key + "; a key is a field path or one of $and, $or, $not");
          }
          parts.add(field(key, value, keyPath));
        }
      }
    }
    return parts.size() == 1 ? parts.get(0) : new Ast.All(List.copyOf(parts));
  }

  private Node field(String key, JsonNode value, String path) {
    FieldPath field = fieldPath(key, path);
    List<Op> ops = new ArrayList<>();
    if (value.isObject()) {
      if (value.isEmpty()) {
        throw new FilterException(path, "an object of operators needs at least one operator (" + OPERATORS + ")");
      }
      for (Map.Entry<String, JsonNode> entry : value.properties()) {
        count(path);
        ops.add(operator(entry.getKey(), entry.getValue(), path));
      }
    } else if (value.isArray()) {
      throw new FilterException(path,
          "a field's condition is a literal or an object of operators, not an array; use $in to match one of several values");
    } else {
      count(path);
      ops.add(new Ast.Eq(scalar(value, path, "the value")));
    }
    return new Ast.Field(field, List.copyOf(ops));
  }

  private FieldPath fieldPath(String key, String path) {
    if (key.isEmpty()) {
      throw new FilterException(path, "a field path must not be empty");
    }
    if (key.contains("${")) {
      throw new FilterException(path, "variables are allowed in values, not in field paths");
    }
    List<String> segments = Arrays.asList(key.split("\\.", -1));
    if (segments.get(0).equals("data")) {
      if (segments.size() > MAX_PATH_SEGMENTS) {
        throw new FilterException(path,
            "a field path has at most " + MAX_PATH_SEGMENTS + " segments, this one has " + segments.size());
      }
      for (String segment : segments) {
        if (segment.isEmpty()) {
          throw new FilterException(path, "a field path must not have an empty segment");
        }
      }
      return FieldPath.data(segments.subList(1, segments.size()));
    }
    if (segments.size() > 1) {
      throw new FilterException(path,
          "only data paths have dots: a key is an attribute name, data, or data.<field>...");
    }
    if (!ATTRIBUTE_NAME.matcher(key).matches()) {
      throw new FilterException(path,
          "\"" + key + "\" is not an attribute name (1 to 20 lower-case letters or digits) nor a data path");
    }
    return FieldPath.attribute(key);
  }

  private Op operator(String name, JsonNode operand, String path) {
    switch (name) {
      case "$eq":
        return new Ast.Eq(scalar(operand, path, name));
      case "$ne":
        return new Ast.Ne(scalar(operand, path, name));
      case "$gt":
        return new Ast.Compare(Comparison.GT, ordered(operand, path, name));
      case "$gte":
        return new Ast.Compare(Comparison.GTE, ordered(operand, path, name));
      case "$lt":
        return new Ast.Compare(Comparison.LT, ordered(operand, path, name));
      case "$lte":
        return new Ast.Compare(Comparison.LTE, ordered(operand, path, name));
      case "$in":
      case "$nin": {
        if (!operand.isArray()) {
          throw new FilterException(path, name + " needs an array of literals, not " + describe(operand));
        }
        if (operand.size() > MAX_IN_ITEMS) {
          throw new FilterException(path,
              name + " takes at most " + MAX_IN_ITEMS + " values, this one has " + operand.size());
        }
        List<Operand> items = new ArrayList<>(operand.size());
        for (int i = 0; i < operand.size(); i++) {
          items.add(scalar(operand.get(i), path, name + "[" + i + "]"));
        }
        return new Ast.In(List.copyOf(items), name.equals("$nin"));
      }
      case "$exists":
        if (!operand.isBoolean()) {
          throw new FilterException(path, "$exists needs true or false, not " + describe(operand));
        }
        return new Ast.Exists(operand.booleanValue());
      case "$startsWith": {
        if (!operand.isTextual()) {
          throw new FilterException(path, "$startsWith needs a string, not " + describe(operand));
        }
        return new Ast.StartsWith(text(operand.textValue(), path, name));
      }
      default:
        if (name.startsWith("$")) {
          throw new FilterException(path, "unknown operator " + name + "; the operators are " + OPERATORS);
        }
        throw new FilterException(path, "\"" + name + "\" is not an operator; a field's object holds operators ("
            + OPERATORS + "); to match inside JSON data use a dotted path such as data.a.b");
    }
  }

  /** A literal for $eq, $ne, $in, $nin: string, finite number, boolean or null. */
  private Operand scalar(JsonNode value, String path, String what) {
    if (value.isTextual()) {
      return text(value.textValue(), path, what);
    }
    if (value.isNumber()) {
      return number(value, path, what);
    }
    if (value.isBoolean() || value.isNull()) {
      return Literal.of(value);
    }
    throw new FilterException(path, what + " needs a string, number, boolean or null, not " + describe(value));
  }

  /** An operand for $gt, $gte, $lt, $lte: string or finite number. */
  private Operand ordered(JsonNode value, String path, String what) {
    if (value.isTextual()) {
      return text(value.textValue(), path, what);
    }
    if (value.isNumber()) {
      return number(value, path, what);
    }
    throw new FilterException(path, what + " needs a number or a string, not " + describe(value));
  }

  private Operand number(JsonNode value, String path, String what) {
    if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
      throw new FilterException(path, what + " needs a finite number");
    }
    return Literal.of(value);
  }

  /** A string literal, or the variable it names when it is exactly {@code ${name}}. */
  private Operand text(String text, String path, String what) {
    if (!text.contains("${")) {
      return Literal.of(com.fasterxml.jackson.databind.node.TextNode.valueOf(text));
    }
    Matcher variable = VARIABLE.matcher(text);
    if (!variable.matches()) {
      throw new FilterException(path, what + ": \"" + text + "\" is not a variable; a variable is a whole string"
          + " ${name} (a letter or _, then letters, digits or _), and other strings must not contain ${");
    }
    variables.add(variable.group(1));
    return new Variable(variable.group(1), path);
  }

  private void count(String path) {
    if (++conditions > MAX_CONDITIONS) {
      throw new FilterException(path,
          "a filter has at most " + MAX_CONDITIONS + " conditions (operators and nested filters)");
    }
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " value";
    };
  }
}
