package io.tollgate.broker.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.catalog.SchemaCompatibility.Mode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A new schema version widens what the current one accepts (backward), or is refused naming why. */
class SchemaCompatibilityTest {
  private static final String ORDER = """
      {"type":"object","required":["id"],"properties":{"id":{"type":"string","maxLength":20},
       "total":{"type":"number","minimum":0},"state":{"enum":["new","paid"]}},"additionalProperties":false}""";

  private static List<String> backward(String current, String next) {
    return SchemaCompatibility.problems(current, next, Mode.BACKWARD);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "the same schema                 | " + "`{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":20},\"total\":{\"type\":\"number\",\"minimum\":0},\"state\":{\"enum\":[\"new\",\"paid\"]}},\"additionalProperties\":false}`",
      "an optional property added      | `{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":20},\"total\":{\"type\":\"number\",\"minimum\":0},\"state\":{\"enum\":[\"new\",\"paid\"]},\"note\":{\"type\":\"string\"}},\"additionalProperties\":false}`",
      "a requirement dropped, a bound loosened, an enum value added, a description | `{\"description\":\"orders\",\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":40},\"total\":{\"type\":[\"number\",\"null\"]},\"state\":{\"enum\":[\"new\",\"paid\",\"void\"]}}}`",
      "anything                        | `{}`",
  })
  void aVersionThatOnlyWidensIsBackwardCompatible(String change, String next) {
    assertEquals(List.of(), backward(ORDER, next), change);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "a new required property          | `{\"type\":\"object\",\"required\":[\"id\",\"total\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":20},\"total\":{\"type\":\"number\",\"minimum\":0},\"state\":{\"enum\":[\"new\",\"paid\"]}},\"additionalProperties\":false}` | #/required",
      "a narrower type                  | `{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":20},\"total\":{\"type\":\"integer\",\"minimum\":0},\"state\":{\"enum\":[\"new\",\"paid\"]}},\"additionalProperties\":false}` | #/properties/total/type",
      "a tighter bound                  | `{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":10},\"total\":{\"type\":\"number\",\"minimum\":0},\"state\":{\"enum\":[\"new\",\"paid\"]}},\"additionalProperties\":false}` | #/properties/id/maxLength",
      "an enum value removed            | `{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":20},\"total\":{\"type\":\"number\",\"minimum\":0},\"state\":{\"enum\":[\"new\"]}},\"additionalProperties\":false}` | #/properties/state/enum",
      "a property refused that was let through | `{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\",\"maxLength\":20},\"state\":{\"enum\":[\"new\",\"paid\"]}},\"additionalProperties\":false}` | #/properties/total",
      "a keyword with no rule           | `{\"allOf\":[{\"type\":\"object\"}]}` | #/allOf",
      "nothing                          | `false` | #",
  })
  void aVersionThatRefusesWhatTheCurrentOneAcceptedIsNamedAtItsPlace(String change, String next, String place) {
    List<String> problems = backward(ORDER, next);
    assertTrue(problems.stream().anyMatch(problem -> problem.startsWith(place + ":")), change + ": " + problems);
  }

  @Test
  void forwardAndFullLookTheOtherWayAndBothWaysAndNoneLooksNowhere() {
    String optionalNote = "{\"type\":\"object\",\"properties\":{\"note\":{\"type\":\"string\"}}}";
    String requiredNote = "{\"type\":\"object\",\"required\":[\"note\"],\"properties\":{\"note\":{\"type\":\"string\"}}}";
    assertEquals(List.of(), SchemaCompatibility.problems(optionalNote, requiredNote, Mode.FORWARD));
    assertEquals(1, SchemaCompatibility.problems(optionalNote, requiredNote, Mode.BACKWARD).size());
    assertEquals(1, SchemaCompatibility.problems(optionalNote, requiredNote, Mode.FULL).size());
    assertEquals(1, SchemaCompatibility.problems(requiredNote, optionalNote, Mode.FULL).size());
    assertEquals(List.of(), SchemaCompatibility.problems(optionalNote, "false", Mode.NONE));
  }

  @Test
  void anIntegerIsANumberAndANumberIsNotAnInteger() {
    assertEquals(List.of(), backward("{\"type\":\"integer\"}", "{\"type\":\"number\"}"));
    assertEquals(1, backward("{\"type\":\"number\"}", "{\"type\":\"integer\"}").size());
  }
}
