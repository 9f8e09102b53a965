package io.tollgate.protocols.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Algebraic laws of the filter language over random filters and events. */
class EventFilterProperties {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> FIELDS = List.of("data.a", "data.b", "data.c.d", "data.c", "data.l.0", "subject");

  // ---- laws ----

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean notMatchesExactlyWhenTheFilterDoesNot(@ForAll("filters") ObjectNode filter, @ForAll("events") CloudEvent event) {
    ObjectNode not = JSON.objectNode();
    not.set("$not", filter);
    return EventFilter.parse(not).matches(event) != EventFilter.parse(filter).matches(event);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean andOrAreConjunctionAndDisjunction(@ForAll("filters") ObjectNode f, @ForAll("filters") ObjectNode g,
      @ForAll("events") CloudEvent event) {
    boolean a = EventFilter.parse(f).matches(event);
    boolean b = EventFilter.parse(g).matches(event);
    ObjectNode and = JSON.objectNode();
    and.putArray("$and").add(f).add(g);
    ObjectNode or = JSON.objectNode();
    or.putArray("$or").add(f).add(g);
    return EventFilter.parse(and).matches(event) == (a && b)
        && EventFilter.parse(or).matches(event) == (a || b)
        && EventFilter.parse(f).and(EventFilter.parse(g)).matches(event) == (a && b);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean toJsonParsesBackToTheSameFilter(@ForAll("filters") ObjectNode filter, @ForAll("events") CloudEvent event) {
    EventFilter parsed = EventFilter.parse(filter);
    return EventFilter.parse(parsed.toJson()).matches(event) == parsed.matches(event)
        && EventFilter.parse(parsed.toString()).matches(event) == parsed.matches(event);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean inOfOneIsEqAndNinOfOneIsNe(@ForAll("fields") String field, @ForAll("literals") JsonNode value,
      @ForAll("events") CloudEvent event) {
    return same(op(field, "$in", JSON.arrayNode().add(value)), op(field, "$eq", value), event)
        && same(op(field, "$nin", JSON.arrayNode().add(value)), op(field, "$ne", value), event)
        && same(literal(field, value), op(field, "$eq", value), event);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean neIsNotEqAndNinIsNotIn(@ForAll("fields") String field, @ForAll("literals") JsonNode value,
      @ForAll("literalLists") ArrayNode values, @ForAll("events") CloudEvent event) {
    return matches(op(field, "$ne", value), event) != matches(op(field, "$eq", value), event)
        && matches(op(field, "$nin", values), event) != matches(op(field, "$in", values), event)
        && matches(op(field, "$exists", JSON.booleanNode(false)), event)
            != matches(op(field, "$exists", JSON.booleanNode(true)), event);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean inIsAnEqOfOneOfTheValues(@ForAll("fields") String field, @ForAll("literalLists") ArrayNode values,
      @ForAll("events") CloudEvent event) {
    boolean any = false;
    for (JsonNode value : values) {
      any |= matches(op(field, "$eq", value), event);
    }
    return matches(op(field, "$in", values), event) == any;
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean orderingIsConsistent(@ForAll("fields") String field, @ForAll("ordered") JsonNode value,
      @ForAll("events") CloudEvent event) {
    boolean gt = matches(op(field, "$gt", value), event);
    boolean gte = matches(op(field, "$gte", value), event);
    boolean lt = matches(op(field, "$lt", value), event);
    boolean lte = matches(op(field, "$lte", value), event);
    boolean eq = matches(op(field, "$eq", value), event);
    boolean comparable = gt || lt || eq;
    return gte == (gt || eq) && lte == (lt || eq)
        && (!comparable || (gt ? 1 : 0) + (lt ? 1 : 0) + (eq ? 1 : 0) == 1);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean aBoundVariableIsTheStringLiteral(@ForAll("fields") String field, @ForAll("strings") String value,
      @ForAll("stringOps") String operator, @ForAll("events") CloudEvent event) {
    net.jqwik.api.Assume.that(!value.contains("${")); // a literal "${x}" would itself be a variable
    EventFilter withVariable = EventFilter.parse(op(field, operator, operand(operator, JSON.textNode("${v}"))))
        .bind(Map.of("v", value));
    EventFilter withLiteral = EventFilter.parse(op(field, operator, operand(operator, JSON.textNode(value))));
    return withVariable.matches(event) == withLiteral.matches(event);
  }

  // ---- generators ----

  @Provide
  Arbitrary<String> fields() {
    return Arbitraries.of(FIELDS);
  }

  @Provide
  Arbitrary<String> strings() {
    return Arbitraries.of("", "a", "ab", "b", "acct-7", "1", "${x}");
  }

  @Provide
  Arbitrary<JsonNode> literals() {
    return Arbitraries.oneOf(ordered(), Arbitraries.of(JSON.booleanNode(true), JSON.booleanNode(false), JSON.nullNode()));
  }

  @Provide
  Arbitrary<JsonNode> ordered() {
    Arbitrary<JsonNode> numbers = Arbitraries.of(
        JSON.numberNode(0), JSON.numberNode(1), JSON.numberNode(2), JSON.numberNode(new BigDecimal("1.0")),
        JSON.numberNode(new BigDecimal("1.5")), JSON.numberNode(-1L), JSON.numberNode(1e20));
    Arbitrary<JsonNode> texts = strings().filter(s -> !s.contains("${")).map(JSON::textNode);
    return Arbitraries.oneOf(numbers, texts);
  }

  @Provide
  Arbitrary<ArrayNode> literalLists() {
    return literals().list().ofMaxSize(4).map(list -> {
      ArrayNode array = JSON.arrayNode();
      list.forEach(array::add);
      return array;
    });
  }

  @Provide
  Arbitrary<String> stringOps() {
    return Arbitraries.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$startsWith");
  }

  @Provide
  Arbitrary<ObjectNode> filters() {
    return filter(3);
  }

  private Arbitrary<ObjectNode> filter(int depth) {
    if (depth == 0) {
      return condition();
    }
    Arbitrary<ObjectNode> inner = Arbitraries.lazy(() -> filter(depth - 1));
    Arbitrary<ObjectNode> combined = Combinators.combine(Arbitraries.of("$and", "$or"), inner.list().ofMinSize(1).ofMaxSize(3))
        .as((name, parts) -> {
          ObjectNode node = JSON.objectNode();
          ArrayNode array = node.putArray(name);
          parts.forEach(array::add);
          return node;
        });
    Arbitrary<ObjectNode> not = inner.map(part -> {
      ObjectNode node = JSON.objectNode();
      node.set("$not", part);
      return node;
    });
    Arbitrary<ObjectNode> twoFields = Combinators.combine(condition(), condition()).as((a, b) -> {
      ObjectNode node = a.deepCopy();
      node.setAll(b);
      return node;
    });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, condition()), net.jqwik.api.Tuple.of(1, twoFields),
        net.jqwik.api.Tuple.of(2, combined), net.jqwik.api.Tuple.of(1, not),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(JSON.objectNode())));
  }

  private Arbitrary<ObjectNode> condition() {
    Arbitrary<ObjectNode> equals = Combinators.combine(fields(), literals()).as(EventFilterProperties::literal);
    Arbitrary<ObjectNode> scalar = Combinators.combine(fields(), Arbitraries.of("$eq", "$ne"), literals())
        .as(EventFilterProperties::op);
    Arbitrary<ObjectNode> order = Combinators.combine(fields(), Arbitraries.of("$gt", "$gte", "$lt", "$lte"), ordered())
        .as(EventFilterProperties::op);
    Arbitrary<ObjectNode> in = Combinators.combine(fields(), Arbitraries.of("$in", "$nin"), literalLists())
        .as(EventFilterProperties::op);
    Arbitrary<ObjectNode> exists = Combinators.combine(fields(), Arbitraries.of(true, false))
        .as((field, want) -> op(field, "$exists", JSON.booleanNode(want)));
    Arbitrary<ObjectNode> prefix = Combinators.combine(fields(), strings().filter(s -> !s.contains("${")))
        .as((field, text) -> op(field, "$startsWith", JSON.textNode(text)));
    return Arbitraries.oneOf(equals, scalar, order, in, exists, prefix);
  }

  @Provide
  Arbitrary<CloudEvent> events() {
    Arbitrary<JsonNode> value = Arbitraries.oneOf(literals(), literals().map(v -> (JsonNode) JSON.arrayNode().add(v)));
    Arbitrary<JsonNode> maybe = Arbitraries.oneOf(value, Arbitraries.just(null));
    Arbitrary<String> subject = Arbitraries.oneOf(strings(), Arbitraries.just(null));
    return Combinators.combine(maybe, maybe, maybe, maybe, subject).as((a, b, d, l, sub) -> {
      ObjectNode data = JSON.objectNode();
      if (a != null) {
        data.set("a", a);
      }
      if (b != null) {
        data.set("b", b);
      }
      if (d != null) {
        data.putObject("c").set("d", d);
      }
      if (l != null) {
        data.putArray("l").add(l);
      }
      CloudEvent.Builder event = CloudEvent.newBuilder().setId("1").setSource("/s").setSpecVersion("1.0")
          .setType("t").setJsonData(data.toString());
      if (sub != null) {
        event.putAttributes("subject", AttributeValue.newBuilder().setCeString(sub).build());
      }
      return event.build();
    });
  }

  // ---- helpers ----

  static ObjectNode literal(String field, JsonNode value) {
    ObjectNode filter = JSON.objectNode();
    filter.set(field, value);
    return filter;
  }

  static ObjectNode op(String field, String operator, JsonNode operand) {
    ObjectNode filter = JSON.objectNode();
    filter.putObject(field).set(operator, operand);
    return filter;
  }

  static JsonNode operand(String operator, JsonNode value) {
    return operator.endsWith("in") ? JSON.arrayNode().add(value) : value;
  }

  static boolean matches(ObjectNode filter, CloudEvent event) {
    return EventFilter.parse(filter).matches(event);
  }

  static boolean same(ObjectNode a, ObjectNode b, CloudEvent event) {
    return matches(a, event) == matches(b, event);
  }
}
