package io.tollgate.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the CloudEvents JSON codec as the HTTP edge drives it. Whatever the bytes, the codec
 * either refuses them with one of its own exceptions ({@link StrictJsonException},
 * {@link CloudEventFormatException}) or yields events whose JSON data is strict JSON and which
 * survive being written and read again unchanged. Seeds: {@code CloudEventJsonFuzzTestInputs/}.
 * Regression mode (the normal test run) replays the seeds; {@code bench/fuzz.sh} fuzzes.
 */
class CloudEventJsonFuzzTest {
  private static final StrictJson DATA = new StrictJson(StrictJson.DEFAULT_MAX_DEPTH);
  private static final StrictJson BODIES = DATA.deeper(2);

  @FuzzTest(maxDuration = "60s")
  void structured(byte[] body) {
    JsonNode tree;
    CloudEvent event;
    try {
      tree = BODIES.read(body);
      event = CloudEventJson.parseStructured(tree);
    } catch (StrictJsonException | CloudEventFormatException refused) {
      return;
    }
    assertStrictData(event);
    assertEquals(event, CloudEventJson.parseStructured(BODIES.read(CloudEventJson.toJson(event))), "written and read again");
  }

  @FuzzTest(maxDuration = "60s")
  void batch(byte[] body) {
    List<CloudEvent> events;
    try {
      events = CloudEventJson.parseBatch(BODIES.read(body));
    } catch (StrictJsonException | CloudEventFormatException refused) {
      return;
    }
    for (CloudEvent event : events) {
      assertStrictData(event);
      assertEquals(event, CloudEventJson.parseStructured(BODIES.read(CloudEventJson.toJson(event))), "written and read again");
    }
  }

  @FuzzTest(maxDuration = "60s")
  void binary(FuzzedDataProvider data) {
    Map<String, String> headers = new HashMap<>();
    int count = data.consumeInt(0, 8);
    for (int i = 0; i < count; i++) {
      headers.put(data.consumeString(12), data.consumeString(40));
    }
    if (data.consumeBoolean()) {
      headers.putAll(Map.of("specversion", "1.0", "id", "1", "source", "/s", "type", "t"));
    }
    String contentType = data.consumeBoolean() ? null : data.consumeBoolean() ? "application/json" : data.consumeString(30);
    CloudEvent event;
    try {
      event = CloudEventJson.fromBinary(headers, contentType, data.consumeRemainingAsBytes(), DATA);
    } catch (StrictJsonException | CloudEventFormatException refused) {
      return;
    }
    assertStrictData(event);
    CloudEventJson.requireValid(event);
  }

  private static void assertStrictData(CloudEvent event) {
    if (event.getDataCase() == CloudEvent.DataCase.JSON_DATA) {
      DATA.check(event.getJsonData());
    }
  }
}
