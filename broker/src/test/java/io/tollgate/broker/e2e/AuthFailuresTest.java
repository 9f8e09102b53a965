package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jwt.JWTClaimsSet;
import io.tollgate.broker.auth.TestIssuer;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guessing keys or tokens gets slower: repeated failures from one address are refused for a while, on every edge. */
class AuthFailuresTest {
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static final TestIssuer issuer = new TestIssuer();
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(issuer.brokerSettings(Files.createTempDirectory("tollgate-jwks")));
    settings.putAll(Map.of("tollgate.auth.failures.allowed", 2, "tollgate.auth.failures.first-delay", "10s"));
    broker = TestBroker.start(settings, clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /** Failures are forgotten only with time (window 1 min, longest wait 60 s): each test starts from a clean record. */
  @BeforeEach
  void forgetEarlierFailures() {
    clock.advance(Duration.ofMinutes(3));
  }

  private static String tcpAuthenticate(String key) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", broker.tcpPort())) {
      socket.setSoTimeout(10_000);
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setAuthenticate(Authenticate.newBuilder().setApiKey(key)).build());
      ServerFrame reply = ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
      return reply.hasAuthenticated() ? "authenticated" : reply.getError().getCode();
    }
  }

  @Test
  void afterAFewFailuresAnAddressWaitsEvenWithAGoodKeyThenMayTryAgain() throws Exception {
    assertEquals("invalid_key", broker.get("/v1/accounts", "key_0000000000000000.guess1").errorCode());
    assertEquals("invalid_key", tcpAuthenticate("guess2"));
    assertEquals("invalid_key", broker.get("/v1/accounts", "key_0000000000000000.guess3").errorCode());
    java.net.http.HttpResponse<String> spoofed = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(broker.baseUrl().resolve("/v1/accounts"))
            .header("Authorization", "Bearer key_0000000000000000.guess4").header("X-Forwarded-For", "203.0.113.9")
            .header("X-Real-Ip", "203.0.113.9").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(429, spoofed.statusCode(), "a forwarded-for header does not buy a fresh address");
    TestBroker.Reply throttled = broker.get("/v1/accounts", broker.adminKey());
    assertEquals(429, throttled.status());
    assertEquals("too_many_auth_failures", throttled.errorCode());
    assertEquals("too_many_auth_failures", tcpAuthenticate(broker.adminKey()));

    clock.advance(Duration.ofSeconds(11));
    assertEquals(200, broker.get("/v1/accounts", broker.adminKey()).status());
    assertEquals("authenticated", tcpAuthenticate(broker.adminKey()));
  }

  @Test
  void aGoodKeyDoesNotWipeTheFailuresBeforeIt() throws Exception {
    assertEquals("invalid_key", broker.get("/v1/accounts", "key_0000000000000000.guess1").errorCode());
    assertEquals("invalid_key", tcpAuthenticate("guess2"));
    assertEquals(200, broker.get("/v1/accounts", broker.adminKey()).status(), "two failures are still free");
    assertEquals("authenticated", tcpAuthenticate(broker.adminKey()));
    assertEquals("invalid_key", broker.get("/v1/accounts", "key_0000000000000000.guess3").errorCode());
    assertEquals("too_many_auth_failures", broker.get("/v1/accounts", broker.adminKey()).errorCode(),
        "the third failure counts with the two before the successes");
    assertEquals("too_many_auth_failures", tcpAuthenticate(broker.adminKey()));
  }

  @Test
  void refusedTokensCountLikeWrongKeys() throws Exception {
    String account = broker.admin().createAccount("token guesser").get("id").asText();
    JWTClaimsSet claims = TestIssuer.claims(account, "publish", clock.instant().plusSeconds(600)).build();
    assertEquals("invalid_token", broker.get("/v1/accounts", TestIssuer.unsigned(claims)).errorCode());
    assertEquals("invalid_token", tcpAuthenticate(new TestIssuer().rs256(claims)));
    assertEquals("token_expired", broker.get("/v1/accounts", issuer.rs256(
        TestIssuer.claims(account, "publish", clock.instant().minusSeconds(3600)).build())).errorCode());
    assertEquals("too_many_auth_failures", broker.get("/v1/accounts", issuer.rs256(claims)).errorCode(),
        "even a good token waits");

    clock.advance(Duration.ofSeconds(11));
    assertEquals(200, broker.get("/v1/accounts", issuer.rs256(
        TestIssuer.claims(account, "publish", clock.instant().plusSeconds(600)).build())).status());
  }
}
