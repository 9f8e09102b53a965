package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.v1.ServerFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Revocation bites: deleting a key, rotating it (once the overlap ends) and its expiry end the
 * WebSocket streams and TCP connections it opened, within about a second, with a frame that
 * says why; rotating never extends an expiry; the operator and the account's admin list an
 * account's open sessions and close them. Everything over real sockets.
 */
class RevocationTest {
  /**
   * "Within about a second": the check runs every 500 ms; the rest is the change's requests and the
   * frame's way to the client, which a loaded two-core machine (a collection, the JIT) can stretch
   * by seconds. Nothing else ends these connections in minutes (tcp.idle-timeout is 1 h), so the
   * bound still shows that the check, not a timeout, ended them.
   */
  private static final Duration PROMPTLY = Duration.ofSeconds(5);
  private static final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    // The clock jumps minutes while connections stay open and silent; idleness (tcp.idle-timeout,
    // on the same clock) is TcpTimeoutsTest's, and must not end them first.
    broker = TestBroker.start(Map.of("tollgate.tcp.idle-timeout", "1h"), clock);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private record Key(String id, String secret) {}

  private static Key key(String account, String body) throws Exception {
    TestBroker.Reply created = broker.post("/v1/accounts/" + account + "/keys", broker.adminKey(), "application/json", body);
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return new Key(created.body().get("id").asText(), created.body().get("secret").asText());
  }

