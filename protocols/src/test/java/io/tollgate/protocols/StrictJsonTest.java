package io.tollgate.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the one JSON reader of outside input accepts, and the code of each refusal. */
class StrictJsonTest {
  private static final StrictJson JSON = new StrictJson(4);

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"a\":1,\"a\":2}`                 | duplicate_key",
      "`{\"a\":{\"b\":1,\"b\":{}}}`         | duplicate_key",
      "`{\"k\":1,\"\\u006b\":2}`            | duplicate_key",
      "`[[[[[1]]]]]`                        | too_deep",
      "`{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}` | too_deep",
      "`{\"a\":1} {\"b\":2}`                | trailing_json",
      "`1 2`                                | trailing_json",
      "`{\"a\":1}]`                         | trailing_json",
      "`{\"a\":1} x`                        | trailing_json",
      "`{\"a\":`                            | malformed_json",
      "`card=4111`                          | malformed_json",
      "``                                   | malformed_json",
      "`   `                                | malformed_json",
      "`{'a':1}`                            | malformed_json",
      "`NaN`                                | malformed_json",
      "`[1E1444444444444444444444444441]`   | malformed_json",
      "`{\"n\":-1e-99999999999999999999}`   | malformed_json",
  })
  void jsonThatIsNotExactlyOneValueWithoutRepeatedKeysWithinTheDepthIsRefusedWithItsCode(String text, String code) {
    assertEquals(code, assertThrows(StrictJsonException.class, () -> JSON.read(text)).code(), "read(String)");
    assertEquals(code, assertThrows(StrictJsonException.class,
        () -> JSON.read(text.getBytes(StandardCharsets.UTF_8))).code(), "read(byte[])");
    assertEquals(code, assertThrows(StrictJsonException.class, () -> JSON.check(text)).code(), "check");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`[[[[1]]]]`",
      "`{\"a\":{\"a\":{\"a\":{\"a\":1}}}}`",
      "` {\"n\":0.10000000000000000001,\"big\":123456789012345678901234567890} `",
      "`\"text\"`",
      "`null`",
      "`[{\"a\":1},{\"a\":1}]`",
  })
  void oneValueWithinTheDepthIsReadExactly(String text) {
    JSON.check(text);
    assertEquals(text.trim(), JSON.read(text).toString());
  }

  @Test
  void bytesThatDecodeToNoTextAreMalformed() {
    byte[] ucs4WithAnOddByteOrder = {0, 0, (byte) 0xff, (byte) 0xfe, '{', '}'};
    byte[] aboveUnicode = {0, 0, 0, '[', 0x7b, 0x21, 0x73, 0x5b, 0, 0, 0, ']'};
    for (byte[] bytes : List.of(ucs4WithAnOddByteOrder, aboveUnicode)) {
      assertEquals("malformed_json", assertThrows(StrictJsonException.class, () -> JSON.read(bytes)).code());
    }
  }

  @Test
  void theLimitIsBetweenOneAndTheCeilingAndAnEnvelopeMayAddLevels() {
    assertThrows(IllegalArgumentException.class, () -> new StrictJson(0));
    assertThrows(IllegalArgumentException.class, () -> new StrictJson(StrictJson.CEILING + 1));
    assertEquals(6, JSON.deeper(2).maxDepth());
    assertEquals(StrictJson.CEILING, new StrictJson(StrictJson.CEILING).deeper(2).maxDepth());
    JSON.deeper(1).check("[[[[[1]]]]]");
  }

  @Test
  void nestingFarBeyondTheLimitIsRefusedWithoutRecursing() {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);
    assertEquals("too_deep", assertThrows(StrictJsonException.class, () -> new StrictJson(StrictJson.CEILING).read(deep)).code());
  }
}
