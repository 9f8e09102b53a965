package io.tollgate.protocols.redaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Field redaction: what each rule does to an event's JSON data, and every rule the API refuses. */
class RedactionTest {
  static RedactionRule rule(String pointer, String action) {
    return RedactionRule.newBuilder().setPointer(pointer).setAction(action).build();
  }

  static Redaction redaction(String... pointersAndActions) {
    List<RedactionRule> rules = new ArrayList<>();
    for (int i = 0; i < pointersAndActions.length; i += 2) {
      rules.add(rule(pointersAndActions[i], pointersAndActions[i + 1]));
    }
    return Redaction.parse(rules);
  }

  static CloudEvent json(String data) {
    return CloudEvent.newBuilder().setId("e-1").setSource("/shop").setSpecVersion("1.0").setType("t").setJsonData(data).build();
  }

  static String redacted(Redaction redaction, String data) {
    return redaction.apply(json(data)).getJsonData();
  }

  @ParameterizedTest(name = "{0} {1} on {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "/card/number   | mask   | `{\"card\":{\"number\":\"4111\",\"exp\":\"12/29\"}}` | `{\"card\":{\"number\":\"***\",\"exp\":\"12/29\"}}`",
      "/card/number   | remove | `{\"card\":{\"number\":\"4111\",\"exp\":\"12/29\"}}` | `{\"card\":{\"exp\":\"12/29\"}}`",
      "/card          | mask   | `{\"card\":{\"number\":\"4111\"},\"n\":1}`           | `{\"card\":\"***\",\"n\":1}`",
      "/n             | mask   | `{\"n\":12.50}`                                        | `{\"n\":\"***\"}`",
      "/items/1       | mask   | `{\"items\":[\"a\",\"b\",\"c\"]}`                      | `{\"items\":[\"a\",\"***\",\"c\"]}`",
      "/items/1       | remove | `{\"items\":[\"a\",\"b\",\"c\"]}`                      | `{\"items\":[\"a\",\"c\"]}`",
      "/items/0/sku   | remove | `{\"items\":[{\"sku\":\"x\",\"q\":2}]}`                | `{\"items\":[{\"q\":2}]}`",
      "/a~1b          | mask   | `{\"a/b\":1,\"a\":{\"b\":2}}`                          | `{\"a/b\":\"***\",\"a\":{\"b\":2}}`",
      "/m~0n          | remove | `{\"m~n\":1,\"k\":2}`                                  | `{\"k\":2}`",
      "/              | mask   | `{\"\":1}`                                             | `{\"\":\"***\"}`",
      "/0             | mask   | `{\"0\":\"zero\"}`                                     | `{\"0\":\"***\"}`",
      "/n             | mask   | `{\"n\":null}`                                         | `{\"n\":\"***\"}`",
  })
  void aRuleMasksOrRemovesTheValueItPointsAt(String pointer, String action, String data, String expected) {
    assertEquals(expected, redacted(redaction(pointer, action), data));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "/card/number | `{\"card\":\"4111\"}`",
      "/card/number | `{\"other\":1}`",
      "/items/3     | `{\"items\":[1,2,3]}`",
      "/items/01    | `{\"items\":[1,2,3]}`",
      "/items/-     | `{\"items\":[1,2,3]}`",
      "/items/x     | `{\"items\":[1,2,3]}`",
      "/a           | `[{\"a\":1}]`",
      "/a           | `\"a string\"`",
  })
  void aPointerThatNamesNothingLeavesTheEventAsItWas(String pointer, String data) {
    CloudEvent event = json(data);
    assertSame(event, redaction(pointer, "mask").apply(event));
  }

  @Test
  void numbersAndKeyOrderOfTheRestAreKept() {
    assertEquals("{\"big\":123456789012345678901234567890,\"exact\":0.10000000000000000001,\"z\":1}",
        redacted(redaction("/secret", "remove"),
            "{\"big\":123456789012345678901234567890,\"exact\":0.10000000000000000001,\"secret\":\"s\",\"z\":1}"));
  }

  @Test
  void rulesApplyInOrder() {
    assertEquals("{\"items\":[\"b\",\"***\"]}", redacted(redaction("/items/0", "remove", "/items/1", "mask"),
        "{\"items\":[\"a\",\"b\",\"c\"]}"), "the second rule sees the array the first left");
  }

  @Test
  void dataWithARepeatedKeyIsDroppedWhateverCopyTheTextHad() {
    assertEquals(CloudEvent.DataCase.DATA_NOT_SET,
        redaction("/pan", "remove").apply(json("{\"pan\":\"1\",\"pan\":\"2\"}")).getDataCase());
    CloudEvent hidden = redaction("/card/number", "mask")
        .apply(json("{\"card\":{\"number\":\"4111111111111111\"},\"card\":1}"));
    assertEquals(CloudEvent.DataCase.DATA_NOT_SET, hidden.getDataCase(),
        "a last-one-wins reader sees no /card/number, so nothing of this data may pass");
    assertEquals(CloudEvent.DataCase.DATA_NOT_SET, redaction("/a", "mask")
        .apply(json("{\"x\":{\"k\":1,\"\\u006b\":2}}")).getDataCase(), "a key repeated under an escape is repeated");
  }

  @Test
  void textAndBinaryDataPassUnchangedAndUnreadableJsonIsDropped() {
    Redaction redaction = redaction("/card", "remove");
    CloudEvent text = json("x").toBuilder().setTextData("card=4111").build();
    CloudEvent binary = json("x").toBuilder().setBinaryData(ByteString.copyFrom("card", StandardCharsets.UTF_8)).build();
    assertSame(text, redaction.apply(text));
    assertSame(binary, redaction.apply(binary));
    CloudEvent unreadable = redaction.apply(json("{\"card\":"));
    assertEquals(CloudEvent.DataCase.DATA_NOT_SET, unreadable.getDataCase());
    assertEquals("e-1", unreadable.getId());
    assertEquals(CloudEvent.DataCase.DATA_NOT_SET, redaction.apply(json("{\"x\":1} {\"card\":\"4111\"}")).getDataCase(),
        "a second value after the first is not passed on unredacted");
  }

  @Test
  void noRulesChangeNothing() {
    CloudEvent event = json("{\"card\":1}");
    assertSame(event, Redaction.parse(List.of()).apply(event));
    assertTrue(Redaction.parse(List.of()).isEmpty());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "``          | mask   | redact[1].pointer: the empty pointer names the whole data; name a field inside it, such as /card",
      "card/number | mask   | redact[1].pointer: a JSON pointer starts with /, as in /card/number",
      "/a~2        | mask   | redact[1].pointer: ~ must be followed by 0 (for ~) or 1 (for /), at position 2",
      "/a~         | mask   | redact[1].pointer: ~ must be followed by 0 (for ~) or 1 (for /), at position 2",
      "/ok         | hide   | redact[1].action: must be \"remove\" or \"mask\", was \"hide\"",
      "/ok         | ``     | redact[1].action: must be \"remove\" or \"mask\", was \"\"",
      "/first      | remove | redact[1].pointer: /first is already redacted by an earlier rule",
  })
  void aBadRuleIsRefusedNamingTheEntry(String pointer, String action, String message) {
    RedactionException refused = assertThrows(RedactionException.class,
        () -> Redaction.parse(List.of(rule("/first", "mask"), rule(pointer, action))));
    assertEquals(message, refused.getMessage());
  }

  @Test
  void rulesAndTheirDepthAreLimited() {
    List<RedactionRule> many = IntStream.rangeClosed(0, Redaction.MAX_RULES).mapToObj(i -> rule("/f" + i, "mask")).toList();
    assertEquals("redact: at most 64 rules, not 65", assertThrows(RedactionException.class, () -> Redaction.parse(many)).getMessage());
    String deep = "/a".repeat(Redaction.MAX_TOKENS + 1);
    assertEquals("redact[0].pointer: at most 32 tokens deep",
        assertThrows(RedactionException.class, () -> Redaction.parse(List.of(rule(deep, "mask")))).getMessage());
    assertEquals(Redaction.MAX_TOKENS, Redaction.parse(List.of(rule("/a".repeat(Redaction.MAX_TOKENS), "mask")))
        .rules().get(0).pointer().tokens().size());
  }
}
