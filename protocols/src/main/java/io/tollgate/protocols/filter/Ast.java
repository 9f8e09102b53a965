package io.tollgate.protocols.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The parsed form of a filter: an immutable tree, evaluated top-down with short-circuiting. */
final class Ast {
  private Ast() {}

  interface Node {
    boolean test(FilterableEvent event);

    /** This node with every variable replaced by its value; throws FilterException for a missing value. */
    Node bind(Map<String, String> values);
  }

  /** Every part must match; no parts matches everything. */
  record All(List<Node> parts) implements Node {
    @Override
    public boolean test(FilterableEvent event) {
      for (Node part : parts) {
        if (!part.test(event)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Node bind(Map<String, String> values) {
      return new All(bindAll(parts, values));
    }
  }

  /** At least one part must match. */
  record Any(List<Node> parts) implements Node {
    @Override
    public boolean test(FilterableEvent event) {
      for (Node part : parts) {
        if (part.test(event)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Node bind(Map<String, String> values) {
      return new Any(bindAll(parts, values));
    }
  }

  record Not(Node inner) implements Node {
    @Override
    public boolean test(FilterableEvent event) {
      return !inner.test(event);
    }

    @Override
    public Node bind(Map<String, String> values) {
      return new Not(inner.bind(values));
    }
  }

  /** The field is looked up once; then all its operators must hold. */
  record Field(FieldPath path, List<Op> ops) implements Node {
    @Override
    public boolean test(FilterableEvent event) {
      JsonNode value = event.field(path);
      for (Op op : ops) {
        if (!op.test(value)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Node bind(Map<String, String> values) {
      List<Op> bound = new ArrayList<>(ops.size());
      for (Op op : ops) {
        bound.add(op.bind(values));
      }
      return new Field(path, List.copyOf(bound));
    }
  }

  private static List<Node> bindAll(List<Node> parts, Map<String, String> values) {
    List<Node> bound = new ArrayList<>(parts.size());
    for (Node part : parts) {
      bound.add(part.bind(values));
    }
    return List.copyOf(bound);
  }

  // ---- operators: value is the field's value, or null when the field is missing ----

  interface Op {
    boolean test(JsonNode value);

    Op bind(Map<String, String> values);
  }

  record Eq(Operand operand) implements Op {
    @Override
    public boolean test(JsonNode value) {
      return value != null && operand.literal().equalTo(value);
    }

    @Override
    public Op bind(Map<String, String> values) {
      return new Eq(operand.bind(values));
    }
  }

  record Ne(Operand operand) implements Op {
    @Override
    public boolean test(JsonNode value) {
      return value == null || !operand.literal().equalTo(value);
    }

    @Override
    public Op bind(Map<String, String> values) {
      return new Ne(operand.bind(values));
    }
  }

  enum Comparison { GT, GTE, LT, LTE }

  record Compare(Comparison comparison, Operand operand) implements Op {
    @Override
    public boolean test(JsonNode value) {
      if (value == null) {
        return false;
      }
      int order = operand.literal().compareFrom(value);
      if (order == Literal.INCOMPARABLE) {
        return false;
      }
      return switch (comparison) {
        case GT -> order > 0;
        case GTE -> order >= 0;
        case LT -> order < 0;
        case LTE -> order <= 0;
      };
    }

    @Override
    public Op bind(Map<String, String> values) {
      return new Compare(comparison, operand.bind(values));
    }
  }

  /** {@code $in} (negate false) or {@code $nin} (negate true). */
  record In(List<Operand> operands, boolean negate) implements Op {
    @Override
    public boolean test(JsonNode value) {
      if (value == null) {
        return negate;
      }
      for (Operand operand : operands) {
        if (operand.literal().equalTo(value)) {
          return !negate;
        }
      }
      return negate;
    }

    @Override
    public Op bind(Map<String, String> values) {
      List<Operand> bound = new ArrayList<>(operands.size());
      for (Operand operand : operands) {
        bound.add(operand.bind(values));
      }
      return new In(List.copyOf(bound), negate);
    }
  }

  record Exists(boolean expected) implements Op {
    @Override
    public boolean test(JsonNode value) {
      return (value != null) == expected;
    }

    @Override
    public Op bind(Map<String, String> values) {
      return this;
    }
  }

  record StartsWith(Operand operand) implements Op {
    @Override
    public boolean test(JsonNode value) {
      return value != null && value.isTextual() && value.textValue().startsWith(operand.literal().text());
    }

    @Override
    public Op bind(Map<String, String> values) {
      return new StartsWith(operand.bind(values));
    }
  }

  // ---- operands ----

  /** A literal, or a variable that bind() turns into a string literal. */
  sealed interface Operand permits Literal, Variable {
    Literal literal();

    Operand bind(Map<String, String> values);
  }

  /** A variable {@code ${name}}, used at {@code path} in the filter. */
  record Variable(String name, String path) implements Operand {
    @Override
    public Literal literal() {
      // EventFilter refuses to evaluate a filter with unbound variables, so this is a bug.
      throw new IllegalStateException("variable ${" + name + "} is not bound");
    }

    @Override
    public Operand bind(Map<String, String> values) {
      String value = values.get(name);
      if (value == null) {
        throw new FilterException(path, "variable ${" + name + "} has no value");
      }
      return Literal.of(TextNode.valueOf(value));
    }
  }

  /** A scalar literal: string, number (held as BigDecimal), boolean or null. */
  static final class Literal implements Operand {
    static final int INCOMPARABLE = Integer.MIN_VALUE;

    private final JsonNode node;
    private final String text;
    private final BigDecimal number;

    private Literal(JsonNode node, String text, BigDecimal number) {
      this.node = node;
      this.text = text;
      this.number = number;
    }

    /** node must be textual, a finite number, boolean or null (the parser checks). */
    static Literal of(JsonNode node) {
      return new Literal(node, node.isTextual() ? node.textValue() : null,
          node.isNumber() ? node.decimalValue() : null);
    }

    String text() {
      return text;
    }

    @Override
    public Literal literal() {
      return this;
    }

    @Override
    public Operand bind(Map<String, String> values) {
      return this;
    }

    /** Same type and value; numbers compare numerically (1 equals 1.0). */
    boolean equalTo(JsonNode value) {
      if (text != null) {
        return value.isTextual() && text.equals(value.textValue());
      }
      if (number != null) {
        BigDecimal other = decimal(value);
        return other != null && other.compareTo(number) == 0;
      }
      if (node.isBoolean()) {
        return value.isBoolean() && value.booleanValue() == node.booleanValue();
      }
      return value.isNull();
    }

    /** value compared to this literal (negative: value is less), or INCOMPARABLE. */
    int compareFrom(JsonNode value) {
      if (text != null) {
        return value.isTextual() ? Integer.signum(value.textValue().compareTo(text)) : INCOMPARABLE;
      }
      if (number != null) {
        BigDecimal other = decimal(value);
        return other == null ? INCOMPARABLE : other.compareTo(number);
      }
      return INCOMPARABLE;
    }

    private static BigDecimal decimal(JsonNode value) {
      if (!value.isNumber()) {
        return null;
      }
      try {
        return value.decimalValue();
      } catch (NumberFormatException e) { // NaN or infinite double: equal to and ordered with nothing
        return null;
      }
    }

    @Override
    public String toString() {
      return node.toString();
    }
  }
}
