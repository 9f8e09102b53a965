package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Instant;
import java.util.List;

/**
 * Fuzzes schema validation of published data: any schema text a tenant may send and any data a
 * producer may publish. A schema is accepted or refused with an {@link Refusal}; an event
 * is accepted or refused with one; and the bounds alone keep validation off the end of the
 * stack ({@code schema_too_complex}, the safety net, never fires). Seeds:
 * {@code TopicSchemasFuzzTestInputs/}.
 */
class TopicSchemasFuzzTest {
  private static final StrictJson DATA = new StrictJson(StrictJson.DEFAULT_MAX_DEPTH);
  private static final StrictJson REQUESTS = new StrictJson(128);
  /** Schemas that refer to themselves, which the fuzzer would take long to write. */
  private static final List<String> KNOWN = List.of(
      "{\"additionalProperties\":{\"$ref\":\"#\"}}",
      "{\"items\":{\"$ref\":\"#\"},\"properties\":{\"a\":{\"$ref\":\"#\"}}}",
      "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}]}",
      "{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/n\"}}}},\"$ref\":\"#/$defs/n\"}");
  private static final TopicSchemas SCHEMAS = new TopicSchemas(DATA, new TopicSchemas.Limits(65536, 100_000, 4));

  @FuzzTest(maxDuration = "60s")
  void anySchemaAndAnyData(FuzzedDataProvider data) {
    int pick = data.consumeInt(0, KNOWN.size());
    String schemaText = pick < KNOWN.size() ? KNOWN.get(pick) : data.consumeString(4000);
    String schema;
    try {
      schema = SCHEMAS.checked(REQUESTS.read(schemaText));
    } catch (StrictJsonException | Refusal refused) {
      return;
    }
    Catalog.Topic topic = new Catalog.Topic("fuzz.t", "fuzz", 1, List.of(schema), Instant.EPOCH, 0, 0, java.util.Optional.empty());
    CloudEvent event = CloudEvent.newBuilder().setSpecVersion("1.0").setId("e").setSource("/s").setType("t")
        .setJsonData(data.consumeRemainingAsString()).build();
    try {
      SCHEMAS.validate(topic, event);
    } catch (Refusal refused) {
      assertNotEquals("schema_too_complex", refused.code(), refused.getMessage());
    }
  }
}
