package io.tollgate.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.catalog.Scope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JWTs the verifier accepts, as which principal, and the code of each refusal. */
class JwtVerifierTest {
  private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
  private static final Duration SKEW = Duration.ofSeconds(30);
  private static final TestIssuer issuer = new TestIssuer();
  private static JwtVerifier verifier;

  @BeforeAll
  static void trustTheIssuer(@TempDir Path dir) throws IOException {
    verifier = JwtVerifier.of(settings(Optional.of(issuer.writeJwks(dir)), Optional.empty()));
  }

  private static JwtSettings settings(Optional<Path> file, Optional<java.net.URL> url) {
    return new JwtSettings(TestIssuer.ISSUER, TestIssuer.AUDIENCE, file, url, Duration.ofMinutes(5),
        "scope", "tollgate_account", "tollgate_resources", SKEW);
  }

  private static JWTClaimsSet.Builder claims() {
    return TestIssuer.claims("acc_1", "publish read openid", NOW.plusSeconds(300));
  }

  private static Principal.Token accepted(String token) {
    Authentication result = verifier.verify(token, NOW);
    return (Principal.Token) assertInstanceOf(Authentication.Accepted.class, result, result.toString()).principal();
  }

  private static String refusal(String token, Instant at) {
    Authentication result = verifier.verify(token, at);
    return assertInstanceOf(Authentication.Refused.class, result, result.toString()).code();
  }

  private static String refusal(String token) {
    return refusal(token, NOW);
  }

  @Test
  void rsaAndEcTokensNamingAnAccountAreThatAccountWithTheirTollgateScopes() {
    Principal.Token token = accepted(issuer.rs256(claims().build()));
    assertEquals("acc_1", token.accountId());
    assertEquals(Set.of(Scope.PUBLISH, Scope.READ), token.scopes(), "scopes that are not Tollgate's are ignored");
    assertEquals(List.of(), token.resources());
    assertEquals(NOW.plusSeconds(300).plus(SKEW), token.validUntil());
    assertTrue(token.may(Scope.PUBLISH, "acc_1"));
    assertFalse(token.may(Scope.PUBLISH, "acc_2"), "another tenant's account");
    assertFalse(token.may(Scope.SUBSCRIBE, "acc_1"), "a scope it was not granted");
    assertEquals("acc_1", accepted(issuer.es256(claims().build())).accountId());
  }

  @Test
  void scopesMayBeAnArrayAndResourcesLimitTheTokenLikeAKey() {
    Principal.Token token = accepted(issuer.rs256(claims().claim("scope", List.of("subscribe", "admin"))
        .claim("tollgate_resources", List.of("shop.orders", "prod_*")).build()));
    assertEquals(Set.of(Scope.SUBSCRIBE, Scope.ADMIN), token.scopes());
    assertTrue(token.reaches("shop.orders"));
    assertTrue(token.reaches("prod_9"));
    assertFalse(token.reaches("shop.refunds"));
  }

