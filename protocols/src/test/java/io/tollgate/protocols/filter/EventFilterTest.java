package io.tollgate.protocols.filter;

import static io.tollgate.protocols.filter.Events.json;
import static io.tollgate.protocols.filter.Events.matches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventFilterTest {
  static final CloudEvent ORDER = json("""
      {"total": 120.50, "count": 3, "currency": "EUR", "paid": true, "note": null,
       "customer": {"tier": "gold", "address": {"country": "NL"}},
       "items": [{"sku": "BK-1", "qty": 2}, {"sku": "PEN-9", "qty": 1}],
       "tags": ["a", "b"], "0": "zero-key"}""");

  @Test
  void emptyFilterAndMatchAllMatchEverything() {
    assertTrue(matches("{}", ORDER));
    assertTrue(EventFilter.matchAll().matches(ORDER));
    assertTrue(EventFilter.matchAll().matches(Events.base().build()));
    assertEquals("{}", EventFilter.matchAll().toJson().toString());
  }

  @Nested
  class Operators {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // literal = $eq
        "{\"data.currency\": \"EUR\"}                 | true",
        "{\"data.currency\": \"eur\"}                 | false",
        "{\"data.count\": 3}                          | true",
        "{\"data.count\": 3.0}                        | true",
        "{\"data.total\": 120.5}                      | true",
        "{\"data.total\": \"120.5\"}                  | false",
        "{\"data.paid\": true}                        | true",
        "{\"data.paid\": \"true\"}                    | false",
        "{\"data.note\": null}                        | true",
        "{\"data.currency\": null}                    | false",
        "{\"data.customer\": \"gold\"}                | false",
        "{\"data.tags\": \"a\"}                       | false",
        // $eq / $ne
        "{\"data.count\": {\"$eq\": 3}}               | true",
        "{\"data.count\": {\"$eq\": 4}}               | false",
        "{\"data.count\": {\"$ne\": 4}}               | true",
        "{\"data.count\": {\"$ne\": 3}}               | false",
        "{\"data.count\": {\"$ne\": \"3\"}}           | true",
        "{\"data.note\": {\"$ne\": null}}             | false",
        // $gt $gte $lt $lte on numbers
        "{\"data.total\": {\"$gt\": 120}}             | true",
        "{\"data.total\": {\"$gt\": 120.5}}           | false",
        "{\"data.total\": {\"$gte\": 120.50}}         | true",
        "{\"data.total\": {\"$lt\": 120.51}}          | true",
        "{\"data.total\": {\"$lt\": 120.5}}           | false",
        "{\"data.total\": {\"$lte\": 120.5}}          | true",
        "{\"data.count\": {\"$gt\": 2, \"$lt\": 4}}   | true",
        "{\"data.count\": {\"$gt\": 3, \"$lt\": 4}}   | false",
        "{\"data.count\": {\"$gt\": 2.999999999999999999999}} | true",
        "{\"data.count\": {\"$lt\": 3.000000000000000000001}} | true",
        // strings compare lexicographically
        "{\"data.currency\": {\"$gt\": \"EUA\"}}      | true",
        "{\"data.currency\": {\"$gte\": \"EUR\"}}     | true",
        "{\"data.currency\": {\"$lt\": \"EUR\"}}      | false",
        "{\"data.currency\": {\"$lte\": \"F\"}}       | true",
        // number vs string: false, never an error
        "{\"data.total\": {\"$gt\": \"1\"}}           | false",
        "{\"data.currency\": {\"$lt\": 1000}}         | false",
        "{\"data.paid\": {\"$gt\": 0}}                | false",
        "{\"data.note\": {\"$gte\": 0}}               | false",
        "{\"data.items\": {\"$gte\": 0}}              | false",
        // $in / $nin
        "{\"data.currency\": {\"$in\": [\"USD\", \"EUR\"]}}    | true",
        "{\"data.currency\": {\"$in\": [\"USD\", \"GBP\"]}}    | false",
        "{\"data.count\": {\"$in\": [1, 3.0]}}                 | true",
        "{\"data.count\": {\"$in\": [\"3\"]}}                  | false",
        "{\"data.note\": {\"$in\": [null]}}                    | true",
        "{\"data.count\": {\"$in\": []}}                       | false",
        "{\"data.currency\": {\"$nin\": [\"USD\", \"GBP\"]}}   | true",
        "{\"data.currency\": {\"$nin\": [\"EUR\"]}}            | false",
        "{\"data.count\": {\"$nin\": []}}                      | true",
        // $exists
        "{\"data.currency\": {\"$exists\": true}}     | true",
        "{\"data.currency\": {\"$exists\": false}}    | false",
        "{\"data.note\": {\"$exists\": true}}         | true",
        "{\"data.nope\": {\"$exists\": false}}        | true",
        "{\"data.nope\": {\"$exists\": true}}         | false",
        // $startsWith
        "{\"data.items.0.sku\": {\"$startsWith\": \"BK-\"}}   | true",
        "{\"data.items.1.sku\": {\"$startsWith\": \"BK-\"}}   | false",
        "{\"data.currency\": {\"$startsWith\": \"\"}}         | true",
        "{\"data.count\": {\"$startsWith\": \"3\"}}           | false",
        // all operators in one object must hold
        "{\"data.count\": {\"$exists\": true, \"$ne\": 3}}    | false",
    })
    void operatorOnData(String filter, boolean expected) {
      assertEquals(expected, matches(filter, ORDER), filter);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"data.nope\": \"x\"}                      | false",
        "{\"data.nope\": null}                       | false",
        "{\"data.nope\": {\"$eq\": 1}}               | false",
        "{\"data.nope\": {\"$ne\": 1}}               | true",
        "{\"data.nope\": {\"$ne\": null}}            | true",
        "{\"data.nope\": {\"$gt\": 1}}               | false",
        "{\"data.nope\": {\"$gte\": \"\"}}           | false",
        "{\"data.nope\": {\"$lt\": 1}}               | false",
        "{\"data.nope\": {\"$lte\": \"z\"}}          | false",
        "{\"data.nope\": {\"$in\": [null, 1]}}       | false",
        "{\"data.nope\": {\"$nin\": [null, 1]}}      | true",
        "{\"data.nope\": {\"$exists\": true}}        | false",
        "{\"data.nope\": {\"$exists\": false}}       | true",
        "{\"data.nope\": {\"$startsWith\": \"\"}}    | false",
        "{\"dataschema\": {\"$ne\": \"x\"}}          | true",
        "{\"dataschema\": {\"$exists\": false}}      | true",
        "{\"dataschema\": {\"$startsWith\": \"\"}}   | false",
        "{\"data.currency.x\": {\"$exists\": false}} | true",
        "{\"data.note.x\": {\"$exists\": false}}     | true",
    })
    void missingFieldFailsAllButNeNinAndExistsFalse(String filter, boolean expected) {
      assertEquals(expected, matches(filter, ORDER), filter);
    }
  }

  @Nested
  class Paths {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"data.customer.tier\": \"gold\"}              | true",
        "{\"data.customer.address.country\": \"NL\"}     | true",
        "{\"data.customer.address.city\": {\"$exists\": false}} | true",
        "{\"data.items.0.sku\": \"BK-1\"}                | true",
        "{\"data.items.1.qty\": 1}                       | true",
        "{\"data.items.2.sku\": {\"$exists\": false}}    | true",
        "{\"data.items.01.sku\": {\"$exists\": false}}   | true",
        "{\"data.items.-1.sku\": {\"$exists\": false}}   | true",
        "{\"data.items.x\": {\"$exists\": false}}        | true",
        "{\"data.tags.1\": \"b\"}                        | true",
        "{\"data.0\": \"zero-key\"}                      | true",
        "{\"data.items.99999999999\": {\"$exists\": false}} | true",
        "{\"data\": {\"$exists\": true}}                 | true",
        "{\"data.customer\": {\"$exists\": true}}        | true",
    })
    void nestedPathsAndArrayIndexes(String filter, boolean expected) {
      assertEquals(expected, matches(filter, ORDER), filter);
    }

    @Test
    void dataThatIsAScalarOrArray() {
      assertTrue(matches("{\"data\": 42}", json("42")));
      assertTrue(matches("{\"data\": \"hi\"}", json("\"hi\"")));
      assertTrue(matches("{\"data.1\": 20}", json("[10, 20]")));
      assertTrue(matches("{\"data.x\": {\"$exists\": false}}", json("42")));
      assertTrue(matches("{\"data\": null}", json("null")));
    }

    @Test
    void textDataIsTheTextAndHasNoFields() {
      CloudEvent text = Events.text("{\"a\": 1}");
      assertTrue(matches("{\"data\": \"{\\\"a\\\": 1}\"}", text));
      assertTrue(matches("{\"data\": {\"$startsWith\": \"{\"}}", text));
      assertFalse(matches("{\"data.a\": 1}", text));
      assertTrue(matches("{\"data.a\": {\"$exists\": false}}", text));
    }

    @Test
    void binaryDataExistsButEqualsNothing() {
      CloudEvent binary = Events.binary("hello");
      assertTrue(matches("{\"data\": {\"$exists\": true}}", binary));
      assertFalse(matches("{\"data\": \"hello\"}", binary));
      assertFalse(matches("{\"data\": \"aGVsbG8=\"}", binary));
      assertTrue(matches("{\"data\": {\"$ne\": \"hello\"}}", binary));
      assertFalse(matches("{\"data\": {\"$gte\": \"\"}}", binary));
      assertFalse(matches("{\"data\": {\"$startsWith\": \"\"}}", binary));
      assertTrue(matches("{\"data.a\": {\"$exists\": false}}", binary));
    }

    @Test
    void noDataMeansNoDataField() {
      CloudEvent none = Events.base().build();
      assertTrue(matches("{\"data\": {\"$exists\": false}}", none));
      assertFalse(matches("{\"data\": null}", none));
      assertTrue(matches("{\"data.a\": {\"$nin\": [1]}}", none));
    }

    @Test
    void unparsableJsonDataHasNoFieldsAndDoesNotThrow() {
      CloudEvent broken = json("{not json");
      assertFalse(matches("{\"data.a\": 1}", broken));
      assertTrue(matches("{\"data\": {\"$exists\": false}}", broken));
      assertTrue(matches("{\"data\": \"\"}", json("\"\"")), "an empty JSON string is still data");
    }
  }

  @Nested
  class Attributes {
    final CloudEvent event = Events.base()
        .putAttributes("time", AttributeValue.newBuilder().setCeTimestamp("2025-03-01T10:00:00Z").build())
        .putAttributes("dataschema", AttributeValue.newBuilder().setCeUri("https://s/1").build())
        .putAttributes("ref", AttributeValue.newBuilder().setCeUriRef("/a/b").build())
        .putAttributes("priority", AttributeValue.newBuilder().setCeInteger(5).build())
        .putAttributes("header", AttributeValue.newBuilder().setCeString("5").build())
        .putAttributes("urgent", AttributeValue.newBuilder().setCeBoolean(true).build())
        .putAttributes("sig", AttributeValue.newBuilder().setCeBytes(ByteString.copyFromUtf8("hi")).build())
        .putAttributes("unset", AttributeValue.getDefaultInstance())
        .build();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"id\": \"e-1\"}                                | true",
        "{\"source\": \"/shop\"}                          | true",
        "{\"type\": {\"$startsWith\": \"com.shop.\"}}     | true",
        "{\"specversion\": \"1.0\"}                       | true",
        "{\"subject\": \"acct-7\"}                        | true",
        "{\"time\": {\"$gte\": \"2025-03-01T00:00:00Z\", \"$lt\": \"2025-03-02T00:00:00Z\"}} | true",
        "{\"dataschema\": \"https://s/1\"}                | true",
        "{\"ref\": \"/a/b\"}                              | true",
        "{\"priority\": 5}                                | true",
        "{\"priority\": {\"$gt\": 4, \"$lte\": 5}}        | true",
        "{\"priority\": \"5\"}                            | false",
        "{\"header\": \"5\"}                              | true",
        "{\"header\": 5}                                  | false",
        "{\"header\": {\"$in\": [5, \"5\"]}}              | true",
        "{\"urgent\": true}                               | true",
        "{\"urgent\": \"true\"}                           | false",
        "{\"sig\": \"aGk=\"}                              | true",
        "{\"unset\": {\"$exists\": false}}                | true",
        "{\"partitionkey\": {\"$exists\": false}}         | true",
        "{\"datacontenttype\": {\"$exists\": false}}      | true",
    })
    void attributesAreTypedAsStored(String filter, boolean expected) {
      assertEquals(expected, matches(filter, event), filter);
    }
  }

  @Nested
  class Combinators {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"data.count\": 3, \"data.currency\": \"EUR\"}                       | true",
        "{\"data.count\": 3, \"data.currency\": \"USD\"}                       | false",
        "{\"$and\": [{\"data.count\": 3}, {\"data.currency\": \"EUR\"}]}       | true",
        "{\"$and\": [{\"data.count\": 3}, {\"data.currency\": \"USD\"}]}       | false",
        "{\"$or\": [{\"data.count\": 4}, {\"data.currency\": \"EUR\"}]}        | true",
        "{\"$or\": [{\"data.count\": 4}, {\"data.currency\": \"USD\"}]}        | false",
        "{\"$not\": {\"data.count\": 3}}                                       | false",
        "{\"$not\": {\"data.count\": 4}}                                       | true",
        "{\"$not\": {}}                                                        | false",
        "{\"$or\": [{}]}                                                       | true",
        "{\"$not\": {\"$or\": [{\"data.count\": 4}, {\"$not\": {\"data.paid\": true}}]}} | true",
        "{\"type\": \"com.shop.order.created\", \"$or\": [{\"data.total\": {\"$gt\": 1000}}, {\"data.customer.tier\": \"gold\"}]} | true",
        "{\"$and\": [{\"$or\": [{\"data.count\": 1}, {\"data.count\": 3}]}, {\"$not\": {\"data.currency\": \"USD\"}}]} | true",
    })
    void combinators(String filter, boolean expected) {
      assertEquals(expected, matches(filter, ORDER), filter);
    }

    @Test
    void andJoinsTwoFilters() {
      EventFilter plan = EventFilter.parse("{\"type\": {\"$startsWith\": \"com.shop.\"}}");
      EventFilter wantsGold = EventFilter.parse("{\"data.customer.tier\": \"gold\"}");
      EventFilter wantsSilver = EventFilter.parse("{\"data.customer.tier\": \"silver\"}");
      assertTrue(plan.and(wantsGold).matches(ORDER));
      assertFalse(plan.and(wantsSilver).matches(ORDER));
      assertFalse(wantsSilver.and(plan).matches(ORDER));
      assertEquals("{\"$and\":[{\"type\":{\"$startsWith\":\"com.shop.\"}},{\"data.customer.tier\":\"gold\"}]}",
          plan.and(wantsGold).toJson().toString());
      assertSame(plan, plan.and(EventFilter.matchAll()));
      assertSame(plan, EventFilter.matchAll().and(plan));
      assertSame(plan, EventFilter.parse("{}").and(plan));
      // the joined form parses back to a filter that behaves the same
      assertTrue(EventFilter.parse(plan.and(wantsGold).toJson()).matches(ORDER));
    }
  }

  @Nested
  class Variables {
    @Test
    void boundVariableActsAsAStringLiteral() {
      EventFilter plan = EventFilter.parse("{\"subject\": \"${account}\"}");
      assertEquals(java.util.Set.of("account"), plan.variables());
      assertFalse(plan.isBound());
      assertTrue(plan.bind(Map.of("account", "acct-7")).matches(ORDER));
      assertFalse(plan.bind(Map.of("account", "acct-8")).matches(ORDER));
      EventFilter bound = plan.bind(Map.of("account", "acct-7", "unused", "x"));
      assertTrue(bound.isBound());
      assertEquals(java.util.Set.of("account"), bound.variables());
      assertEquals("{\"subject\":\"${account}\"}", bound.toJson().toString(), "toJson keeps the unbound form");
    }

    @Test
    void variablesWorkInEveryStringPosition() {
      EventFilter filter = EventFilter.parse("""
          {"data.currency": {"$in": ["USD", "${cur}"], "$ne": "${bad}", "$gte": "${low}",
                             "$startsWith": "${prefix}"},
           "$or": [{"source": "${src}"}, {"$not": {"data.x": {"$exists": true}}}]}""");
      assertEquals(java.util.List.of("bad", "cur", "low", "prefix", "src"), java.util.List.copyOf(filter.variables()));
      Map<String, String> values = Map.of("cur", "EUR", "bad", "GBP", "low", "A", "prefix", "E", "src", "/x");
      assertTrue(filter.bind(values).matches(ORDER));
      Map<String, String> other = new java.util.HashMap<>(values);
      other.put("cur", "JPY");
      assertFalse(filter.bind(other).matches(ORDER));
    }

    @Test
    void boundValuesAreNotExpandedAgainAndCannotBeRebound() {
      EventFilter filter = EventFilter.parse("{\"data.currency\": \"${a}\"}");
      EventFilter bound = filter.bind(Map.of("a", "${b}"));
      assertFalse(bound.bind(Map.of("b", "EUR")).matches(ORDER));
      assertTrue(bound.matches(json("{\"currency\": \"${b}\"}")));
      EventFilter eur = filter.bind(Map.of("a", "EUR"));
      assertSame(eur, eur.bind(Map.of("a", "USD")));
      assertTrue(eur.matches(ORDER));
    }

    @Test
    void boundNumbersStayStrings() {
      EventFilter filter = EventFilter.parse("{\"data.count\": \"${n}\"}").bind(Map.of("n", "3"));
      assertFalse(filter.matches(ORDER));
      assertTrue(filter.matches(json("{\"count\": \"3\"}")));
    }

    @Test
    void evaluatingUnboundFilterThrows() {
      EventFilter filter = EventFilter.parse("{\"$or\": [{}, {\"subject\": \"${account}\"}]}");
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> filter.matches(ORDER));
      assertTrue(e.getMessage().contains("${account}"), e.getMessage());
      EventFilter joined = EventFilter.parse("{\"type\": {\"$exists\": true}}").and(filter);
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> joined.matches(ORDER));
      assertTrue(joined.bind(Map.of("account", "z")).matches(ORDER));
    }

    @Test
    void missingBindingNamesWhereTheVariableIsUsed() {
      EventFilter filter = EventFilter.parse("{\"type\": \"t\", \"$or\": [{\"x\": 1}, {\"data.a\": {\"$in\": [1, \"${who}\"]}}]}");
      FilterException e = org.junit.jupiter.api.Assertions.assertThrows(FilterException.class,
          () -> filter.bind(Map.of("other", "v")));
      assertEquals("filter.$or[1].data.a: variable ${who} has no value", e.getMessage());
      assertEquals("filter.$or[1].data.a", e.path());
      assertEquals("invalid_filter", e.code());
      java.util.HashMap<String, String> nullValue = new java.util.HashMap<>();
      nullValue.put("who", null);
      org.junit.jupiter.api.Assertions.assertThrows(FilterException.class, () -> filter.bind(nullValue));
    }

    @Test
    void andOfBoundAndUnboundBindsOnlyWhatIsLeft() {
      EventFilter plan = EventFilter.parse("{\"subject\": \"${account}\"}").bind(Map.of("account", "acct-7"));
      EventFilter sub = EventFilter.parse("{\"data.currency\": \"${cur}\"}");
      EventFilter both = plan.and(sub);
      assertEquals(java.util.Set.of("account", "cur"), both.variables());
      assertFalse(both.isBound());
      assertTrue(both.bind(Map.of("cur", "EUR")).matches(ORDER));
      // the plan's account was bound already; a later binding cannot change it
      assertTrue(both.bind(Map.of("cur", "EUR", "account", "acct-8")).matches(ORDER));
    }
  }

  @Test
  void filterableEventParsesDataOnceForManyFilters() {
    FilterableEvent event = FilterableEvent.of(ORDER);
    assertTrue(EventFilter.parse("{\"data.count\": 3}").matches(event));
    assertTrue(EventFilter.parse("{\"data.items.0.qty\": 2}").matches(event));
    assertSame(ORDER, event.event());
    FieldPath data = FieldPath.data(java.util.List.of());
    assertSame(event.field(data), event.field(data), "the JSON data is parsed once and kept");
    assertTrue(EventFilter.parse("{\"type\": {\"$exists\": true}}").matches(Events.json("{broken")),
        "attribute-only filters never parse the data");
  }

  @Test
  void toJsonIsACopyOfTheFilterAsGiven() {
    EventFilter filter = EventFilter.parse("{\"type\": \"a\", \"data.n\": {\"$gt\": 1}}");
    com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) filter.toJson();
    json.put("type", "b");
    assertEquals("{\"type\":\"a\",\"data.n\":{\"$gt\":1}}", filter.toJson().toString());
    assertEquals(filter.toJson().toString(), filter.toString());
  }
}
