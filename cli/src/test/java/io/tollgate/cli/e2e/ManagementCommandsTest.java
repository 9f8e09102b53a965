package io.tollgate.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.cli.ManagementOperations;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The management commands against a real node over HTTP: every operation of the node's OpenAPI
 * document has a command, a walk through the catalog works as tables and as JSON, and a refusal
 * shows the broker's code.
 */
class ManagementCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static CliNode node;
  private static String operator;

  @BeforeAll
  static void start() throws Exception {
    node = CliNode.start(Map.of());
    operator = node.adminKey();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static CliNode.Run tollgate(String key, String... args) {
    return node.tollgateAs(key, args);
  }

  private static CliNode.Run ok(String key, String... args) {
    CliNode.Run run = tollgate(key, args);
    assertEquals(0, run.exitCode(), String.join(" ", args) + ": " + run.err());
    return run;
  }

  @Test
  void everyOperationOfTheNodesOpenApiDocumentHasACommand() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(node.url().resolve("/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
    Set<String> documented = new TreeSet<>();
    JSON.readTree(response.body()).get("paths").forEach(path -> path.forEach(operation ->
        documented.add(operation.get("operationId").asText())));
    Set<String> commanded = new TreeSet<>(ManagementOperations.operationIds());
    assertEquals(documented, commanded, "each operation needs a row in ManagementOperations (or a command of its own)");
  }

  @Test
  void aWalkThroughTheCatalogAsTablesAndAsJson() throws Exception {
    CliNode.Run created = ok(operator, "accounts", "create", "--name", "Walk shop");
    assertTrue(created.out().startsWith("ID"), created.out());
    String shop = ok(operator, "accounts", "create", "--name", "Walk shop 2", "--output", "json").json().get("id").asText();
    String key = ok(operator, "keys", "create", shop, "--scopes", "admin, publish, read", "--output", "json")
        .json().get("secret").asText();
    ok(operator, "domains", "create", "--name", "walk", "--owner", shop);
    ok(key, "topics", "create", "--name", "walk.orders", "--domain", "walk", "--partitions", "2",
        "--schema", "{\"type\":\"object\"}");
    CliNode.Run topics = ok(key, "topics", "list");
    assertTrue(topics.out().lines().anyMatch(line -> line.startsWith("walk.orders") && line.contains(" 2 ")), topics.out());
    String product = ok(key, "products", "create", "--name", "Walk orders", "--owner", shop, "--topics", "walk.orders",
        "--visibility", "public", "--output", "json").json().get("id").asText();
    String plan = ok(key, "plans", "create", product, "--body",
        "{\"name\":\"basic\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.001\"}}",
        "--output", "json").json().get("id").asText();
    String subscription = ok(operator, "subscriptions", "create", "--account", shop, "--product", product,
        "--plan", plan, "--output", "json").json().get("id").asText();
    CliNode.Run shown = ok(key, "subscriptions", "get", subscription);
    assertTrue(shown.out().lines().anyMatch(line -> line.matches("id\\s+" + subscription)), shown.out());
    String second = ok(operator, "keys", "create", shop, "--scopes", "read", "--output", "json").json().get("id").asText();
    assertEquals("done", ok(operator, "keys", "delete", shop, second).out());
    CliNode.Run page = ok(operator, "accounts", "list", "--limit", "1");
    assertTrue(page.out().contains("next_after: "), page.out());

    JsonNode edited = ok(key, "products", "update", product, "--description", "Every walk", "--visibility", "private",
        "--output", "json").json();
    assertEquals("private", edited.get("visibility").asText());
    assertEquals("Every walk", edited.get("description").asText());
    assertEquals("basic 2026", ok(key, "plans", "update", plan, "--name", "basic 2026", "--output", "json").json()
        .get("name").asText());
    CliNode.Run retired = ok(key, "plans", "retire", plan);
    assertTrue(retired.out().contains("RETIRED_AT") || retired.out().toLowerCase().contains("retired_at"), retired.out());
    ok(key, "products", "retire", product);
    CliNode.Run refused = tollgate(operator, "subscriptions", "create", "--account", shop, "--product", product, "--plan", plan);
    assertEquals(1, refused.exitCode());
    assertTrue(refused.err().contains("product_retired"), refused.err());
    CliNode.Run members = ok(operator, "cluster", "members");
    assertTrue(members.out().contains("up"), members.out());
  }

  @Test
  void aRefusalShowsTheBrokersCodeAndMessageAndExitsOne() {
    CliNode.Run refused = tollgate(operator, "topics", "get", "nothing.here");
    assertEquals(1, refused.exitCode());
    assertTrue(refused.err().startsWith("error: topic_not_found: "), refused.err());
  }

  @Test
  void optionsThatAreNotWhatTheyShouldBeAreUsageErrors() {
    assertEquals(2, tollgate(operator, "topics", "create", "--name", "x.y", "--partitions", "two").exitCode());
    assertEquals(2, tollgate(operator, "plans", "create", "prod_x", "--body", "{not json").exitCode());
    assertEquals(2, tollgate(operator, "accounts", "list", "--output", "yaml").exitCode());
    assertEquals(2, tollgate(operator, "accounts").exitCode());
  }
}