  @Test
  void signaturesThatAreMissingForgedOrByAnotherKeyAreRefused() {
    JWTClaimsSet good = claims().build();
    assertEquals("invalid_token", refusal(TestIssuer.unsigned(good)), "alg none");
    assertEquals("invalid_token", refusal(issuer.hs256WithPublicKey(good)), "HMAC keyed with the public key");
    assertEquals("invalid_token", refusal(new TestIssuer().rs256(good)), "another key with the same kid");
    String token = issuer.rs256(good);
    String tampered = token.substring(0, token.indexOf('.') + 1)
        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            claims().claim("tollgate_account", "acc_2").build().toString().getBytes(StandardCharsets.UTF_8))
        + token.substring(token.lastIndexOf('.'));
    assertEquals("invalid_token", refusal(tampered), "claims changed after signing");
    assertEquals("invalid_token", refusal("not.a.jwt"));
  }

  @Test
  void issuerAudienceAndLifetimeAreCheckedOnTheGivenClockWithTheSkew() {
    assertEquals("invalid_token", refusal(issuer.rs256(claims().issuer("https://other.test").build())));
    assertEquals("invalid_token", refusal(issuer.rs256(claims().audience("other-service").build())));
    assertEquals("acc_1", accepted(issuer.rs256(claims().audience(List.of("other-service", TestIssuer.AUDIENCE)).build()))
        .accountId(), "one of several audiences");
    assertEquals("invalid_token", refusal(issuer.rs256(claims().expirationTime(null).build())), "tokens must expire");

    String shortLived = issuer.rs256(claims().expirationTime(Date.from(NOW.plusSeconds(60))).build());
    assertInstanceOf(Authentication.Accepted.class, verifier.verify(shortLived, NOW.plusSeconds(60).plus(SKEW)));
    assertEquals("token_expired", refusal(shortLived, NOW.plusSeconds(61).plus(SKEW)));

    String notYet = issuer.rs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(120))).build());
    assertEquals("invalid_token", refusal(notYet));
    assertInstanceOf(Authentication.Accepted.class, verifier.verify(notYet, NOW.plusSeconds(120).minus(SKEW)));
  }

  @Test
  void aTokenMustNameAnAccountGrantAScopeAndLimitResourcesSensibly() {
    assertEquals("invalid_token", refusal(issuer.rs256(claims().claim("tollgate_account", null).build())));
    assertEquals("invalid_token", refusal(issuer.rs256(claims().claim("tollgate_account", 7).build())));
    assertEquals("invalid_token", refusal(issuer.rs256(claims().claim("scope", "openid profile").build())));
    assertEquals("invalid_token", refusal(issuer.rs256(claims().claim("tollgate_resources", "shop.orders").build())));
    assertEquals("invalid_token", refusal(issuer.rs256(claims().claim("tollgate_resources", List.of()).build())),
        "an empty list must not mean unlimited");
    assertEquals("invalid_token", refusal(issuer.rs256(claims().claim("tollgate_resources", List.of("sh*op")).build())));
  }

  @Test
  void theJwksMayComeFromAUrlAndAnUnreachableOneIsNotTheCallersFault() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks.json", exchange -> {
      byte[] body = issuer.publicJwks().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    try {
      JwtVerifier fromUrl = JwtVerifier.of(settings(Optional.empty(), Optional.of(url.toURL())));
      assertInstanceOf(Authentication.Accepted.class, fromUrl.verify(issuer.rs256(claims().build()), NOW));
    } finally {
      server.stop(0);
    }
    JwtVerifier unreachable = JwtVerifier.of(settings(Optional.empty(), Optional.of(url.toURL())));
    assertInstanceOf(Authentication.Unavailable.class, unreachable.verify(issuer.rs256(claims().build()), NOW));
  }

  @Test
  void tokensAreOffUnlessAJwksIsConfiguredAndThenNeedIssuerAudienceAndASafeJwks(@TempDir Path dir) throws IOException {
    var defaults = ConfigFactory.defaultReference().getConfig("tollgate.auth.jwt");
    assertTrue(JwtSettings.fromConfig(defaults).isEmpty());
    var withFile = ConfigFactory.parseMap(Map.of("jwks-file", issuer.writeJwks(dir).toString())).withFallback(defaults);
    assertThrows(IllegalArgumentException.class, () -> JwtSettings.fromConfig(withFile));
    JwtSettings settings = JwtSettings.fromConfig(ConfigFactory.parseMap(Map.of("issuer", "i", "audience", "a"))
        .withFallback(withFile)).orElseThrow();
    assertEquals("tollgate_account", settings.accountClaim());
    assertEquals(Duration.ofSeconds(60), settings.clockSkew());
    assertThrows(IllegalArgumentException.class, () -> JwtSettings.fromConfig(ConfigFactory.parseMap(Map.of(
        "issuer", "i", "audience", "a", "jwks-url", "http://idp.example.test/jwks.json")).withFallback(defaults)),
        "a JWKS over plain HTTP from another machine could be swapped in transit");
    Path noKeys = Files.writeString(dir.resolve("empty.json"), "{\"keys\":[]}");
    assertThrows(IOException.class, () -> JwtVerifier.of(settings(Optional.of(noKeys), Optional.empty())));
  }

  @Test
  void onlyThreePartTokensLookLikeJwts() {
    assertTrue(JwtVerifier.looksLikeJwt("a.b.c"));
    assertTrue(JwtVerifier.looksLikeJwt("a.b."), "alg none has an empty signature part");
    assertFalse(JwtVerifier.looksLikeJwt("admin.secret"));
    assertFalse(JwtVerifier.looksLikeJwt("a.b.c.d.e"));
  }
}
