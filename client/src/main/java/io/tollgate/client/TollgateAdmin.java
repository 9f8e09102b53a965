package io.tollgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * The management API over HTTP, for setting up accounts, topics, products and subscriptions
 * from code (the load generator, end-to-end tests). Calls block and return the broker's JSON
 * reply; an error reply throws a {@link TollgateException} with the broker's code.
 */
public final class TollgateAdmin {
  private final String base;
  private final String authorization;
  private final HttpClient http;

  public TollgateAdmin(URI baseUrl, String apiKey) {
    this(baseUrl, apiKey, HttpSupport.newClient());
  }

  public TollgateAdmin(URI baseUrl, String apiKey, HttpClient http) {
    this.base = HttpSupport.base(baseUrl);
    this.authorization = HttpSupport.bearer(apiKey);
    this.http = http;
  }

  /** {@code POST /v1/accounts} → {@code {"id": "acc_…", "name"}}. */
  public JsonNode createAccount(String name) {
    return post("/v1/accounts", Json.object().put("name", name));
  }

  /** {@code POST /v1/accounts/{id}/keys} → {@code {"id": "key_…", "secret"}}; the secret is shown only here. */
  public JsonNode createKey(String accountId, List<String> scopes) {
    ObjectNode body = Json.object();
    scopes.forEach(body.putArray("scopes")::add);
    return post("/v1/accounts/" + HttpSupport.segment(accountId) + "/keys", body);
  }

  public JsonNode createDomain(String name, String ownerAccountId) {
    return post("/v1/domains", Json.object().put("name", name).put("owner", ownerAccountId));
  }

  public JsonNode createTopic(String name, String domain, int partitions) {
    return post("/v1/topics", Json.object().put("name", name).put("domain", domain).put("partitions", partitions));
  }

  /** {@code POST /v1/products} → {@code {"id": "prod_…", ...}}: a private product, seen only by its owner and the operator. */
  public JsonNode createProduct(String name, String ownerAccountId, List<String> topics) {
    return post("/v1/products", product(name, ownerAccountId, topics));
  }

  /** A product with a visibility: {@code "public"} (every account sees it) or {@code "private"}. */
  public JsonNode createProduct(String name, String ownerAccountId, List<String> topics, String visibility) {
    return post("/v1/products", product(name, ownerAccountId, topics).put("visibility", visibility));
  }

  private static ObjectNode product(String name, String ownerAccountId, List<String> topics) {
    ObjectNode body = Json.object().put("name", name).put("owner", ownerAccountId);
    topics.forEach(body.putArray("topics")::add);
    return body;
  }

  /** A plan in full, as the API takes it ({@code name}, {@code currency}, {@code price}, quota, ...). */
  public JsonNode createPlan(String productId, ObjectNode plan) {
    return post("/v1/products/" + HttpSupport.segment(productId) + "/plans", plan);
  }

  /** A plan with a per-unit price and nothing else; {@code unitAmount} is a decimal string such as {@code "0.001"}. */
  public JsonNode createPerUnitPlan(String productId, String name, String currency, String unitAmount) {
    ObjectNode plan = Json.object().put("name", name).put("currency", currency);
    plan.putObject("price").put("model", "per_unit").put("unit_amount", unitAmount);
    return createPlan(productId, plan);
  }

  /** A WebSocket subscription; {@code start} is {@code "beginning"} or {@code "end"}. */
  public JsonNode createSubscription(String accountId, String productId, String planId, String start) {
    ObjectNode body = Json.object().put("account", accountId).put("product", productId).put("plan", planId);
    body.putObject("delivery").put("type", "websocket");
    body.put("start", start);
    return post("/v1/subscriptions", body);
  }

  /** {@code GET /v1/accounts/{id}/invoices/upcoming}: the invoice of the running period so far, with its usage lines. */
  public JsonNode upcomingInvoice(String accountId) {
    return get("/v1/accounts/" + HttpSupport.segment(accountId) + "/invoices/upcoming");
  }

  /** Any other management call: {@code path} starts with {@code /v1/}. */
  public JsonNode post(String path, JsonNode body) {
    return send(request(path)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build());
  }

  /** A PUT, which replaces what the path names (a webhook subscription's endpoint). */
  public JsonNode put(String path, JsonNode body) {
    return send(request(path)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build());
  }

  /** A PATCH: the fields of {@code body} replace those of the resource, the others stay. */
  public JsonNode patch(String path, JsonNode body) {
    return send(request(path)
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString()))
        .build());
  }

  public JsonNode get(String path) {
    return send(request(path).GET().build());
  }

  /** A DELETE; the broker answers 204, so the result is an empty object. */
  public JsonNode delete(String path) {
    return send(request(path).DELETE().build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(HttpSupport.REQUEST_TIMEOUT)
        .header("Authorization", authorization)
        .header("Accept", "application/json");
  }

  private JsonNode send(HttpRequest request) {
    try {
      return HttpSupport.json(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    } catch (InterruptedException e) {
      throw TollgateException.interrupted(e);
    } catch (IOException e) {
      throw HttpSupport.connectionError(request.method() + " " + request.uri(), e);
    }
  }
}