  /** A consumer's stream opened with one key and a producer's TCP connection with another, both shown to be live. */
  private record Sessions(TestBroker.Tenancy tenancy, Key consumer, Key producer, RawWebSocket stream, RawTcpSession tcp)
      implements AutoCloseable {
    static Sessions open(String domain, String extra) throws Exception {
      TestBroker.Tenancy t = broker.tenancy(domain, 1);
      Key consumer = key(t.consumer(), "{\"scopes\":[\"subscribe\"]" + extra + "}");
      Key producer = key(t.producer(), "{\"scopes\":[\"publish\"]" + extra + "}");
      RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), consumer.secret());
      RawTcpSession tcp = RawTcpSession.open(broker.tcpPort(), producer.secret(), "/revocation");
      assertTrue(tcp.welcome().hasAuthenticated(), tcp.welcome().toString());
      assertTrue(tcp.publish(t.topic(), "live").hasAck());
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.events().size() == 1);
      return new Sessions(t, consumer, producer, stream, tcp);
    }

    /** Both end within {@link #PROMPTLY} of {@code since}, with {@code code}; the stream's last frame says it too. */
    void endWith(String code, long since) throws Exception {
      stream.closed().get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode last = stream.notices().get(stream.notices().size() - 1);
      assertEquals("error", last.get("type").asText(), last.toString());
      assertEquals(code, last.get("code").asText(), last.toString());
      ServerFrame fatal = tcp.next();
      assertTrue(fatal.hasError() && fatal.getError().getFatal(), fatal.toString());
      assertEquals(code, fatal.getError().getCode(), fatal.toString());
      long elapsed = (System.nanoTime() - since) / 1_000_000;
      assertTrue(elapsed <= PROMPTLY.toMillis(), "both ended " + elapsed + " ms after the change");
      assertEquals(-1, tcp.socket().getInputStream().read(), "the TCP connection is closed");
    }

    @Override
    public void close() throws Exception {
      stream.close();
      tcp.close();
    }
  }

  private static TestBroker.Reply rotate(String account, String keyId, long overlapSeconds) throws Exception {
    return broker.post("/v1/accounts/" + account + "/keys/" + keyId + "/rotate", broker.adminKey(), "application/json",
        "{\"overlap_seconds\":" + overlapSeconds + "}");
  }

  private static JsonNode listedKey(String account, String keyId) throws Exception {
    for (JsonNode key : broker.get("/v1/accounts/" + account + "/keys", broker.adminKey()).body().get("data")) {
      if (key.get("id").asText().equals(keyId)) {
        return key;
      }
    }
    return null;
  }

  @Test
  void aKeyRotatedWithoutOverlapLosesItsStreamAndTcpConnectionWithinASecond() throws Exception {
    try (Sessions s = Sessions.open("rotnow", "");
         RawTcpSession bystander = RawTcpSession.open(broker.tcpPort(), s.tenancy().producerKey(), "/revocation")) {
      long since = System.nanoTime();
      TestBroker.Reply consumerRotated = rotate(s.tenancy().consumer(), s.consumer().id(), 0);
      assertEquals(201, consumerRotated.status());
      assertEquals(201, rotate(s.tenancy().producer(), s.producer().id(), 0).status());
      s.endWith("key_expired", since);

      assertTrue(bystander.publish(s.tenancy().topic(), "bystander").hasAck(), "another key's connection goes on");
      assertEquals(401, RawWebSocket.refusedHandshake(broker.baseUrl(), s.tenancy().subscription(), s.consumer().secret()));
      try (RawWebSocket renewed = RawWebSocket.open(broker.baseUrl(), s.tenancy().subscription(),
          consumerRotated.body().get("secret").asText())) {
        await().atMost(Duration.ofSeconds(10)).until(() -> renewed.events().size() == 2);
        assertTrue(renewed.notices().isEmpty(), "the new key streams: " + renewed.notices());
      }
    }
  }

  @Test
  void aDeletedKeyLosesItsStreamAndTcpConnectionWithinASecondAndNoLongerAuthenticates() throws Exception {
    try (Sessions s = Sessions.open("deleted", "")) {
      long since = System.nanoTime();
      assertEquals(204, broker.send("DELETE", "/v1/accounts/" + s.tenancy().consumer() + "/keys/" + s.consumer().id(),
          broker.adminKey(), null, null).status());
      assertEquals(204, broker.send("DELETE", "/v1/accounts/" + s.tenancy().producer() + "/keys/" + s.producer().id(),
          s.tenancy().producerKey(), null, null).status(), "the account's own admin key deletes its keys");
      s.endWith("key_revoked", since);

      assertEquals(401, RawWebSocket.refusedHandshake(broker.baseUrl(), s.tenancy().subscription(), s.consumer().secret()));
      try (RawTcpSession again = RawTcpSession.open(broker.tcpPort(), s.producer().secret(), "/revocation")) {
        assertEquals("invalid_key", again.welcome().getError().getCode());
      }
      assertEquals(null, listedKey(s.tenancy().consumer(), s.consumer().id()), "a deleted key is not listed");
      TestBroker.Reply twice = broker.send("DELETE", "/v1/accounts/" + s.tenancy().consumer() + "/keys/"
          + s.consumer().id(), broker.adminKey(), null, null);
      assertEquals(404, twice.status());
      assertEquals("key_not_found", twice.errorCode());
    }
  }

  @Test
  void anExpiredKeyLosesItsStreamAndTcpConnectionWhenItExpires() throws Exception {
    try (Sessions s = Sessions.open("expiring", ",\"expires_at\":\"" + clock.instant().plus(Duration.ofMinutes(10)) + "\"")) {
      clock.advance(Duration.ofMinutes(9));
      await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(30))
          .until(() -> !s.stream().closed().isDone() && s.stream().notices().isEmpty());
      assertTrue(s.tcp().publish(s.tenancy().topic(), "still-valid").hasAck());

      clock.advance(Duration.ofMinutes(1));
      s.endWith("key_expired", System.nanoTime());
    }
  }

  @Test
  void rotatingNeverExtendsAnExpiry() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("noextend", 1);
    Instant expiry = clock.instant().plus(Duration.ofMinutes(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Key shortLived = key(t.producer(), "{\"scopes\":[\"publish\"],\"expires_at\":\"" + expiry + "\"}");
    TestBroker.Reply rotated = rotate(t.producer(), shortLived.id(), 3600);
    assertEquals(201, rotated.status());
    assertEquals(expiry.toString(), listedKey(t.producer(), shortLived.id()).get("expires_at").asText(),
        "an hour's overlap does not outlast the key's own minute");
    assertEquals(expiry.toString(), rotated.body().get("expires_at").asText(), "the new key keeps the expiry too");

    try (RawTcpSession old = RawTcpSession.open(broker.tcpPort(), shortLived.secret(), "/revocation")) {
      assertTrue(old.welcome().hasAuthenticated());
      clock.advance(Duration.ofSeconds(61));
      ServerFrame fatal = old.next();
      assertEquals("key_expired", fatal.getError().getCode(), fatal.toString());
    }
  }

  @Test
  void theOperatorAndTheAccountsAdminListAnAccountsSessionsAndCloseThem() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("sessions", 1);
    Key consumerAdmin = key(t.consumer(), "{\"scopes\":[\"admin\"]}");
    String sessionsPath = "/v1/accounts/" + t.consumer() + "/sessions";
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), t.subscription(), t.consumerKey());
         RawTcpSession tcp = RawTcpSession.open(broker.tcpPort(), t.consumerKey(), "/revocation")) {
      assertTrue(tcp.welcome().hasAuthenticated());
      String consumerKeyId = t.consumerKey().substring(0, t.consumerKey().indexOf('.'));
      await().atMost(Duration.ofSeconds(10)).until(() ->
          broker.get(sessionsPath, broker.adminKey()).body().get("data").size() == 2);

      JsonNode listed = broker.get(sessionsPath, broker.adminKey()).body();
      assertEquals(0, listed.get("nodes_unanswered").asInt());
      List<String> kinds = new ArrayList<>();
      String streamSession = null;
      String tcpSession = null;
      for (JsonNode session : listed.get("data")) {
        kinds.add(session.get("kind").asText());
        assertEquals(t.consumer(), session.get("account").asText());
        assertEquals(consumerKeyId, session.get("credential").asText());
        assertEquals("127.0.0.1", session.get("remote_address").asText());
        assertFalse(session.get("node").asText().isEmpty());
        if (session.get("kind").asText().equals("stream")) {
          assertEquals(t.subscription(), session.get("subscription").asText());
          streamSession = session.get("id").asText();
        } else {
          tcpSession = session.get("id").asText();
        }
      }
      assertEquals(List.of("stream", "tcp").stream().sorted().toList(), kinds.stream().sorted().toList());
      assertEquals(listed.get("data"), broker.get(sessionsPath, consumerAdmin.secret()).body().get("data"),
          "the account's own admin key sees the same");
      assertEquals("account_not_found", broker.get(sessionsPath, t.producerKey()).errorCode(), "another tenant sees nothing");
      assertEquals(403, broker.get(sessionsPath, t.consumerKey()).status(), "a key without admin may not list them");

      long since = System.nanoTime();
      assertEquals(204, broker.send("DELETE", sessionsPath + "/" + streamSession, consumerAdmin.secret(), null, null).status());
      stream.closed().get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode last = stream.notices().get(stream.notices().size() - 1);
      assertEquals("session_closed", last.get("code").asText(), last.toString());
      assertEquals(204, broker.send("DELETE", sessionsPath + "/" + tcpSession, broker.adminKey(), null, null).status());
      ServerFrame fatal = tcp.next();
      assertEquals("session_closed", fatal.getError().getCode(), fatal.toString());
      assertTrue(fatal.getError().getMessage().contains("the operator"), fatal.toString());
      assertTrue((System.nanoTime() - since) / 1_000_000 <= PROMPTLY.toMillis());

      TestBroker.Reply again = broker.send("DELETE", sessionsPath + "/" + tcpSession, broker.adminKey(), null, null);
      assertEquals(404, again.status());
      assertEquals("session_not_found", again.errorCode());
      await().atMost(Duration.ofSeconds(30)).until(() ->
          broker.get(sessionsPath, broker.adminKey()).body().get("data").isEmpty());
    }
  }
}
