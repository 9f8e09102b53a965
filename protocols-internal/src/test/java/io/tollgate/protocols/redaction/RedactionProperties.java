package io.tollgate.protocols.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Laws of redaction over random nested objects and random rules, checked against Jackson's own
 * JSON pointer: what a rule names is gone or masked, and nothing else changes.
 */
class RedactionProperties {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** Keys with the two characters a pointer must escape. */
  private static final List<String> KEYS = List.of("a", "b", "a/b", "~c");

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean whatARuleNamesIsGoneOrMaskedAndEverythingElseIsKept(@ForAll("objects") ObjectNode data,
                                                             @ForAll("rules") List<RedactionRule> rules) throws Exception {
    JsonNode after = MAPPER.readTree(Redaction.parse(rules).apply(event(data)).getJsonData());
    for (RedactionRule rule : rules) {
      if (underAnotherRule(rule, rules)) {
        continue;
      }
      JsonNode before = data.at(rule.getPointer());
      JsonNode now = after.at(rule.getPointer());
      boolean expected = rule.getAction().equals("remove") || before.isMissingNode()
          ? now.isMissingNode() : now.isTextual() && now.textValue().equals(Redaction.MASKED);
      if (!expected) {
        return false;
      }
    }
    for (Map.Entry<String, JsonNode> leaf : leaves(data, "").entrySet()) {
      if (rules.stream().noneMatch(rule -> isUnder(leaf.getKey(), rule.getPointer()))
          && !after.at(leaf.getKey()).equals(leaf.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean redactingTwiceIsRedactingOnceOnObjects(@ForAll("objects") ObjectNode data,
                                                  @ForAll("rules") List<RedactionRule> rules) {
    Redaction redaction = Redaction.parse(rules);
    CloudEvent once = redaction.apply(event(data));
    return redaction.apply(once).equals(once);
  }

  @Property(edgeCases = EdgeCasesMode.NONE) // the generators have more edge cases than tries
  boolean anEventWhereNoRuleNamesAnythingIsReturnedAsItWas(@ForAll("objects") ObjectNode data,
                                                          @ForAll("rules") List<RedactionRule> rules) {
    CloudEvent event = event(data);
    boolean namesSomething = rules.stream().anyMatch(rule -> !data.at(rule.getPointer()).isMissingNode());
    return namesSomething || Redaction.parse(rules).apply(event) == event;
  }

  private static CloudEvent event(JsonNode data) {
    return CloudEvent.newBuilder().setId("e").setSource("/s").setSpecVersion("1.0").setType("t")
        .setJsonData(data.toString()).build();
  }

  private static boolean underAnotherRule(RedactionRule rule, List<RedactionRule> rules) {
    return rules.stream().anyMatch(other -> other != rule && isUnder(rule.getPointer(), other.getPointer())
        && !other.getPointer().equals(rule.getPointer()));
  }

  /** Whether {@code pointer} is {@code ancestor} or inside it. */
  private static boolean isUnder(String pointer, String ancestor) {
    return pointer.equals(ancestor) || pointer.startsWith(ancestor + "/");
  }

  private static Map<String, JsonNode> leaves(JsonNode node, String at) {
    Map<String, JsonNode> leaves = new java.util.HashMap<>();
    if (node.isObject() && node.size() > 0) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        leaves.putAll(leaves(field.getValue(), at + "/" + escape(field.getKey())));
      }
    } else {
      leaves.put(at, node);
    }
    return leaves;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  // ---- generators ----

  @Provide
  Arbitrary<ObjectNode> objects() {
    return object(3);
  }

  private Arbitrary<ObjectNode> object(int depth) {
    Arbitrary<JsonNode> value = depth == 0 ? scalars()
        : Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, scalars()), net.jqwik.api.Tuple.of(1, object(depth - 1).map(o -> (JsonNode) o)));
    return Combinators.combine(Arbitraries.of(KEYS).list().uniqueElements().ofMaxSize(KEYS.size()), value.list().ofSize(KEYS.size()))
        .as((keys, values) -> {
          ObjectNode node = JSON.objectNode();
          for (int i = 0; i < keys.size(); i++) {
            node.set(keys.get(i), values.get(i));
          }
          return node;
        });
  }

  private Arbitrary<JsonNode> scalars() {
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().ofMaxLength(4).map(JSON::textNode),
        Arbitraries.integers().between(-5, 5).map(JSON::numberNode),
        Arbitraries.of(JSON.nullNode(), JSON.booleanNode(true), JSON.textNode(Redaction.MASKED)));
  }

  @Provide
  Arbitrary<List<RedactionRule>> rules() {
    Arbitrary<String> pointer = Arbitraries.of(KEYS).map(RedactionProperties::escape).list().ofMinSize(1).ofMaxSize(3)
        .map(tokens -> "/" + String.join("/", tokens));
    Arbitrary<RedactionRule> rule = Combinators.combine(pointer, Arbitraries.of("remove", "mask"))
        .as((p, action) -> RedactionRule.newBuilder().setPointer(p).setAction(action).build());
    return rule.list().ofMaxSize(4).uniqueElements(RedactionRule::getPointer);
  }
}
