package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.auth.TestIssuer;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tenant isolation, generated: every endpoint the node serves (each HTTP method and path, the
 * WebSocket stream and TCP publishing) is tried on a resource of tenant A with every credential
 * that must not reach it, and each answers as docs/security.md §2 says: 401 without a valid
 * credential, 403 where the caller may know the resource exists, 404 where the contract hides
 * it, and lists that leave A's resources out. Then A's own credential succeeds, so a row that
 * refused everyone would fail. A guard fails when the node serves an endpoint the matrix does
 * not list (HttpApi builds its route from one table, which the node exposes).
 */
class TenantIsolationMatrixTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final TestIssuer issuer = new TestIssuer();
  private static final AtomicInteger unique = new AtomicInteger();
  private static TestBroker broker;
  private static Fixture a;
  private static String foreignKey;
  private static String foreignToken;
  /** A's open TCP connection, whose session the matrix closes. */
  private static Socket openConnection;

  /** Tenant A's resources and keys. */
  private record Fixture(String account, String key, Map<String, String> lackingScope, String otherResourcesKey,
                         String expiredKey, String product, String plan, String sparePlan, String doomedPlan,
                         String subscription, String doomedSubscription, String rotatableKey, String doomedKey,
                         String session, String usdInvoice, String eurInvoice, String webhookSubscription,
                         String retiringProduct, String retiringPlan, String alert, String doomedAlert) {
    /** Every identifier and name of A's that another tenant must never read. */
    List<String> secrets() {
      return List.of(account, "tenanta", product, plan, sparePlan, doomedPlan, subscription, doomedSubscription, session,
          usdInvoice, eurInvoice, webhookSubscription, retiringProduct, retiringPlan,
          alert, doomedAlert);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(issuer.brokerSettings(Files.createTempDirectory("tollgate-jwks")));
    settings.putAll(Map.of("tollgate.billing.period", "PT1H", "tollgate.billing.grace", "5m",
        "tollgate.billing.close-interval", "200ms",
        // Hundreds of refusals from this one address are the point here; AuthFailuresTest covers the throttle.
        "tollgate.auth.failures.allowed", 1_000_000,
        "tollgate.webhooks.secret-key", java.util.Base64.getEncoder().encodeToString(new byte[32]),
        "tollgate.webhooks.allow-private-targets", true));
    broker = TestBroker.start(settings, clock);
    TollgateAdmin admin = broker.admin();
    List<String> allScopes = List.of("admin", "publish", "subscribe", "read");

    String account = admin.createAccount("tenanta account").get("id").asText();
    String key = admin.createKey(account, allScopes).get("secret").asText();
    // admin implies every scope, so a key lacking one scope holds all the others but admin.
    Map<String, String> lackingScope = Map.of(
        "admin", admin.createKey(account, List.of("publish", "subscribe", "read")).get("secret").asText(),
        "publish", admin.createKey(account, List.of("subscribe", "read")).get("secret").asText(),
        "subscribe", admin.createKey(account, List.of("publish", "read")).get("secret").asText(),
        "read", admin.createKey(account, List.of("publish", "subscribe")).get("secret").asText());
    String otherResources = broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"admin\",\"publish\",\"subscribe\",\"read\"],\"resources\":[\"tenantb.*\",\"prod_elsewhere\"]}")
        .body().get("secret").asText();
    String expired = broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json",
        "{\"scopes\":[\"admin\",\"publish\",\"subscribe\",\"read\"],\"expires_at\":\""
            + clock.instant().plus(Duration.ofMinutes(1)) + "\"}").body().get("secret").asText();
    String rotatable = admin.createKey(account, List.of("read")).get("id").asText();
    String doomedKey = admin.createKey(account, List.of("read")).get("id").asText();
    admin.createDomain("tenanta", account);
    admin.createTopic("tenanta.orders", "tenanta", 1);
    assertEquals(201, broker.post("/v1/topics", key, "application/json",
        "{\"name\":\"tenanta.schemed\",\"domain\":\"tenanta\"}").status(), "an audit entry of A's own");
    String product = admin.createProduct("tenanta orders", account, List.of("tenanta.orders", "tenanta.schemed"), "private")
        .get("id").asText();
    String usdPlan = admin.createPlan(product, feePlan("USD")).get("id").asText();
    String eurPlan = admin.createPlan(product, feePlan("EUR")).get("id").asText();
    String spare = admin.createPerUnitPlan(product, "spare", "USD", "0.01").get("id").asText();
    String doomed = admin.createPerUnitPlan(product, "doomed", "USD", "0.01").get("id").asText();
    String retiringPlan = admin.createPerUnitPlan(product, "retiring", "USD", "0.01").get("id").asText();
    admin.createTopic("tenanta.retiring", "tenanta", 1);
    String retiringProduct = admin.createProduct("tenanta retiring", account, List.of("tenanta.orders"), "private")
        .get("id").asText();
    String subscription = admin.createSubscription(account, product, usdPlan, "beginning").get("id").asText();
    admin.createSubscription(account, product, eurPlan, "beginning");
    String doomedSubscription = admin.createSubscription(account, product, spare, "beginning").get("id").asText();
    // Its endpoint is a port nobody listens on: its deliveries fail, which the matrix does not look at.
    String webhookSubscription = broker.post("/v1/subscriptions", key, "application/json", "{\"account\":\""
        + account + "\",\"product\":\"" + product + "\",\"plan\":\"" + spare + "\",\"delivery\":{\"type\":"
        + "\"webhook\",\"url\":\"http://127.0.0.1:9/hooks\"}}").body().get("id").asText();

    String b = admin.createAccount("tenantb account").get("id").asText();
    foreignKey = admin.createKey(b, allScopes).get("secret").asText();
    assertEquals(201, broker.post("/v1/domains", foreignKey, "application/json",
        "{\"name\":\"tenantb\",\"owner\":\"" + b + "\"}").status(), "an audit entry of B's own");

    clock.advance(Duration.ofMinutes(70));
    await().atMost(Duration.ofSeconds(15)).until(() ->
        broker.get("/v1/accounts/" + account + "/invoices", broker.adminKey()).body().get("data").size() == 2);
    Map<String, String> invoices = new HashMap<>();
    broker.get("/v1/accounts/" + account + "/invoices", broker.adminKey()).body().get("data")
        .forEach(invoice -> invoices.put(invoice.get("currency").asText(), invoice.get("id").asText()));
    foreignToken = issuer.rs256(TestIssuer.claims(b, "admin publish subscribe read",
        clock.instant().plus(Duration.ofDays(1))).build());
    openConnection = new Socket("127.0.0.1", broker.tcpPort());
    openConnection.setSoTimeout(10_000);
    Frames.write(openConnection.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(key)).build());
    assertTrue(ServerFrame.parseFrom(Frames.read(new DataInputStream(openConnection.getInputStream()),
        Frames.DEFAULT_MAX_FRAME_BYTES)).hasAuthenticated());
    // The account also holds its webhook subscription's session, and the listing asks every node's
    // session directory, found through the receptionist (on a node just started, maybe not yet).
    String session = await().atMost(Duration.ofSeconds(10)).until(() -> java.util.stream.StreamSupport.stream(
            broker.get("/v1/accounts/" + account + "/sessions", broker.adminKey()).body().get("data").spliterator(), false)
        .filter(listed -> listed.get("kind").asText().equals("tcp")).findFirst(), Optional::isPresent)
        .get().get("id").asText();
    String alert = broker.post("/v1/accounts/" + account + "/alerts", key, "application/json",
        "{\"metric\":\"units\",\"threshold\":1000000}").body().get("id").asText();
    String doomedAlert = broker.post("/v1/accounts/" + account + "/alerts", key, "application/json",
        "{\"metric\":\"money\",\"threshold\":\"1000.00\",\"currency\":\"USD\"}").body().get("id").asText();
    a = new Fixture(account, key, lackingScope, otherResources, expired, product, usdPlan, spare, doomed, subscription,
        doomedSubscription, rotatable, doomedKey, session, invoices.get("USD"), invoices.get("EUR"), webhookSubscription,
        retiringProduct, retiringPlan, alert, doomedAlert);
  }

  @AfterAll
  static void stop() throws Exception {
    openConnection.close();
    broker.close();
  }

  private static ObjectNode feePlan(String currency) throws IOException {
    return (ObjectNode) JSON.readTree("{\"name\":\"fee\",\"currency\":\"" + currency
        + "\",\"recurring_fee\":\"5.00\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.10\"}}");
  }

  // ---- the matrix -----------------------------------------------------------------------

  /** EVENT_STREAM: refused like any HTTP request; its success is a stream that stays open. */
  private enum Edge { HTTP, WEBSOCKET, EVENT_STREAM, TCP }

  /**
   * Who succeeds: a key of A with every scope; only the operator (it stands for the payment
   * processor); or anyone, without a key (the operational endpoints).
   */
  private enum Owner { TENANT, OPERATOR, ANYONE }

  /** A request on A's resource; built afresh for every attempt, so that a refused attempt changes nothing. */
  private record Call(String path, String contentType, String body) {}

  /** What a caller gets: a status and error code, or a 2xx whose body holds nothing of A's. */
  private record Outcome(int status, String code, boolean hidesTenant) {
    static Outcome refused(int status, String code) {
      return new Outcome(status, code, false);
    }

    static final Outcome HIDDEN = new Outcome(200, null, true);

    @Override
    public String toString() {
      return hidesTenant ? "200 without A's resources" : status + " " + code;
    }
  }

  /**
   * One endpoint. {@code needs}: the scope it takes of A's keys (none: any key of the account,
   * for the catalog's own entries, which follow the visibility rules). {@code limitedByResources}:
   * whether a key limited to resources is held to them there (§1 "Resource limits").
   * {@code foreign}: what another tenant gets. {@code success}: A's answer, and text it holds.
   */
  private record Row(Edge edge, String method, String path, Supplier<Call> call, Owner owner, Optional<String> needs,
                     boolean limitedByResources, Outcome foreign, int success, Optional<String> successHolds) {
    String name() {
      return edge == Edge.TCP ? "TCP publish" : method + " " + path;
    }
  }

  private static final Outcome FORBIDDEN = Outcome.refused(403, "forbidden");

  private static Outcome notFound(String what) {
    return Outcome.refused(404, what + "_not_found");
  }

  private static Call call(String path) {
    return new Call(path, null, null);
  }

  private static Call json(String path, String body) {
    return new Call(path, "application/json", body);
  }

  private static Row row(String method, String path, Supplier<Call> call, Owner owner, String needs,
                         boolean limitedByResources, Outcome foreign, int success) {
    return new Row(Edge.HTTP, method, path, call, owner, Optional.ofNullable(needs), limitedByResources, foreign, success,
        Optional.empty());
  }

  /** A list: another tenant gets it without A's entries; A's holds {@code holds}. */
  private static Row listRow(String path, String holds) {
    return listRow(path, () -> call(path), holds);
  }

  private static Row listRow(String path, Supplier<Call> call, String holds) {
    return new Row(Edge.HTTP, "GET", path, call, Owner.TENANT, Optional.empty(), false, Outcome.HIDDEN, 200,
        Optional.of(holds));
  }

  /** An operational endpoint: open to anyone, and it tells nothing of any tenant. */
  private static Row openRow(String path) {
    return new Row(Edge.HTTP, "GET", path, () -> call(path), Owner.ANYONE, Optional.empty(), false, Outcome.HIDDEN, 200,
        Optional.empty());
  }

  private static List<Row> matrix() {
    String account = "/v1/accounts/" + a.account();
    return List.of(
        row("POST", "/v1/accounts", () -> json("/v1/accounts", "{\"name\":\"tenanta another\"}"),
            Owner.OPERATOR, null, false, FORBIDDEN, 201),
        openRow("/healthz"),
        openRow("/readyz"),
        openRow("/metrics"),
        openRow("/v1/openapi.json"),
        listRow("/v1/me", a.account()),
        row("GET", "/v1/cluster/members", () -> call("/v1/cluster/members"), Owner.OPERATOR, null, false, FORBIDDEN, 200),
        listRow("/v1/accounts", a.account()),
        row("GET", "/v1/accounts/{account}", () -> call(account), Owner.TENANT, "read", false, notFound("account"), 200),
        row("POST", "/v1/accounts/{account}/keys", () -> json(account + "/keys", "{\"scopes\":[\"read\"]}"),
            Owner.TENANT, "admin", true, notFound("account"), 201),
        row("GET", "/v1/accounts/{account}/keys", () -> call(account + "/keys"), Owner.TENANT, "read", true,
            notFound("account"), 200),
        row("POST", "/v1/accounts/{account}/keys/{key}/rotate",
            () -> json(account + "/keys/" + a.rotatableKey() + "/rotate", "{\"overlap_seconds\":0}"),
            Owner.TENANT, "admin", true, notFound("account"), 201),
        row("DELETE", "/v1/accounts/{account}/keys/{key}", () -> call(account + "/keys/" + a.doomedKey()),
            Owner.TENANT, "admin", true, notFound("account"), 204),
        row("GET", "/v1/accounts/{account}/sessions", () -> call(account + "/sessions"), Owner.TENANT, "admin", true,
            notFound("account"), 200),
        row("DELETE", "/v1/accounts/{account}/sessions/{session}", () -> call(account + "/sessions/" + a.session()),
            Owner.TENANT, "admin", true, notFound("account"), 204),
        row("GET", "/v1/accounts/{account}/usage", () -> call(account + "/usage"), Owner.TENANT, "read", false,
            notFound("account"), 200),
        row("GET", "/v1/accounts/{account}/invoices/upcoming", () -> call(account + "/invoices/upcoming"), Owner.TENANT,
            "read", true, notFound("account"), 200),
        row("GET", "/v1/accounts/{account}/invoices", () -> call(account + "/invoices"), Owner.TENANT, "read", true,
            notFound("account"), 200),
        row("GET", "/v1/accounts/{account}/statements", () -> call(account + "/statements"), Owner.TENANT, "read", true,
            notFound("account"), 200),
        row("GET", "/v1/accounts/{account}/wallet", () -> call(account + "/wallet"), Owner.TENANT, "read", true,
            notFound("account"), 200),
        row("POST", "/v1/accounts/{account}/wallet/top-ups", () -> json(account + "/wallet/top-ups",
                "{\"amount\":\"1.00\",\"currency\":\"USD\",\"idempotency_key\":\"m" + unique.incrementAndGet() + "\"}"),
            Owner.OPERATOR, null, false, notFound("account"), 201),
        row("POST", "/v1/accounts/{account}/alerts", () -> json(account + "/alerts",
                "{\"metric\":\"units\",\"threshold\":" + (1000 + unique.incrementAndGet()) + "}"),
            Owner.TENANT, "subscribe", true, notFound("account"), 201),
        row("GET", "/v1/accounts/{account}/alerts", () -> call(account + "/alerts"), Owner.TENANT, "read", true,
            notFound("account"), 200),
        row("GET", "/v1/accounts/{account}/alerts/{alert}", () -> call(account + "/alerts/" + a.alert()), Owner.TENANT,
            "read", true, notFound("account"), 200),
        row("DELETE", "/v1/accounts/{account}/alerts/{alert}", () -> call(account + "/alerts/" + a.doomedAlert()),
            Owner.TENANT, "subscribe", true, notFound("account"), 204),

        row("GET", "/v1/invoices/{invoice}", () -> call("/v1/invoices/" + a.usdInvoice()), Owner.TENANT, "read", true,
            notFound("account"), 200),
        row("POST", "/v1/invoices/{invoice}/credit-notes", () -> json("/v1/invoices/" + a.usdInvoice() + "/credit-notes",
                "{\"amount\":\"0.10\",\"reason\":\"matrix\",\"idempotency_key\":\"m" + unique.incrementAndGet() + "\"}"),
            Owner.OPERATOR, null, false, FORBIDDEN, 201),
        row("POST", "/v1/invoices/{invoice}/pay", () -> json("/v1/invoices/" + a.usdInvoice() + "/pay", ""),
            Owner.OPERATOR, null, false, FORBIDDEN, 200),
        row("POST", "/v1/invoices/{invoice}/void", () -> json("/v1/invoices/" + a.eurInvoice() + "/void", ""),
            Owner.OPERATOR, null, false, FORBIDDEN, 200),
        row("GET", "/v1/billing/verification", () -> call("/v1/billing/verification?account=" + a.account()),
            Owner.OPERATOR, null, false, FORBIDDEN, 200),

        row("POST", "/v1/domains", () -> json("/v1/domains",
                "{\"name\":\"tenanta" + unique.incrementAndGet() + "\",\"owner\":\"" + a.account() + "\"}"),
            Owner.TENANT, "admin", true, FORBIDDEN, 201),
        listRow("/v1/domains", "\"tenanta\""),
        row("GET", "/v1/domains/{domain}", () -> call("/v1/domains/tenanta"), Owner.TENANT, null, false,
            notFound("domain"), 200),

        row("POST", "/v1/topics", () -> json("/v1/topics",
                "{\"name\":\"tenanta.t" + unique.incrementAndGet() + "\",\"domain\":\"tenanta\"}"),
            Owner.TENANT, "admin", true, notFound("domain"), 201),
        listRow("/v1/topics", "tenanta.orders"),
        row("GET", "/v1/topics/{topic}", () -> call("/v1/topics/tenanta.orders"), Owner.TENANT, null, false,
            notFound("topic"), 200),
        row("POST", "/v1/topics/{topic}/schemas", () -> json("/v1/topics/tenanta.schemed/schemas",
                "{\"schema\":{\"type\":\"object\"}}"), Owner.TENANT, "admin", true, notFound("topic"), 201),
        row("POST", "/v1/topics/{topic}/retention", () -> json("/v1/topics/tenanta.schemed/retention",
                "{\"time\":\"P30D\"}"), Owner.TENANT, "admin", true, notFound("topic"), 200),
        row("POST", "/v1/topics/{topic}/retire", () -> call("/v1/topics/tenanta.retiring/retire"), Owner.TENANT,
            "admin", true, notFound("topic"), 200),
        row("POST", "/v1/topics/{topic}/events", () -> new Call("/v1/topics/tenanta.orders/events",
                "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"m" + unique.incrementAndGet()
                    + "\",\"source\":\"/matrix\",\"type\":\"t\"}"),
            Owner.TENANT, "publish", true, notFound("topic"), 202),

        row("POST", "/v1/products", () -> json("/v1/products", "{\"name\":\"tenanta more\",\"owner\":\"" + a.account()
                + "\",\"topics\":[\"tenanta.orders\"],\"visibility\":\"private\"}"),
            Owner.TENANT, "admin", true, FORBIDDEN, 201),
        listRow("/v1/products", a.product()),
        row("GET", "/v1/products/{product}", () -> call("/v1/products/" + a.product()), Owner.TENANT, null, false,
            notFound("product"), 200),
        row("PATCH", "/v1/products/{product}", () -> json("/v1/products/" + a.product(),
                "{\"description\":\"edited " + unique.incrementAndGet() + "\"}"), Owner.TENANT, "admin", true,
            notFound("product"), 200),
        row("POST", "/v1/products/{product}/retire", () -> call("/v1/products/" + a.retiringProduct() + "/retire"),
            Owner.TENANT, "admin", true, notFound("product"), 200),
        row("GET", "/v1/products/{product}/asyncapi", () -> call("/v1/products/" + a.product() + "/asyncapi"),
            Owner.TENANT, null, false, notFound("product"), 200),
        row("POST", "/v1/products/{product}/plans", () -> json("/v1/products/" + a.product() + "/plans",
                "{\"name\":\"more\",\"currency\":\"USD\",\"price\":{\"model\":\"per_unit\",\"unit_amount\":\"0.01\"}}"),
            Owner.TENANT, "admin", true, notFound("product"), 201),
        row("GET", "/v1/products/{product}/plans", () -> call("/v1/products/" + a.product() + "/plans"), Owner.TENANT,
            null, false, notFound("product"), 200),

        listRow("/v1/catalog", () -> call("/v1/catalog?kind=product&limit=100"), a.product()),
        row("GET", "/v1/plans/{plan}", () -> call("/v1/plans/" + a.plan()), Owner.TENANT, null, false,
            notFound("plan"), 200),
        row("DELETE", "/v1/plans/{plan}", () -> call("/v1/plans/" + a.doomedPlan()), Owner.TENANT, "admin", true,
            notFound("plan"), 204),
        row("PATCH", "/v1/plans/{plan}", () -> json("/v1/plans/" + a.plan(), "{\"name\":\"fee " + unique.incrementAndGet()
                + "\"}"), Owner.TENANT, "admin", true, notFound("plan"), 200),
        row("POST", "/v1/plans/{plan}/retire", () -> call("/v1/plans/" + a.retiringPlan() + "/retire"), Owner.TENANT,
            "admin", true, notFound("plan"), 200),

        row("POST", "/v1/subscriptions", () -> json("/v1/subscriptions", "{\"account\":\"" + a.account()
                + "\",\"product\":\"" + a.product() + "\",\"plan\":\"" + a.sparePlan() + "\"}"),
            Owner.TENANT, "subscribe", true, FORBIDDEN, 201),
        listRow("/v1/subscriptions", a.subscription()),
        row("GET", "/v1/subscriptions/{subscription}", () -> call("/v1/subscriptions/" + a.subscription()),
            Owner.TENANT, "read", true, notFound("subscription"), 200),
        new Row(Edge.WEBSOCKET, "GET", "/v1/subscriptions/{subscription}/stream", () -> call(a.subscription()),
            Owner.TENANT, Optional.of("subscribe"), true, notFound("subscription"), 101, Optional.empty()),
        new Row(Edge.EVENT_STREAM, "GET", "/v1/subscriptions/{subscription}/events",
            () -> call("/v1/subscriptions/" + a.subscription() + "/events"), Owner.TENANT, Optional.of("subscribe"), true,
            notFound("subscription"), 200, Optional.empty()),
        // A cursor before every event is one the subscription stands past: acknowledged already, with no stream open.
        row("GET", "/v1/subscriptions/{subscription}/preview", () -> call("/v1/subscriptions/" + a.subscription()
            + "/preview"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/acks", () -> json("/v1/subscriptions/" + a.subscription() + "/acks",
                "{\"cursor\":\"tenanta.orders:0:0:0\"}"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/seek", () -> json("/v1/subscriptions/" + a.subscription() + "/seek",
                "{\"to\":\"end\"}"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/plan", () -> json("/v1/subscriptions/" + a.subscription() + "/plan",
                "{\"plan\":\"" + a.sparePlan() + "\"}"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/pause", () -> call("/v1/subscriptions/" + a.doomedSubscription()
                + "/pause"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/resume", () -> call("/v1/subscriptions/" + a.doomedSubscription()
                + "/resume"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/cancel", () -> json("/v1/subscriptions/" + a.doomedSubscription()
                + "/cancel", "{\"at\":\"now\"}"), Owner.TENANT, "subscribe", true, notFound("subscription"), 200),
        row("PUT", "/v1/subscriptions/{subscription}/webhook", () -> json("/v1/subscriptions/" + a.webhookSubscription()
                + "/webhook", "{\"url\":\"http://127.0.0.1:9/moved\"}"), Owner.TENANT, "subscribe", true,
            notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/webhook/secret", () -> call("/v1/subscriptions/"
            + a.webhookSubscription() + "/webhook/secret"), Owner.TENANT, "subscribe", true, notFound("subscription"), 201),
        row("GET", "/v1/subscriptions/{subscription}/webhook/attempts", () -> call("/v1/subscriptions/"
            + a.webhookSubscription() + "/webhook/attempts"), Owner.TENANT, "read", true, notFound("subscription"), 200),
        row("GET", "/v1/subscriptions/{subscription}/webhook/dead-letters", () -> call("/v1/subscriptions/"
            + a.webhookSubscription() + "/webhook/dead-letters"), Owner.TENANT, "read", true, notFound("subscription"), 200),
        row("POST", "/v1/subscriptions/{subscription}/webhook/dead-letters/replay", () -> json("/v1/subscriptions/"
                + a.webhookSubscription() + "/webhook/dead-letters/replay", "{}"), Owner.TENANT, "subscribe", true,
            notFound("subscription"), 202),
        row("DELETE", "/v1/subscriptions/{subscription}/webhook/dead-letters", () -> call("/v1/subscriptions/"
                + a.webhookSubscription() + "/webhook/dead-letters"), Owner.TENANT, "subscribe", true,
            notFound("subscription"), 200),

        row("GET", "/v1/analytics/{dimension}", () -> call("/v1/analytics/subscriptions?key=" + a.subscription()
                + "&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&resolution=hour"), Owner.TENANT, "read", true,
            Outcome.refused(404, "analytics_key_not_found"), 200),

        new Row(Edge.HTTP, "GET", "/v1/audit", () -> call("/v1/audit?limit=1000"), Owner.TENANT, Optional.of("admin"),
            true, Outcome.HIDDEN, 200, Optional.of("tenanta.schemed")),

        new Row(Edge.TCP, "", "", () -> call("tenanta.orders"), Owner.TENANT, Optional.of("publish"), true,
            Outcome.refused(0, "topic_not_found"), 0, Optional.empty()));
  }

  // ---- credentials ----------------------------------------------------------------------

  /** A credential that must not reach A's resource, or A's own. */
  private enum Credential {
    NONE("no credentials"),
    EXPIRED("A's expired key"),
    FOREIGN_KEY("B's key with every scope"),
    FOREIGN_TOKEN("B's JWT with every scope"),
    LACKING_SCOPE("A's key without the scope the endpoint takes"),
    OTHER_RESOURCES("A's key limited to other resources"),
    NOT_OPERATOR("A's key with every scope, on an operator's endpoint"),
    OWNER("the owner");

    final String description;

    Credential(String description) {
      this.description = description;
    }
  }

  /** The secret to present, or empty for none; empty when the credential does not apply to the row. */
  private static Optional<Optional<String>> secret(Credential credential, Row row) {
    boolean tenants = row.owner() == Owner.TENANT;
    return switch (credential) {
      case NONE -> Optional.of(Optional.empty());
      case EXPIRED -> row.owner() == Owner.ANYONE ? Optional.empty() : Optional.of(Optional.of(a.expiredKey()));
      case FOREIGN_KEY -> row.owner() == Owner.ANYONE ? Optional.empty() : Optional.of(Optional.of(foreignKey));
      case FOREIGN_TOKEN -> row.owner() == Owner.ANYONE ? Optional.empty() : Optional.of(Optional.of(foreignToken));
      case LACKING_SCOPE -> tenants && row.needs().isPresent()
          ? Optional.of(Optional.of(a.lackingScope().get(row.needs().get()))) : Optional.empty();
      case OTHER_RESOURCES -> tenants && row.limitedByResources()
          ? Optional.of(Optional.of(a.otherResourcesKey())) : Optional.empty();
      case NOT_OPERATOR -> row.owner() == Owner.OPERATOR ? Optional.of(Optional.of(a.key())) : Optional.empty();
      case OWNER -> switch (row.owner()) {
        case TENANT -> Optional.of(Optional.of(a.key()));
        case OPERATOR -> Optional.of(Optional.of(broker.adminKey()));
        case ANYONE -> Optional.empty();
      };
    };
  }

  /** What the credential must get; the owner's success is checked apart. */
  private static Outcome expected(Credential credential, Row row) {
    return switch (credential) {
      case NONE -> row.owner() == Owner.ANYONE ? Outcome.HIDDEN : Outcome.refused(401, "unauthenticated");
      case EXPIRED -> Outcome.refused(401, "invalid_key");
      case FOREIGN_KEY, FOREIGN_TOKEN -> row.foreign();
      case LACKING_SCOPE, OTHER_RESOURCES, NOT_OPERATOR -> FORBIDDEN;
      case OWNER -> throw new IllegalArgumentException("the owner succeeds");
    };
  }

  // ---- the generated tests ----------------------------------------------------------------

  /**
   * Per endpoint, every refusal first, then the owner's success: a refused attempt must leave
   * the resource as it was for the owner (an invoice still unpaid, a plan not yet deleted).
   */
  @TestFactory
  Stream<DynamicNode> everyEndpointRefusesEveryCredentialButItsOwners() {
    return matrix().stream().map(row -> {
      List<DynamicNode> attempts = new ArrayList<>();
      for (Credential credential : Credential.values()) {
        secret(credential, row).ifPresent(secret -> attempts.add(credential == Credential.OWNER
            ? dynamicTest("succeeds for " + credential.description + " (" + row.owner() + ")",
                () -> assertSucceeds(row, secret.orElseThrow()))
            : dynamicTest(credential.description + " gets " + expected(credential, row),
                () -> assertGets(row, secret, expected(credential, row)))));
      }
      return dynamicContainer(row.name(), attempts);
    });
  }

  private static void assertGets(Row row, Optional<String> secret, Outcome expected) throws Exception {
    switch (row.edge()) {
      case HTTP, EVENT_STREAM -> {
        Call call = row.call().get();
        HttpResponse<String> response = send(row.method(), call, secret);
        if (expected.hidesTenant()) {
          assertEquals(200, response.statusCode(), response.body());
          for (String secretOfA : a.secrets()) {
            assertFalse(response.body().contains(secretOfA), "the answer names " + secretOfA + ": " + response.body());
          }
        } else {
          assertEquals(expected.status(), response.statusCode(), response.body());
          assertEquals(expected.code(), JSON.readTree(response.body()).get("error").get("code").asText(), response.body());
        }
      }
      case WEBSOCKET -> assertEquals(expected.status(),
          RawWebSocket.refusedHandshake(broker.baseUrl(), row.call().get().path(), secret.orElse("")));
      case TCP -> {
        ServerFrame answer = publishOverTcp(secret, row.call().get().path());
        assertTrue(answer.hasError(), answer.toString());
        assertEquals(expected.code(), answer.getError().getCode(), answer.toString());
      }
    }
  }

  private static void assertSucceeds(Row row, String secret) throws Exception {
    switch (row.edge()) {
      case HTTP -> {
        HttpResponse<String> response = send(row.method(), row.call().get(), Optional.of(secret));
        assertEquals(row.success(), response.statusCode(), response.body());
        row.successHolds().ifPresent(holds -> assertTrue(response.body().contains(holds),
            "the owner's answer holds " + holds + ": " + response.body()));
      }
      case WEBSOCKET -> {
        try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), row.call().get().path(), secret)) {
          assertFalse(stream.closed().isDone(), "the stream stays open");
        }
      }
      case EVENT_STREAM -> {
        try (EventStreamClient stream = EventStreamClient.open(broker.baseUrl(), a.subscription(), secret,
            Optional.empty())) {
          assertFalse(stream.ended().isDone(), "the stream stays open");
        }
      }
      case TCP -> assertTrue(publishOverTcp(Optional.of(secret), row.call().get().path()).hasAck());
    }
  }

  private static final HttpClient http = HttpClient.newHttpClient();

  private static HttpResponse<String> send(String method, Call call, Optional<String> secret) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(broker.baseUrl() + call.path()))
        .timeout(Duration.ofSeconds(20))
        .method(method, call.body() == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8));
    secret.ifPresent(key -> request.header("Authorization", "Bearer " + key));
    if (call.contentType() != null) {
      request.header("Content-Type", call.contentType());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Authenticates (unless there is no secret) and publishes one event; the first error, or the ack. */
  private static ServerFrame publishOverTcp(Optional<String> secret, String topic) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", broker.tcpPort())) {
      socket.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      if (secret.isPresent()) {
        Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
            .setAuthenticate(Authenticate.newBuilder().setApiKey(secret.get())).build());
        ServerFrame welcome = ServerFrame.parseFrom(Frames.read(in, Frames.DEFAULT_MAX_FRAME_BYTES));
        if (!welcome.hasAuthenticated()) {
          return welcome;
        }
      }
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder().setCorrelationId(1)
          .setTopic(topic).addEvents(Events.event("/matrix", "tcp-" + unique.incrementAndGet(), null, "{}"))).build());
      return ServerFrame.parseFrom(Frames.read(in, Frames.DEFAULT_MAX_FRAME_BYTES));
    }
  }

  // ---- the guard ------------------------------------------------------------------------

  /** The node's route is built from HttpApi's table alone, so this is every endpoint it serves. */
  @Test
  void theMatrixListsEveryEndpointTheNodeServes() {
    Set<String> served = broker.node().httpEndpoints().stream()
        .map(endpoint -> endpoint.method() + " " + endpoint.path()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> listed = matrix().stream().filter(row -> row.edge() != Edge.TCP)
        .map(row -> row.method() + " " + row.path()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(served, listed, "every endpoint HttpApi serves needs a row in the matrix, and no row may be stale");
    assertEquals(served.size(), broker.node().httpEndpoints().size(), "no endpoint is served twice");
  }

  /** TCP clients send authenticate, then publish: the matrix's TCP row covers the only frame after authenticating. */
  @Test
  void theMatrixCoversEveryTcpFrameAClientCanSend() {
    assertEquals(Set.of(ClientFrame.FrameCase.AUTHENTICATE, ClientFrame.FrameCase.PUBLISH),
        Arrays.stream(ClientFrame.FrameCase.values()).filter(frame -> frame != ClientFrame.FrameCase.FRAME_NOT_SET)
            .collect(Collectors.toSet()), "a new client frame needs its row in the matrix");
    assertEquals(1, matrix().stream().filter(row -> row.edge() == Edge.TCP).count());
  }
}
