package io.tollgate.protocols.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every malformed filter and every limit, with the path the error names. */
class FilterErrorsTest {
  static FilterException error(String filter) {
    return assertThrows(FilterException.class, () -> EventFilter.parse(filter), filter);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      // not a filter
      "`[]`                                     | filter: a filter must be a JSON object, not an array",
      "`\"x\"`                                  | filter: a filter must be a JSON object, not a string",
      "`null`                                   | filter: a filter must be a JSON object, not null",
      "`{\"$not\": 3}`                          | filter.$not: a filter must be a JSON object, not a number",
      "`{\"$or\": [{}, []]}`                    | filter.$or[1]: a filter must be a JSON object, not an array",
      // combinators
      "`{\"$and\": {}}`                         | filter.$and: $and needs a non-empty array of filters, not an object",
      "`{\"$or\": []}`                          | filter.$or: $or needs a non-empty array of filters, not an array",
      "`{\"$nor\": [{}]}`                       | filter.$nor: unknown combinator $nor; a key is a field path or one of $and, $or, $not",
      "`{\"$where\": \"1\"}`                    | filter.$where: unknown combinator $where; a key is a field path or one of $and, $or, $not",
      // field paths
      "`{\"\": 1}`                              | filter.: a field path must not be empty",
      "`{\"data.\": 1}`                         | filter.data.: a field path must not have an empty segment",
      "`{\"data..a\": 1}`                       | filter.data..a: a field path must not have an empty segment",
      "`{\"Type\": \"x\"}`                      | filter.Type: \"Type\" is not an attribute name (1 to 20 lower-case letters or digits) nor a data path",
      "`{\"data_base64\": \"x\"}`               | filter.data_base64: \"data_base64\" is not an attribute name (1 to 20 lower-case letters or digits) nor a data path",
      "`{\"subject.a\": \"x\"}`                 | filter.subject.a: only data paths have dots: a key is an attribute name, data, or data.<field>...",
      "`{\"data.${x}\": 1}`                     | filter.data.${x}: variables are allowed in values, not in field paths",
      // field values
      "`{\"type\": [\"a\"]}`                    | filter.type: a field's condition is a literal or an object of operators, not an array; use $in to match one of several values",
      "`{\"type\": {}}`                         | filter.type: an object of operators needs at least one operator ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith)",
      "`{\"data.a\": {\"b\": 1}}`               | filter.data.a: \"b\" is not an operator; a field's object holds operators ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith); to match inside JSON data use a dotted path such as data.a.b",
      "`{\"data.a\": {\"$regex\": \".*\"}}`     | filter.data.a: unknown operator $regex; the operators are $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith",
      // operator operands
      "`{\"$or\": [{}, {\"data.total\": {\"$gt\": []}}]}` | filter.$or[1].data.total: $gt needs a number or a string, not an array",
      "`{\"data.a\": {\"$gte\": true}}`         | filter.data.a: $gte needs a number or a string, not a boolean",
      "`{\"data.a\": {\"$lt\": null}}`          | filter.data.a: $lt needs a number or a string, not null",
      "`{\"data.a\": {\"$lte\": {}}}`           | filter.data.a: $lte needs a number or a string, not an object",
      "`{\"data.a\": {\"$eq\": [1]}}`           | filter.data.a: $eq needs a string, number, boolean or null, not an array",
      "`{\"data.a\": {\"$ne\": {\"x\": 1}}}`    | filter.data.a: $ne needs a string, number, boolean or null, not an object",
      "`{\"data.a\": {\"$in\": 1}}`             | filter.data.a: $in needs an array of literals, not a number",
      "`{\"data.a\": {\"$nin\": \"a\"}}`        | filter.data.a: $nin needs an array of literals, not a string",
      "`{\"data.a\": {\"$in\": [1, [2]]}}`      | filter.data.a: $in[1] needs a string, number, boolean or null, not an array",
      "`{\"data.a\": {\"$nin\": [{}]}}`         | filter.data.a: $nin[0] needs a string, number, boolean or null, not an object",
      "`{\"data.a\": {\"$exists\": \"yes\"}}`   | filter.data.a: $exists needs true or false, not a string",
      "`{\"data.a\": {\"$exists\": \"${x}\"}}`  | filter.data.a: $exists needs true or false, not a string",
      "`{\"data.a\": {\"$exists\": 1}}`         | filter.data.a: $exists needs true or false, not a number",
      "`{\"data.a\": {\"$startsWith\": 1}}`     | filter.data.a: $startsWith needs a string, not a number",
      // variables
      "`{\"subject\": \"${account}-x\"}`        | filter.subject: the value: \"${account}-x\" is not a variable; a variable is a whole string ${name} (a letter or _, then letters, digits or _), and other strings must not contain ${",
      "`{\"subject\": {\"$startsWith\": \"${1a}\"}}` | filter.subject: $startsWith: \"${1a}\" is not a variable; a variable is a whole string ${name} (a letter or _, then letters, digits or _), and other strings must not contain ${",
      "`{\"subject\": {\"$in\": [\"${}\"]}}`    | filter.subject: $in[0]: \"${}\" is not a variable; a variable is a whole string ${name} (a letter or _, then letters, digits or _), and other strings must not contain ${",
  })
  void malformedFilterNamesThePath(String filter, String message) {
    FilterException e = error(filter);
    assertEquals(message, e.getMessage());
    assertEquals(message.substring(0, message.indexOf(": ")), e.path());
    assertEquals("invalid_filter", e.code());
  }

  @Test
  void malformedJson() {
    FilterException e = error("{\"type\": ");
    assertTrue(e.getMessage().startsWith("filter: not valid JSON: "), e.getMessage());
    assertEquals("filter", e.path());
    assertTrue(error("{\"type\": \"a\", \"type\": \"b\"}").getMessage().startsWith("filter: not valid JSON: Duplicate field 'type'"));
    assertEquals("filter: a filter must be a JSON object, not nothing", error("").getMessage());
    assertEquals("filter: a filter must be a JSON object, not nothing",
        assertThrows(FilterException.class, () -> EventFilter.parse((String) null)).getMessage());
    assertEquals("filter: a filter must be a JSON object, not nothing",
        assertThrows(FilterException.class,
            () -> EventFilter.parse((com.fasterxml.jackson.databind.JsonNode) null)).getMessage());
  }

  @Test
  void nonFiniteNumbersFromAJsonTreeAreRejected() {
    ObjectNode filter = JsonNodeFactory.instance.objectNode();
    filter.putObject("data.a").set("$gt", DoubleNode.valueOf(Double.NaN));
    assertEquals("filter.data.a: $gt needs a finite number",
        assertThrows(FilterException.class, () -> EventFilter.parse(filter)).getMessage());
  }

  // ---- limits ----

  static String nestedNots(int depth) {
    // depth 1 is {"type":"t"}; each $not adds one level
    String filter = "{\"type\": \"t\"}";
    for (int i = 1; i < depth; i++) {
      filter = "{\"$not\": " + filter + "}";
    }
    return filter;
  }

  @Test
  void depthAtMostEight() {
    EventFilter eight = EventFilter.parse(nestedNots(8));
    assertEquals(false, eight.matches(Events.base().setType("t").build())); // seven $not: odd, so negated
    FilterException e = error(nestedNots(9));
    assertEquals("filter" + ".$not".repeat(8) + ": filters nest more than 8 deep", e.getMessage());
    FilterException viaOr = error("{\"$or\": [{\"$and\": [" + nestedNots(7) + "]}]}");
    assertTrue(viaOr.getMessage().endsWith(": filters nest more than 8 deep"), viaOr.getMessage());
    assertTrue(viaOr.path().startsWith("filter.$or[0].$and[0].$not"), viaOr.path());
  }

  static String fields(int n) {
    StringBuilder filter = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      filter.append(i == 0 ? "" : ",").append("\"data.f").append(i).append("\": ").append(i);
    }
    return filter.append('}').toString();
  }

  @Test
  void atMostSixtyFourConditions() {
    EventFilter.parse(fields(64));
    assertEquals("filter.data.f64: a filter has at most 64 conditions (operators and nested filters)",
        error(fields(65)).getMessage());
    // operators in one object count one each: 32 fields with two operators each is 64
    StringBuilder ops = new StringBuilder("{");
    for (int i = 0; i < 32; i++) {
      ops.append(i == 0 ? "" : ",").append("\"data.f").append(i).append("\": {\"$gte\": 0, \"$ne\": 5}");
    }
    EventFilter.parse(ops + "}");
    assertEquals("filter.data.g: a filter has at most 64 conditions (operators and nested filters)",
        error(ops + ", \"data.g\": {\"$exists\": true}}").getMessage());
    // nested filters count too: 32 clauses of one condition each is 64
    StringBuilder or = new StringBuilder("{\"$or\": [");
    for (int i = 0; i < 32; i++) {
      or.append(i == 0 ? "" : ",").append("{\"data.a\": ").append(i).append('}');
    }
    EventFilter.parse(or + "]}");
    assertEquals("filter.$or[32]: a filter has at most 64 conditions (operators and nested filters)",
        error(or + ", {}]}").getMessage());
    // empty clauses are not free
    StringBuilder empties = new StringBuilder("{\"$or\": [{}");
    for (int i = 1; i < 65; i++) {
      empties.append(", {}");
    }
    assertEquals("filter.$or[64]: a filter has at most 64 conditions (operators and nested filters)",
        error(empties + "]}").getMessage());
  }

  static String inOf(String op, int n) {
    StringBuilder filter = new StringBuilder("{\"data.a\": {\"" + op + "\": [");
    for (int i = 0; i < n; i++) {
      filter.append(i == 0 ? "" : ",").append(i);
    }
    return filter.append("]}}").toString();
  }

  @Test
  void inArraysAtMost256Values() {
    EventFilter.parse(inOf("$in", 256));
    EventFilter.parse(inOf("$nin", 256));
    assertEquals("filter.data.a: $in takes at most 256 values, this one has 257", error(inOf("$in", 257)).getMessage());
    assertEquals("filter.data.a: $nin takes at most 256 values, this one has 257", error(inOf("$nin", 257)).getMessage());
    assertTrue(EventFilter.parse(inOf("$in", 256)).matches(Events.json("{\"a\": 255}")));
  }

  @Test
  void pathsAtMostSixteenSegments() {
    String sixteen = "data" + ".a".repeat(15);
    String seventeen = "data" + ".a".repeat(16);
    EventFilter.parse("{\"" + sixteen + "\": 1}");
    assertEquals("filter." + seventeen + ": a field path has at most 16 segments, this one has 17",
        error("{\"" + seventeen + "\": 1}").getMessage());
    String json = "{\"a\":".repeat(15) + "1" + "}".repeat(15);
    assertTrue(EventFilter.parse("{\"" + sixteen + "\": 1}").matches(Events.json(json)));
  }
}
