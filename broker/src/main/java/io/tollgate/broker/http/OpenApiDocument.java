package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OpenAPI 3.1 document of the HTTP API, served at {@code /v1/openapi.json}: its paths are
 * {@link HttpApi}'s route table, each described by {@link ApiOperations}, and its schemas are
 * {@code tollgate/openapi-components.json}. Errors are listed per status with their codes; each
 * endpoint lists those of its own and those every endpoint of its kind may answer (a key that
 * does not authenticate, a path parameter that names nothing, a body that is not strict JSON).
 */
final class OpenApiDocument {
  private static final String COMPONENTS = "/tollgate/openapi-components.json";
  private static final String SCHEMAS = "#/components/schemas/";
  private static final Set<String> OPEN = Set.of("/healthz", "/readyz", "/metrics", "/v1/openapi.json");
  private static final List<String> AUTHENTICATION = List.of("unauthenticated", "invalid_key", "invalid_token",
      "token_expired", "too_many_auth_failures", "forbidden", "jwks_unavailable", "not_ready");
  private static final List<String> BODY = List.of("malformed_json", "trailing_json", "duplicate_key", "too_deep",
      "unknown_field", "missing_field", "invalid_field", "payload_too_large", "field_too_long", "request_too_large");
  private static final List<String> ANY = List.of("internal_error", "timeout");
  private static final Map<String, String> NOT_FOUND = Map.ofEntries(Map.entry("account", "account_not_found"),
      Map.entry("key", "key_not_found"), Map.entry("session", "session_not_found"),
      Map.entry("invoice", "invoice_not_found"), Map.entry("domain", "domain_not_found"),
      Map.entry("topic", "topic_not_found"), Map.entry("product", "product_not_found"),
      Map.entry("plan", "plan_not_found"), Map.entry("subscription", "subscription_not_found"),
      Map.entry("dimension", "unknown_dimension"), Map.entry("alert", "alert_not_found"));

  private OpenApiDocument() {}

  static ObjectNode of(List<HttpApi.Endpoint> endpoints) {
    ObjectNode document = JsonBody.MAPPER.createObjectNode().put("openapi", "3.1.0");
    document.putObject("info").put("title", "Tollgate").put("version", "v1")
        .put("description", "API management for event-driven APIs: the catalog, publishing, subscriptions and"
            + " billing. Errors are {\"error\":{\"code\",\"message\"}}; README.md lists every code.");
    document.putArray("security").add(requirement("bearer")).add(requirement("accessToken"));
    ObjectNode paths = document.putObject("paths");
    for (HttpApi.Endpoint endpoint : endpoints) {
      ApiOperations.Operation operation = ApiOperations.ALL.get(endpoint);
      if (operation == null) {
        throw new IllegalStateException("ApiOperations does not describe " + endpoint);
      }
      ObjectNode path = paths.has(endpoint.path()) ? (ObjectNode) paths.get(endpoint.path())
          : paths.putObject(endpoint.path());
      path.set(endpoint.method().toLowerCase(Locale.ROOT), operation(endpoint, operation));
    }
    document.set("components", components());
    return document;
  }

  private static ObjectNode requirement(String scheme) {
    ObjectNode requirement = JsonBody.MAPPER.createObjectNode();
    requirement.putArray(scheme);
    return requirement;
  }

  private static ObjectNode operation(HttpApi.Endpoint endpoint, ApiOperations.Operation operation) {
    ObjectNode node = JsonBody.MAPPER.createObjectNode()
        .put("operationId", operation.id()).put("summary", operation.summary());
    node.putArray("tags").add(operation.tag());
    if (OPEN.contains(endpoint.path())) {
      node.putArray("security");
    }
    ArrayNode parameters = node.putArray("parameters");
    for (String name : pathParameters(endpoint)) {
      parameters.addObject().put("name", name).put("in", "path").put("required", true)
          .putObject("schema").put("type", "string");
    }
    for (String name : operation.query()) {
      parameters.addObject().put("name", name).put("in", "query").put("required", false)
          .putObject("schema").put("type", "string");
    }
    operation.request().ifPresent(schema -> node.putObject("requestBody").put("required", true)
        .putObject("content").putObject(endpoint.path().endsWith("/events") ? "application/cloudevents+json"
            : "application/json").putObject("schema").put("$ref", SCHEMAS + schema));
    ObjectNode responses = node.putObject("responses");
    ObjectNode success = responses.putObject(String.valueOf(operation.status()))
        .put("description", description(operation.status()));
    operation.response().ifPresent(schema -> success.putObject("content").putObject("application/json")
        .putObject("schema").put("$ref", SCHEMAS + schema));
    if (endpoint.path().equals("/metrics")) {
      success.putObject("content").putObject("text/plain").putObject("schema").put("type", "string");
    }
    errors(endpoint, operation).forEach((status, codes) -> {
      ObjectNode error = responses.putObject(String.valueOf(status)).put("description", String.join(", ", codes));
      error.putObject("content").putObject("application/json").putObject("schema").put("$ref", SCHEMAS + "Error");
      codes.forEach(error.putArray("x-error-codes")::add);
    });
    return node;
  }

  /** The codes the endpoint may answer, by status. */
  static Map<Integer, Set<String>> errors(HttpApi.Endpoint endpoint, ApiOperations.Operation operation) {
    List<String> codes = new ArrayList<>(operation.errors());
    if (!OPEN.contains(endpoint.path())) {
      codes.addAll(AUTHENTICATION);
      codes.addAll(ANY);
    }
    pathParameters(endpoint).forEach(name -> codes.add(NOT_FOUND.get(name)));
    if (!pathParameters(endpoint).isEmpty()) {
      codes.add("field_too_long");
    }
    if (operation.query().contains("limit")) {
      codes.addAll(List.of("invalid_limit", "invalid_after"));
    }
    if (operation.request().isPresent()) {
      codes.addAll(BODY);
    }
    Map<Integer, Set<String>> byStatus = new TreeMap<>();
    codes.forEach(code -> byStatus.computeIfAbsent(ErrorStatus.of(code), status -> new TreeSet<>()).add(code));
    return byStatus;
  }

  private static List<String> pathParameters(HttpApi.Endpoint endpoint) {
    return List.of(endpoint.path().split("/")).stream()
        .filter(segment -> segment.startsWith("{")).map(segment -> segment.substring(1, segment.length() - 1))
        .toList();
  }

  private static String description(int status) {
    return switch (status) {
      case 101 -> "switching to the WebSocket protocol";
      case 201 -> "created";
      case 202 -> "accepted: durable";
      case 204 -> "done, no content";
      default -> "ok";
    };
  }

  private static ObjectNode components() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(COMPONENTS)) {
      return (ObjectNode) JsonBody.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + COMPONENTS, e);
    }
  }
}
