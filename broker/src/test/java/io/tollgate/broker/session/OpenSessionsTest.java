package io.tollgate.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.e2e.MutableClock;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.ApiKeyCreated;
import io.tollgate.protocols.v1.journal.ApiKeyDeleted;
import io.tollgate.protocols.v1.journal.ApiKeyExpirySet;
import io.tollgate.protocols.v1.journal.CatalogChange;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one rule that ends sessions early, on plain objects: a catalog, a clock and a few registered sessions. */
class OpenSessionsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final CatalogView view = new CatalogView();
  private final OpenSessions sessions = new OpenSessions(view, clock, "pekko://tollgate@127.0.0.1:25520");
  /** How each session ended, by id. */
  private final Map<String, Ending> ended = new HashMap<>();

  OpenSessionsTest() {
    change(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId("acc_a").setName("a")));
    for (String key : List.of("key_one", "key_two")) {
      change(CatalogChange.newBuilder().setApiKeyCreated(ApiKeyCreated.newBuilder().setId(key).setAccountId("acc_a")
          .addScopes("subscribe").setSecretSha256(ByteString.copyFrom(new byte[32]))));
    }
  }

  private void change(CatalogChange.Builder change) {
    view.catalog().apply(change.setAtMillis(clock.millis()).setActor("admin").build());
  }

  private void open(String id, OpenSession.Kind kind, Credential credential) {
    sessions.register(id, kind, "acc_a", credential, kind == OpenSession.Kind.STREAM ? "sub_1" : "", "127.0.0.1",
        ending -> ended.merge(id, ending, (first, again) -> {
          throw new AssertionError(id + " ended twice");
        }));
  }

  @Test
  void eachCredentialsSessionsEndByItsOwnRuleAndNoOtherSessionEnds() {
    open("by-one", OpenSession.Kind.STREAM, new Credential.Key("key_one"));
    open("by-two", OpenSession.Kind.TCP, new Credential.Key("key_two"));
    open("by-token", OpenSession.Kind.TCP, new Credential.Token(clock.instant().plus(Duration.ofMinutes(6))));
    open("by-operator", OpenSession.Kind.TCP, new Credential.OperatorKey());
    sessions.endWhereDue();
    assertTrue(ended.isEmpty(), ended.toString());

    change(CatalogChange.newBuilder().setApiKeyExpirySet(ApiKeyExpirySet.newBuilder().setId("key_one")
        .setExpiresAtMillis(clock.instant().plusSeconds(60).toEpochMilli())));
    sessions.endWhereDue();
    assertTrue(ended.isEmpty(), "a rotated key works until its overlap ends");
    clock.advance(Duration.ofSeconds(60));
    sessions.endWhereDue();
    assertEquals(List.of("by-one"), List.copyOf(ended.keySet()));
    assertEquals("key_expired", ended.get("by-one").code());

    change(CatalogChange.newBuilder().setApiKeyDeleted(ApiKeyDeleted.newBuilder().setId("key_two")));
    sessions.endWhereDue();
    assertEquals("key_revoked", ended.get("by-two").code());

    clock.advance(Duration.ofMinutes(5));
    sessions.endWhereDue();
    assertFalse(ended.containsKey("by-token"), "a token is good up to and including its last instant");
    clock.advance(Duration.ofMillis(1));
    sessions.endWhereDue();
    assertEquals("token_expired", ended.get("by-token").code());

    clock.advance(Duration.ofDays(3650));
    sessions.endWhereDue();
    assertFalse(ended.containsKey("by-operator"), "the operator's key never runs out");
    assertEquals(List.of("by-operator"), sessions.of("").stream().map(OpenSession::id).toList(), "ended ones are gone");
  }

  @Test
  void aSessionIsClosedOnlyUnderItsOwnAccountAndOnlyOnce() {
    open("stream", OpenSession.Kind.STREAM, new Credential.Key("key_one"));
    assertEquals(List.of("stream"), sessions.of("acc_a").stream().map(OpenSession::id).toList());
    assertTrue(sessions.of("acc_b").isEmpty());
    assertFalse(sessions.close("stream", "acc_b", Ending.closedBy("acc_b")));
    assertTrue(ended.isEmpty());
    assertTrue(sessions.close("stream", "acc_a", Ending.closedBy("admin")));
    assertEquals(new Ending("session_closed", "this session was closed by the operator"), ended.get("stream"));
    assertFalse(sessions.close("stream", "acc_a", Ending.closedBy("admin")), "already gone");
  }

  @Test
  void aNodeGoingAwayEndsItsStreamsAndLeavesTcpConnectionsToDrain() {
    open("stream", OpenSession.Kind.STREAM, new Credential.Key("key_one"));
    open("tcp", OpenSession.Kind.TCP, new Credential.Key("key_one"));
    sessions.endStreams(Ending.goingAway());
    assertEquals(Map.of("stream", Ending.goingAway()), ended);
    assertEquals(1, sessions.size());
  }
}
