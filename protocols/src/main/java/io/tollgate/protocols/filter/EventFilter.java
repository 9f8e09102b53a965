package io.tollgate.protocols.filter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.protocols.filter.Ast.Node;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A filter over CloudEvents: a small JSON language in the style of MongoDB queries and Hookdeck
 * filters. No regular expressions and no scripting; size limits keep evaluation cheap. The full
 * guide, with examples, is {@code docs/filters.md}.
 *
 * <h2>Filters</h2>
 * A filter is a JSON object. Every entry must match (implicit AND); {@code {}} matches every event.
 * An entry is either a <b>field condition</b> or a <b>combinator</b>:
 * <pre>{@code
 * {"type": "com.shop.order.created",
 *  "data.total": {"$gte": 100},
 *  "$or": [{"data.items.0.sku": {"$startsWith": "BK-"}}, {"subject": "${account}"}]}
 * }</pre>
 *
 * <h2>Field paths (keys)</h2>
 * <ul>
 *   <li>An attribute name: {@code id}, {@code source}, {@code type}, {@code specversion},
 *       {@code subject}, {@code time}, {@code datacontenttype}, {@code dataschema}, or any
 *       extension attribute (1 to 20 lower-case letters or digits). Values are typed as stored:
 *       booleans and integers stay booleans and integers; strings, URIs, URI references and
 *       timestamps (RFC 3339 text, as sent) are strings; bytes are their base64 string. Beware:
 *       an extension that arrived as an HTTP header ({@code ce-priority: 5}) is the string
 *       {@code "5"}, while in structured JSON {@code "priority": 5} is the integer 5.</li>
 *   <li>{@code data}, or {@code data.<a>.<b>...} into JSON data. Segments are separated by dots;
 *       on an object a segment is a key, on an array a decimal index ({@code data.items.0.sku}).
 *       Keys containing dots cannot be addressed. Data that is not JSON has no {@code data.*}
 *       fields; for text data, {@code data} is the text; for binary data, {@code data} exists
 *       but equals, and is ordered with, no literal.</li>
 * </ul>
 *
 * <h2>Conditions (values)</h2>
 * A literal (string, number, boolean, null) means {@code $eq}; an object holds operators, all of
 * which must hold:
 * <ul>
 *   <li>{@code $eq}, {@code $ne}: same type and value. Numbers compare numerically (1 equals 1.0).
 *       There is no array-contains matching: a field holding an array equals no literal.</li>
 *   <li>{@code $gt}, {@code $gte}, {@code $lt}, {@code $lte}: a number or string operand. Numbers
 *       compare exactly (BigDecimal); strings compare lexicographically by UTF-16 code unit
 *       (so RFC 3339 UTC timestamps with the same precision order by time). A number against a
 *       string, or anything against a boolean, null, object or array, is false, never an error.</li>
 *   <li>{@code $in}, {@code $nin}: an array of at most 256 literals; {@code $in} matches when
 *       {@code $eq} holds for one of them, {@code $nin} when it holds for none.</li>
 *   <li>{@code $exists}: {@code true} or {@code false}.</li>
 *   <li>{@code $startsWith}: a string; true when the field is a string with that prefix.</li>
 * </ul>
 * A <b>missing field</b> fails every operator except {@code $ne}, {@code $nin} and
 * {@code $exists: false}, which hold. A field whose JSON value is {@code null} is present:
 * {@code {"data.x": null}} matches {@code {"x": null}} but not {@code {}}.
 *
 * <h2>Combinators (keys)</h2>
 * {@code "$and": [filters]} (all), {@code "$or": [filters]} (at least one), both non-empty;
 * {@code "$not": filter} (the filter does not match).
 *
 * <h2>Variables</h2>
 * A string value that is exactly {@code "${name}"} (a letter or {@code _}, then letters, digits
 * or {@code _}) is a variable: {@link #parse} gives an unbound filter, {@link #bind} replaces each
 * variable with its string value (never expanded again). Any other string containing
 * {@code ${} is an error, so a typo cannot silently become a literal. Evaluating a filter with
 * unbound variables throws {@link IllegalStateException}. The broker binds {@code ${account}} to
 * the subscribing account, so a plan can say {@code {"subject": "${account}"}}.
 *
 * <h2>Limits</h2>
 * Filters nest at most 8 deep (the top-level filter is depth 1, each filter inside
 * {@code $and}/{@code $or}/{@code $not} one deeper); at most 64 conditions, counting each operator
 * (a literal counts as one {@code $eq}) and each nested filter; {@code $in}/{@code $nin} at most
 * 256 values; field paths at most 16 segments. Limits apply to each parsed filter; {@link #and}
 * joins two checked filters without re-checking their sum.
 *
 * <h2>Cost</h2>
 * Evaluation visits each condition at most once, short-circuiting, so it is linear in the filter
 * size. Attributes are read straight from the Protobuf event; JSON data is parsed only when a
 * {@code data} path is tested, and at most once per {@link FilterableEvent} (pass one
 * {@code FilterableEvent} to many filters to parse it once for all of them).
 *
 * <p>Instances are immutable and thread-safe. Errors are {@link FilterException}s whose message
 * names the failing place, e.g. {@code filter.$or[1].data.total: $gt needs a number or a string,
 * not an array}.
 */
public final class EventFilter {
  /** Exact decimals (0.1 stays 0.1), and a repeated key is an error rather than last-one-wins. */
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final EventFilter MATCH_ALL =
      new EventFilter(JsonNodeFactory.instance.objectNode(), new Ast.All(List.of()), Set.of(), Set.of());

  private final JsonNode source;
  private final Node root;
  private final Set<String> variables;
  private final Set<String> unbound;

  private EventFilter(JsonNode source, Node root, Set<String> variables, Set<String> unbound) {
    this.source = source;
    this.root = root;
    this.variables = variables;
    this.unbound = unbound;
  }

  /** Parses and checks a filter; the result is unbound if the filter uses variables. */
  public static EventFilter parse(JsonNode filter) {
    FilterParser parser = new FilterParser();
    Node root = parser.filter(filter, FilterParser.ROOT, 1);
    Set<String> variables = sorted(parser.variables());
    return new EventFilter(filter.deepCopy(), root, variables, variables);
  }

  /** Parses filter JSON text; malformed JSON is a {@link FilterException} at path {@code filter}. */
  public static EventFilter parse(String filterJson) {
    if (filterJson == null) {
      throw new FilterException(FilterParser.ROOT, "a filter must be a JSON object, not nothing");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(filterJson);
    } catch (JsonProcessingException e) {
      throw new FilterException(FilterParser.ROOT, "not valid JSON: " + e.getOriginalMessage());
    } catch (NumberFormatException e) {
      throw new FilterException(FilterParser.ROOT, "not valid JSON: a number that cannot be read");
    }
    return parse(node);
  }

  /** The filter {@code {}}, which matches every event. */
  public static EventFilter matchAll() {
    return MATCH_ALL;
  }

  /**
   * This filter with its unbound variables replaced by {@code variables}' values (extra entries
   * are ignored). Variables already bound stay as they are: a bound filter cannot be re-bound.
   *
   * @throws FilterException naming where a variable with no value is used
   */
  public EventFilter bind(Map<String, String> variables) {
    Objects.requireNonNull(variables, "variables");
    if (unbound.isEmpty()) {
      return this;
    }
    return new EventFilter(source, root.bind(variables), this.variables, Set.of());
  }

  /** The names of the variables the filter uses (as given, whether bound yet or not). */
  public Set<String> variables() {
    return variables;
  }

  /** True when there is no variable left to bind, so the filter can be evaluated. */
  public boolean isBound() {
    return unbound.isEmpty();
  }

  /** @throws IllegalStateException when the filter has unbound variables */
  public boolean matches(CloudEvent event) {
    return matches(FilterableEvent.of(event));
  }

  /** @throws IllegalStateException when the filter has unbound variables */
  public boolean matches(FilterableEvent event) {
    if (!unbound.isEmpty()) {
      throw new IllegalStateException("the filter uses unbound variables " + unbound.stream()
          .map(name -> "${" + name + "}").toList() + "; bind them first");
    }
    return root.test(event);
  }

  /** A filter matching when both match, e.g. a plan's filter and a subscription's filter. */
  public EventFilter and(EventFilter other) {
    Objects.requireNonNull(other, "other");
    if (matchesEverything(this)) {
      return other;
    }
    if (matchesEverything(other)) {
      return this;
    }
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    ArrayNode both = json.putArray("$and");
    both.add(source.deepCopy());
    both.add(other.source.deepCopy());
    return new EventFilter(json, new Ast.All(List.of(root, other.root)),
        union(variables, other.variables), union(unbound, other.unbound));
  }

  /** The filter as given (variables unbound), to store or show; a fresh copy each call. */
  public JsonNode toJson() {
    return source.deepCopy();
  }

  @Override
  public String toString() {
    return source.toString();
  }

  private static boolean matchesEverything(EventFilter filter) {
    return filter.root instanceof Ast.All all && all.parts().isEmpty();
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return sorted(all);
  }

  private static Set<String> sorted(Set<String> names) {
    return Collections.unmodifiableSet(new TreeSet<>(names));
  }
}
