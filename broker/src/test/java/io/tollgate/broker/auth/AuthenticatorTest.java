package io.tollgate.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.protobuf.ByteString;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.e2e.MutableClock;
import io.tollgate.protocols.v1.journal.AccountCreated;
import io.tollgate.protocols.v1.journal.ApiKeyCreated;
import io.tollgate.protocols.v1.journal.CatalogChange;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A key the node does not know is not necessarily a bad key: until the catalog view has caught
 * up it may just not be read yet, and a client told {@code invalid_key} would give up on a good
 * key (a consumer reconnecting to a node that has just restarted).
 */
class AuthenticatorTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final CatalogView view = new CatalogView();
  private final AtomicBoolean caughtUp = new AtomicBoolean();
  private final Authenticator authenticator = new Authenticator(view, "admin-secret", clock, Optional.empty(),
      caughtUp::get);
  private final String known = Secrets.newSecret("key_known");

  AuthenticatorTest() {
    change(CatalogChange.newBuilder().setAccountCreated(AccountCreated.newBuilder().setId("acc_a").setName("a")));
    change(CatalogChange.newBuilder().setApiKeyCreated(ApiKeyCreated.newBuilder().setId("key_known").setAccountId("acc_a")
        .addScopes("subscribe").setSecretSha256(ByteString.copyFrom(Secrets.sha256(known)))));
  }

  private void change(CatalogChange.Builder change) {
    view.catalog().apply(change.setAtMillis(clock.millis()).setActor("admin").build());
  }

  @Test
  void anUnknownKeyIsNotReadyWhileTheCatalogViewCatchesUpAndInvalidOnceItHas() {
    String unknown = Secrets.newSecret("key_not_read_yet");
    Authentication.Unavailable early = assertInstanceOf(Authentication.Unavailable.class,
        authenticator.authenticate(unknown));
    assertEquals("not_ready", early.code());

    caughtUp.set(true);
    Authentication.Refused later = assertInstanceOf(Authentication.Refused.class, authenticator.authenticate(unknown));
    assertEquals("invalid_key", later.code());
  }

  @Test
  void aKnownKeyWithAWrongSecretIsInvalidEvenBeforeTheViewCaughtUp() {
    Authentication.Refused refused = assertInstanceOf(Authentication.Refused.class,
        authenticator.authenticate("key_known." + "x".repeat(43)));
    assertEquals("invalid_key", refused.code());
  }

  @Test
  void aKnownKeyAndTheAdminKeyAreAcceptedBeforeTheViewCaughtUp() {
    assertInstanceOf(Authentication.Accepted.class, authenticator.authenticate(known));
    assertInstanceOf(Authentication.Accepted.class, authenticator.authenticate("admin-secret"));
  }
}
