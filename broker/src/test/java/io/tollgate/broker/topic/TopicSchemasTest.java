package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Validation work is bounded by the data's depth and the schema's size, with a net under both. */
class TopicSchemasTest {
  private static final String SELF_REFERRING = "{\"additionalProperties\":{\"$ref\":\"#\"}}";

  private static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  private static Catalog.Topic topic(String schema) {
    return new Catalog.Topic("t.t", "t", 1, List.of(schema), Instant.EPOCH);
  }

  private static CloudEvent event(String data) {
    return CloudEvent.newBuilder().setSpecVersion("1.0").setId("e").setSource("/s").setType("t").setJsonData(data).build();
  }

  @Test
  void dataAtTheDepthLimitIsValidatedAndDeeperDataIsRefusedBeforeValidation() {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), 65536);
    schemas.validate(topic(SELF_REFERRING), event(nested(64)));
    assertEquals("too_deep", assertThrows(Refusal.class,
        () -> schemas.validate(topic(SELF_REFERRING), event(nested(990)))).code());
  }

  @Test
  void aStackThatRunsOutAnywayRefusesTheEventInsteadOfRaisingAFatalError() throws Exception {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(StrictJson.CEILING), 65536);
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread small = new Thread(null, () -> {
      try {
        schemas.validate(topic(SELF_REFERRING), event(nested(990)));
      } catch (Throwable t) {
        outcome.set(t);
      }
      done.complete(null);
    }, "small-stack", 128 * 1024);
    small.start();
    done.get();
    Refusal refused = (Refusal) outcome.get();
    assertEquals("schema_too_complex", refused.code());
  }

  @Test
  void aSchemaThatRefersToItselfWithoutGoingIntoTheDataIsRefusedWhenGivenAndRefusesEventsIfJournaledBefore() {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), 65536);
    for (String loop : List.of("{\"$ref\":\"#\"}", "{\"allOf\":[{\"$ref\":\"#\"}]}",
        "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}",
        "{\"if\":{\"type\":\"array\"},\"then\":{\"$ref\":\"#\"}}")) {
      assertEquals("schema_too_complex", assertThrows(Refusal.class,
          () -> schemas.checked(new StrictJson(64).read(loop))).code(), loop);
      assertEquals("schema_too_complex", assertThrows(Refusal.class,
          () -> schemas.validate(topic(loop), event("[1]"))).code(), loop);
    }
    schemas.checked(new StrictJson(64).read(SELF_REFERRING));
  }

  @Test
  void aSchemaLongerThanTheLimitIsRefused() {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), 100);
    String schema = "{\"description\":\"" + "d".repeat(100) + "\"}";
    assertEquals("schema_too_large", assertThrows(Refusal.class,
        () -> schemas.checked(new StrictJson(64).read(schema))).code());
  }
}
