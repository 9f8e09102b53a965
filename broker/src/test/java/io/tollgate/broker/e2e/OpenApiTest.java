package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.tollgate.broker.http.ErrorStatus;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/openapi.json}: an independent parser finds it valid OpenAPI 3.1, it describes
 * exactly the endpoints the node serves, and what the node answers matches the schemas it gives.
 */
class OpenApiTest {
  private static final Pattern REFERENCE = Pattern.compile("\"\\$ref\":\"#/components/schemas/([A-Za-z]+)\"");
  private static TestBroker broker;
  private static JsonNode document;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    TestBroker.Reply reply = broker.get("/v1/openapi.json", null);
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    document = reply.body();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void anIndependentParserFindsItValidOpenApi31() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIParser().readContents(document.toString(), null, options);
    assertNotNull(result.getOpenAPI(), String.valueOf(result.getMessages()));
    assertEquals(List.of(), result.getMessages());
    assertEquals("3.1.0", result.getOpenAPI().getOpenapi());
  }

  @Test
  void itDescribesExactlyTheEndpointsTheNodeServes() {
    Set<String> served = broker.node().httpEndpoints().stream()
        .map(endpoint -> endpoint.method() + " " + endpoint.path()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> described = new TreeSet<>();
    document.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method ->
        described.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
    assertEquals(served, described);
  }

  @Test
  void everySchemaItRefersToExistsAndEveryErrorCodeIsListedUnderItsStatus() {
    JsonNode schemas = document.get("components").get("schemas");
    Matcher references = REFERENCE.matcher(document.toString());
    while (references.find()) {
      assertTrue(schemas.has(references.group(1)), "no schema " + references.group(1));
    }
    document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation ->
        operation.getValue().get("responses").fields().forEachRemaining(response -> {
          JsonNode codes = response.getValue().get("x-error-codes");
          if (codes != null) {
            codes.forEach(code -> assertEquals(Integer.parseInt(response.getKey()), ErrorStatus.of(code.asText()),
                path.getKey() + " " + code.asText()));
          }
        })));
  }

  @Test
  void whatTheNodeAnswersMatchesTheSchemasItGives() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("described", 2);
    try (TcpPublisher publisher = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      publisher.publish(t.topic(), Events.numbered("/described", 0, 3)).get(10, TimeUnit.SECONDS);
    }
    try (Subscriber consumer = Subscriber.builder(broker.baseUrl(), t.consumerKey(), t.subscription())
        .onDelivery(delivery -> { }).maxEvents(3).connect()) {
      consumer.closed().get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        broker.get("/v1/subscriptions/" + t.subscription(), t.consumerKey()).body().get("usage").get("events").asLong() == 3);
    String consumer = "/v1/accounts/" + t.consumer();
    Map<String, String> reads = Map.ofEntries(
        Map.entry("/v1/accounts", broker.adminKey()), Map.entry(consumer, t.consumerKey()),
        Map.entry(consumer + "/keys", t.consumerKey()), Map.entry(consumer + "/sessions", broker.adminKey()),
        Map.entry(consumer + "/usage", t.consumerKey()), Map.entry(consumer + "/invoices/upcoming", t.consumerKey()),
        Map.entry(consumer + "/invoices", t.consumerKey()), Map.entry("/v1/accounts/" + t.producer() + "/statements", t.producerKey()),
        Map.entry(consumer + "/wallet", t.consumerKey()), Map.entry("/v1/domains", t.producerKey()),
        Map.entry("/v1/domains/described", t.producerKey()), Map.entry("/v1/topics", t.producerKey()),
        Map.entry("/v1/topics/" + t.topic(), t.producerKey()), Map.entry("/v1/products", t.consumerKey()),
        Map.entry("/v1/products/" + t.product(), t.consumerKey()), Map.entry("/v1/products/" + t.product() + "/plans", t.consumerKey()),
        Map.entry("/v1/products/" + t.product() + "/asyncapi", t.consumerKey()), Map.entry("/v1/catalog", t.consumerKey()),
        Map.entry("/v1/plans/" + t.plan(), t.consumerKey()), Map.entry("/v1/subscriptions", t.consumerKey()),
        Map.entry("/v1/subscriptions/" + t.subscription(), t.consumerKey()), Map.entry("/v1/audit", broker.adminKey()),
        Map.entry("/v1/billing/verification", broker.adminKey()),
        Map.entry("/healthz", broker.adminKey()), Map.entry("/v1/openapi.json", broker.adminKey()));
    for (Map.Entry<String, String> read : reads.entrySet()) {
      TestBroker.Reply reply = broker.get(read.getKey(), read.getValue());
      assertEquals(200, reply.status(), read.getKey() + ": " + reply.body());
      assertMatches(responseSchema(read.getKey(), "get", "200"), reply.body(), "GET " + read.getKey());
    }
    TestBroker.Reply refused = broker.get("/v1/topics/nothing.here", t.producerKey());
    assertEquals(404, refused.status());
    assertMatches(responseSchema("/v1/topics/nothing.here", "get", "404"), refused.body(), "a 404");
    TestBroker.Reply published = broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(),
        "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/d\",\"type\":\"t\",\"data\":{}}");
    assertMatches(responseSchema("/v1/topics/" + t.topic() + "/events", "post", "202"), published.body(), "a publish");
  }

  /** The schema of an answer to the documented path that {@code concrete} fills in. */
  private static String responseSchema(String concrete, String method, String status) {
    JsonNode paths = document.get("paths");
    for (var it = paths.fields(); it.hasNext(); ) {
      var path = it.next();
      String pattern = path.getKey().replaceAll("\\{[a-z]+}", "[^/]+");
      if (concrete.matches(pattern) && path.getValue().has(method) && !isShadowed(concrete, path.getKey(), paths)) {
        JsonNode ref = path.getValue().get(method).get("responses").get(status)
            .get("content").get("application/json").get("schema").get("$ref");
        return ref.asText();
      }
    }
    throw new AssertionError("no documented path for " + concrete);
  }

  /** A literal path ({@code /invoices/upcoming}) wins over a parameter ({@code /invoices/{invoice}}). */
  private static boolean isShadowed(String concrete, String documented, JsonNode paths) {
    return documented.contains("{") && paths.has(concrete);
  }

  private static void assertMatches(String ref, JsonNode answer, String what) {
    ObjectNode schema = ((ObjectNode) document.deepCopy()).put("$ref", ref);
    schema.remove("paths");
    Schema compiled = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema);
    List<Error> errors = compiled.validate(answer);
    assertEquals(List.of(), errors.stream().map(Error::toString).toList(), what + " against " + ref + ": " + answer);
  }
}
