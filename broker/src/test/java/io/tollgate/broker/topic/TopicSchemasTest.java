package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.v1.CloudEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Validation work is bounded by the data's depth, the schema's size and a step budget, with a net under all. */
class TopicSchemasTest {
  private static final String SELF_REFERRING = "{\"additionalProperties\":{\"$ref\":\"#\"}}";
  private static final TopicSchemas.Limits LIMITS = new TopicSchemas.Limits(65536, 100_000, 4);

  /** n definitions, each {@code allOf} two references to the next: 2^n steps for any value. */
  private static String fanningOut(int n) {
    StringBuilder schema = new StringBuilder("{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
    for (int i = 0; i < n; i++) {
      String next = "{\"$ref\":\"#/$defs/d" + (i + 1) + "\"}";
      schema.append("\"d").append(i).append("\":{\"allOf\":[").append(next).append(',').append(next).append("]},");
    }
    return schema.append("\"d").append(n).append("\":{\"type\":\"object\"}}}").toString();
  }

  private static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  private static Catalog.Topic topic(String schema) {
    return new Catalog.Topic("t.t", "t", 1, List.of(schema), Instant.EPOCH, 0, 0, java.util.Optional.empty());
  }

  private static CloudEvent event(String data) {
    return CloudEvent.newBuilder().setSpecVersion("1.0").setId("e").setSource("/s").setType("t").setJsonData(data).build();
  }

  @Test
  void dataAtTheDepthLimitIsValidatedAndDeeperDataIsRefusedBeforeValidation() {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
    schemas.validate(topic(SELF_REFERRING), event(nested(64)));
    assertEquals("too_deep", assertThrows(Refusal.class,
        () -> schemas.validate(topic(SELF_REFERRING), event(nested(990)))).code());
  }

  @Test
  void aStackThatRunsOutAnywayRefusesTheEventInsteadOfRaisingAFatalError() throws Exception {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(StrictJson.CEILING), LIMITS);
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
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
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
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), new TopicSchemas.Limits(100, 100_000, 4));
    String schema = "{\"description\":\"" + "d".repeat(100) + "\"}";
    assertEquals("schema_too_large", assertThrows(Refusal.class,
        () -> schemas.checked(new StrictJson(64).read(schema))).code());
  }

  @Test
  void referencesThatFanOutAreRefusedWhenGivenRatherThanTakingSecondsOnEveryEvent() {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
    assertEquals("schema_too_complex", assertThrows(Refusal.class,
        () -> schemas.checked(new StrictJson(64).read(fanningOut(20)))).code());
    schemas.checked(new StrictJson(64).read(fanningOut(8)));
  }

  @Test
  void twoSubschemasIntoTheSameMemberRefuseADeepEventWithinItsBudgetAndValidateAShallowOne() {
    String twice = "{\"allOf\":[{\"properties\":{\"a\":{\"$ref\":\"#\"}}},{\"properties\":{\"a\":{\"$ref\":\"#\"}}}]}";
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
    schemas.checked(new StrictJson(64).read(twice));
    schemas.validate(topic(twice), event(nested(8)));
    Refusal refused = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> assertThrows(Refusal.class, () -> schemas.validate(topic(twice), event(nested(60)))));
    assertEquals("schema_too_costly", refused.code());
  }

  @Test
  void aLargeHonestEventGetsABudgetInProportionToItsLength() {
    String numbers = "{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":0}}";
    String data = "[" + "1,".repeat(99_999) + "1]";
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
    schemas.validate(topic(numbers), event(data));
    TopicSchemas floorOnly = new TopicSchemas(new StrictJson(64), new TopicSchemas.Limits(65536, 100_000, 1));
    assertEquals("schema_too_costly", assertThrows(Refusal.class, () -> floorOnly.validate(topic(numbers), event(data))).code());
  }

  @Test
  void aSchemaLoadsNothingFromTheNetworkOrTheClassPath() throws Exception {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listener.configureBlocking(false);
      String remote = "{\"$ref\":\"http://127.0.0.1:" + listener.socket().getLocalPort() + "/schema.json\"}";
      assertEquals("invalid_schema", assertThrows(Refusal.class,
          () -> schemas.checked(new StrictJson(64).read(remote))).code());
      assertNull(listener.accept(), "the schema's reference was fetched");
    }
    String classpath = "{\"$ref\":\"classpath:tollgate/node.conf\"}";
    assertEquals("invalid_schema", assertThrows(Refusal.class,
        () -> schemas.checked(new StrictJson(64).read(classpath))).code());
  }

  @Test
  void aPatternThatBacktracksRunsInLinearTimeAndOneThatNeedsBacktrackingIsRefusedWhenGiven() {
    TopicSchemas schemas = new TopicSchemas(new StrictJson(64), LIMITS);
    // The JDK's engine takes more than a minute for this pattern and 40 commas.
    String catastrophic = "{\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^(.*?,){12}P\"}}}";
    schemas.checked(new StrictJson(64).read(catastrophic));
    Refusal refused = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(Refusal.class,
        () -> schemas.validate(topic(catastrophic), event("{\"s\":\"" + ",".repeat(40) + "\"}"))));
    assertEquals("schema_violation", refused.code());
    schemas.validate(topic(catastrophic), event("{\"s\":\"" + ",".repeat(12) + "P\"}"));
    String unanchored = "{\"patternProperties\":{\"^x-\":{\"type\":\"integer\"}},\"properties\":{\"t\":{\"pattern\":\"b+\"}}}";
    schemas.validate(topic(unanchored), event("{\"x-a\":1,\"t\":\"abba\"}"));
    assertEquals("schema_violation", assertThrows(Refusal.class,
        () -> schemas.validate(topic(unanchored), event("{\"x-a\":\"one\"}"))).code());
    String backreference = "{\"pattern\":\"(a)\\\\1\"}";
    assertEquals("invalid_schema", assertThrows(Refusal.class,
        () -> schemas.checked(new StrictJson(64).read(backreference))).code());
  }
}
