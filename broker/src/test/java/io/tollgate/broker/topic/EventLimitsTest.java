package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every attribute of an event is bounded, whichever edge decoded it; the refusal names the attribute and its key. */
class EventLimitsTest {
  private static final EventLimits LIMITS = new EventLimits(8, 10, 12, 14, 16, 2);

  private static CloudEvent.Builder event() {
    return CloudEvent.newBuilder().setId("e1").setSource("/shop").setSpecVersion("1.0").setType("order");
  }

  private static AttributeValue text(String value) {
    return AttributeValue.newBuilder().setCeString(value).build();
  }

  @Test
  void anEventAtEveryLimitPasses() {
    CloudEvent atLimits = event().setId("x".repeat(8)).setSource("x".repeat(10)).setType("x".repeat(12))
        .putAttributes("subject", text("x".repeat(14))).putAttributes("dataschema", text("x".repeat(16)))
        .putAttributes("abcdef", text("x".repeat(16))).putAttributes("trace", text("x")).build();
    assertDoesNotThrow(() -> LIMITS.check(atLimits));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "id | max-event-id-length",
      "source | max-event-source-length",
      "type | max-event-type-length",
      "subject | max-event-subject-length",
      "datacontenttype | max-event-attribute-length",
      "dataschema | max-event-attribute-length",
      "time | max-event-attribute-length",
      "trace | max-event-attribute-length",
  })
  void eachAttributeLongerThanItsLimitIsRefusedNamingItAndItsKey(String attribute, String key) {
    String long20 = "x".repeat(20);
    CloudEvent.Builder event = event();
    switch (attribute) {
      case "id" -> event.setId(long20);
      case "source" -> event.setSource(long20);
      case "type" -> event.setType(long20);
      default -> event.putAttributes(attribute, text(long20));
    }
    Refusal refused = assertThrows(Refusal.class, () -> LIMITS.check(event.build()));
    assertEquals("field_too_long", refused.code());
    assertTrue(refused.getMessage().contains("\"" + attribute + "\"") && refused.getMessage().contains("tollgate.limits." + key),
        refused.getMessage());
  }

  @Test
  void bytesCountAsTheirBase64() {
    Refusal refused = assertThrows(Refusal.class, () -> LIMITS.check(event()
        .putAttributes("blob", AttributeValue.newBuilder().setCeBytes(ByteString.copyFrom(new byte[13])).build()).build()));
    assertTrue(refused.getMessage().contains("20 characters"), refused.getMessage());
  }

  @Test
  void moreExtensionsThanTheLimitAreRefusedButTheSpecsOptionalAttributesAreNotExtensions() {
    assertDoesNotThrow(() -> LIMITS.check(event().putAttributes("subject", text("s")).putAttributes("time", text("t"))
        .putAttributes("a", text("1")).putAttributes("b", text("2")).build()));
    Refusal refused = assertThrows(Refusal.class, () -> LIMITS.check(event()
        .putAttributes("a", text("1")).putAttributes("b", text("2")).putAttributes("c", text("3")).build()));
    assertEquals("too_many_extensions", refused.code());
  }

  @Test
  void aHugeIdIsNotEchoedWhole() {
    Refusal refused = assertThrows(Refusal.class, () -> LIMITS.check(event().setId("y".repeat(100_000)).build()));
    assertTrue(refused.getMessage().length() < 300, refused.getMessage());
  }
}
