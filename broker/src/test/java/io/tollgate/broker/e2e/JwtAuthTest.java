package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tollgate.broker.auth.TestIssuer;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ServerFrame;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JWT bearer tokens over real sockets: a token from the trusted issuer publishes (HTTP and TCP)
 * and streams like a key of its account; every kind of bad token gets its code; a stream opened
 * with a token ends when the token does.
 */
class JwtAuthTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final TestIssuer issuer = new TestIssuer();
  private static TestBroker broker;
  private static TestBroker.Tenancy tenancy;

  @BeforeAll
  static void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(issuer.brokerSettings(Files.createTempDirectory("tollgate-jwks")));
    settings.put("tollgate.auth.jwt.clock-skew", "5s");
    // Each test refuses many tokens in a row; AuthFailuresTest shows that they are counted.
    settings.put("tollgate.auth.failures.allowed", 1000);
    broker = TestBroker.start(settings, clock);
    tenancy = broker.tenancy("jwt", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static JWTClaimsSet.Builder claims(String account, String scope) {
    return TestIssuer.claims(account, scope, clock.instant().plus(Duration.ofMinutes(10)));
  }

  private static TestBroker.Reply publish(String token) throws Exception {
    return broker.post("/v1/topics/" + tenancy.topic() + "/events", token, "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"" + System.nanoTime() + "\",\"source\":\"/jwt\",\"type\":\"t\",\"data\":{\"n\":1}}");
  }

  @Test
  void theProductsAsyncApiDocumentOffersTheIssuersTokensBesideKeys() throws Exception {
    com.fasterxml.jackson.databind.JsonNode document =
        broker.get("/v1/products/" + tenancy.product() + "/asyncapi", tenancy.consumerKey()).body();
    com.fasterxml.jackson.databind.JsonNode jwt = document.at("/components/securitySchemes/jwt");
    assertEquals("bearer", jwt.path("scheme").asText());
    assertEquals("JWT", jwt.path("bearerFormat").asText());
    assertTrue(jwt.path("description").asText().contains(TestIssuer.ISSUER));
    assertTrue(document.at("/servers/websocket/security").toString().contains("#/components/securitySchemes/jwt"));
  }

  @Test
  void aTokenOfTheTrustedIssuerPublishesOverHttpAndTcpAndStreams() throws Exception {
    String producer = issuer.rs256(claims(tenancy.producer(), "publish").build());
    assertEquals(202, publish(producer).status());
    try (RawTcpSession tcp = RawTcpSession.open(broker.tcpPort(), issuer.es256(claims(tenancy.producer(), "publish").build()), "/jwt-tcp")) {
      assertTrue(tcp.welcome().hasAuthenticated(), tcp.welcome().toString());
      assertEquals(tenancy.producer(), tcp.welcome().getAuthenticated().getAccountId());
      assertTrue(tcp.publish(tenancy.topic(), "tcp-1").hasAck());
    }

    String consumer = issuer.rs256(TestIssuer.claims(tenancy.consumer(), "subscribe read",
        clock.instant().plus(Duration.ofDays(400))).build()); // further off than any scheduler timer may be
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), tenancy.subscription(), consumer)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() >= 2);
    }
    assertEquals(200, broker.get("/v1/subscriptions/" + tenancy.subscription() + "?access_token=" + consumer, null).status(),
        "as an access_token query parameter too");
  }

  @Test
  void badTokensAreRefusedWithTheirCodeOnEveryEdge() throws Exception {
    JWTClaimsSet good = claims(tenancy.producer(), "publish").build();
    Map<String, String> invalid = Map.of(
        "wrong issuer", issuer.rs256(new JWTClaimsSet.Builder(good).issuer("https://evil.test").build()),
        "wrong audience", issuer.rs256(new JWTClaimsSet.Builder(good).audience("another-api").build()),
        "signed by another key", new TestIssuer().rs256(good),
        "alg none", TestIssuer.unsigned(good),
        "HS256 keyed with the public key", issuer.hs256WithPublicKey(good),
        "an account that does not exist", issuer.rs256(new JWTClaimsSet.Builder(good).claim("tollgate_account", "acc_nobody").build()),
        "the platform's own account", issuer.rs256(new JWTClaimsSet.Builder(good).claim("tollgate_account", "acc_tollgate").build()));
    for (Map.Entry<String, String> token : invalid.entrySet()) {
      HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              broker.baseUrl().resolve("/v1/topics/" + tenancy.topic())).header("Authorization", "Bearer " + token.getValue()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, refused.statusCode(), token.getKey());
      assertTrue(refused.body().contains("\"code\":\"invalid_token\""), token.getKey() + ": " + refused.body());
      String challenge = refused.headers().firstValue("WWW-Authenticate").orElse("");
      assertTrue(challenge.startsWith("Bearer ") && challenge.contains("error=") && challenge.contains("invalid_token"),
          token.getKey() + ": " + challenge);
    }
    String badSignature = invalid.get("signed by another key");
    assertEquals(401, RawWebSocket.refusedHandshake(broker.baseUrl(), tenancy.subscription(), badSignature));
    try (RawTcpSession tcp = RawTcpSession.open(broker.tcpPort(), badSignature, "/jwt-tcp")) {
      assertEquals("invalid_token", tcp.welcome().getError().getCode());
      assertTrue(tcp.welcome().getError().getFatal());
    }

    String expired = issuer.rs256(TestIssuer.claims(tenancy.producer(), "publish", clock.instant().minusSeconds(6)).build());
    assertEquals("token_expired", publish(expired).errorCode());
    try (RawTcpSession tcp = RawTcpSession.open(broker.tcpPort(), expired, "/jwt-tcp")) {
      assertEquals("token_expired", tcp.welcome().getError().getCode());
    }
    String justWithinTheSkew = issuer.rs256(TestIssuer.claims(tenancy.producer(), "publish", clock.instant().minusSeconds(4)).build());
    assertEquals(202, publish(justWithinTheSkew).status());
  }

  @Test
  void aTokenMayDoOnlyWhatItsScopesResourcesAndAccountAllow() throws Exception {
    String readOnly = issuer.rs256(claims(tenancy.producer(), "read").build());
    assertEquals("forbidden", publish(readOnly).errorCode());
    String producerToken = issuer.rs256(claims(tenancy.producer(), "publish admin").build());
    assertEquals(404, RawWebSocket.refusedHandshake(broker.baseUrl(), tenancy.subscription(), producerToken),
        "another account's subscription does not exist for it");
    String publishOnly = issuer.rs256(claims(tenancy.consumer(), "publish").build());
    assertEquals(403, RawWebSocket.refusedHandshake(broker.baseUrl(), tenancy.subscription(), publishOnly),
        "the subscriber's own account without the subscribe scope");
    String consumerPublishing = issuer.rs256(claims(tenancy.consumer(), "publish admin").build());
    assertEquals("forbidden", publish(consumerPublishing).errorCode(), "another tenant's topic");
    assertEquals("account_not_found", broker.get("/v1/accounts/" + tenancy.producer() + "/usage", consumerPublishing).errorCode());

    String otherTopicsOnly = issuer.rs256(claims(tenancy.producer(), "publish")
        .claim("tollgate_resources", List.of("jwt.refunds*")).build());
    assertEquals("forbidden", publish(otherTopicsOnly).errorCode());
    String limitedAdmin = issuer.rs256(claims(tenancy.producer(), "admin")
        .claim("tollgate_resources", List.of(tenancy.topic())).build());
    assertEquals("forbidden", broker.post("/v1/accounts/" + tenancy.producer() + "/keys", limitedAdmin, "application/json",
        "{\"scopes\":[\"admin\"]}").errorCode(), "a limited token cannot mint an unlimited key");
  }

  @Test
  void aStreamOpenedWithATokenClosesWhenTheTokenExpires() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("jwtexpiry", 1);
    String producer = issuer.rs256(claims(t.producer(), "publish").build());
    String consumer = issuer.rs256(TestIssuer.claims(t.consumer(), "subscribe", clock.instant().plusSeconds(60)).build());
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), consumer);
         RawTcpSession tcp = RawTcpSession.open(broker.tcpPort(),
             issuer.rs256(TestIssuer.claims(t.producer(), "publish", clock.instant().plusSeconds(60)).build()), "/jwt-tcp")) {
      assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", producer, "application/cloudevents+json",
          "{\"specversion\":\"1.0\",\"id\":\"x-1\",\"source\":\"/jwt\",\"type\":\"t\"}").status());
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 1);
      assertTrue(tcp.publish(t.topic(), "before-expiry").hasAck());

      clock.advance(Duration.ofSeconds(64));
      assertTrue(tcp.publish(t.topic(), "within-the-skew").hasAck());
      assertTrue(stream.notices().isEmpty(), "still valid within the clock skew: " + stream.notices());

      clock.advance(Duration.ofSeconds(2));
      stream.closed().get(10, TimeUnit.SECONDS);
      JsonNode notice = stream.notices().get(stream.notices().size() - 1);
      assertEquals("error", notice.get("type").asText());
      assertEquals("token_expired", notice.get("code").asText(), notice.toString());
      ServerFrame refused = tcp.next();
      assertEquals("token_expired", refused.getError().getCode(), "unasked: " + refused);
      assertTrue(refused.getError().getFatal(), "the TCP connection ends with its token too");
    }
    assertEquals(401, RawWebSocket.refusedHandshake(broker.baseUrl(), t.subscription(), consumer), "and cannot reopen");
  }
}
