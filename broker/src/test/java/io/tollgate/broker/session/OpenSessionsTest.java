package io.tollgate.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.error.Refusal;
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
  private final OpenSessions sessions = new OpenSessions(view, clock, "pekko://tollgate@127.0.0.1:25520",
      new OpenSessions.Limits(4, 4));
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
    open(id, kind, "acc_a", credential, "127.0.0.1");
  }

  private void open(String id, OpenSession.Kind kind, String account, Credential credential, String address) {
    sessions.register(id, kind, account, credential, kind == OpenSession.Kind.STREAM ? "sub_1" : "", address,
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
  void aSessionOpenedAfterTheLastCheckEndsAtItsKeysExpiryWithoutAnyCatalogChange() {
    change(CatalogChange.newBuilder().setApiKeyExpirySet(ApiKeyExpirySet.newBuilder().setId("key_two")
        .setExpiresAtMillis(clock.instant().plusSeconds(30).toEpochMilli())));
    open("early", OpenSession.Kind.STREAM, new Credential.Key("key_one"));
    sessions.endWhereDue();
    open("late", OpenSession.Kind.STREAM, new Credential.Key("key_two"));
    clock.advance(Duration.ofSeconds(29));
    sessions.endWhereDue();
    assertTrue(ended.isEmpty(), ended.toString());
    clock.advance(Duration.ofSeconds(1));
    sessions.endWhereDue();
    assertEquals(List.of("late"), List.copyOf(ended.keySet()));
    assertEquals("key_expired", ended.get("late").code());
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

  @Test
  void oneAddressHoldsAtMostItsLimitOfConnectionsCountedFromAcceptAndAFreedPlaceIsTakenAgain() {
    sessions.admit("tcp-1", "10.0.0.1");
    sessions.admit("tcp-1", "10.0.0.1");
    sessions.admit("tcp-unauthenticated", "10.0.0.1");
    open("stream", OpenSession.Kind.STREAM, "acc_a", new Credential.Key("key_one"), "10.0.0.1");
    open("operator", OpenSession.Kind.TCP, "", new Credential.OperatorKey(), "10.0.0.1");
    Refusal refused = assertThrows(Refusal.class, () -> sessions.admit("tcp-2", "10.0.0.1"));
    assertEquals("too_many_connections_for_address", refused.code());
    assertEquals("too_many_connections_for_address", assertThrows(Refusal.class,
        () -> open("stream-2", OpenSession.Kind.STREAM, "acc_a", new Credential.Key("key_one"), "10.0.0.1")).code());
    sessions.admit("other", "10.0.0.2");
    assertEquals(List.of("stream"), sessions.of("acc_a").stream().map(OpenSession::id).toList(),
        "a refused session is not held, an admitted connection is not a session until it registers");

    sessions.unregister("tcp-1");
    sessions.admit("tcp-2", "10.0.0.1");
    assertThrows(Refusal.class, () -> sessions.admit("tcp-3", "10.0.0.1"));
  }

  @Test
  void oneAccountHoldsAtMostItsLimitOfSessionsOfEveryKindWhileOthersAndTheOperatorAreNotCounted() {
    open("a1", OpenSession.Kind.STREAM, "acc_a", new Credential.Key("key_one"), "10.0.0.1");
    open("a2", OpenSession.Kind.TCP, "acc_a", new Credential.Key("key_one"), "10.0.0.2");
    open("a3", OpenSession.Kind.TCP, "acc_a", new Credential.Key("key_one"), "10.0.0.3");
    open("a4", OpenSession.Kind.TCP, "acc_a", new Credential.Key("key_one"), "10.0.0.3");
    sessions.admit("a5", "10.0.0.4");
    Refusal refused = assertThrows(Refusal.class,
        () -> open("a5", OpenSession.Kind.TCP, "acc_a", new Credential.Key("key_one"), "10.0.0.4"));
    assertEquals("too_many_connections_for_account", refused.code());
    open("b1", OpenSession.Kind.TCP, "acc_b", new Credential.Key("key_two"), "10.0.0.5");
    for (int i = 0; i < 5; i++) {
      open("operator" + i, OpenSession.Kind.TCP, "", new Credential.OperatorKey(), "10.0.1." + i);
    }

    sessions.close("a1", "acc_a", Ending.closedBy("admin"));
    sessions.unregister("a1");
    open("a5", OpenSession.Kind.TCP, "acc_a", new Credential.Key("key_one"), "10.0.0.4");
    assertEquals(4, sessions.of("acc_a").size());
  }

  @Test
  void aSessionsOwnRuleEndsItWithTheCredentialsCheckOnce() {
    Instant[] endAt = {clock.instant().plusSeconds(30)};
    sessions.register("idle", OpenSession.Kind.TCP, "acc_a", new Credential.Key("key_one"), "", "127.0.0.1",
        ending -> ended.merge("idle", ending, (first, again) -> {
          throw new AssertionError("ended twice");
        }), now -> now.isBefore(endAt[0]) ? java.util.Optional.empty()
            : java.util.Optional.of(new Ending("idle_timeout", "idle")));
    sessions.endWhereDue();
    assertTrue(ended.isEmpty());
    clock.advance(Duration.ofSeconds(30));
    sessions.endWhereDue();
    sessions.endWhereDue();
    assertEquals("idle_timeout", ended.get("idle").code());
    assertTrue(sessions.of("acc_a").isEmpty());
  }
}
