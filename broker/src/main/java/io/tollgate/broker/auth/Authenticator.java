package io.tollgate.broker.auth;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Platform;
import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Turns a presented secret into a {@link Principal}: an account's API key, the operator's admin
 * key, or, when {@code tollgate.auth.jwt} is configured, a JWT bearer token naming an account.
 * Until the node's catalog view has caught up, a key or account it does not know may just not be
 * read yet: that is {@code not_ready}, which a client retries, not {@code invalid_key}.
 */
public final class Authenticator {
  private final CatalogView view;
  private final byte[] adminSecretSha256;
  private final Clock clock;
  private final Optional<JwtVerifier> tokens;
  private final BooleanSupplier caughtUp;

  public Authenticator(CatalogView view, String adminSecret, Clock clock, Optional<JwtVerifier> tokens,
                       BooleanSupplier caughtUp) {
    this.view = view;
    this.adminSecretSha256 = Secrets.sha256(adminSecret);
    this.clock = clock;
    this.tokens = tokens;
    this.caughtUp = caughtUp;
  }

  public Authentication authenticate(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Authentication.invalidKey();
    }
    String keyId = Secrets.keyIdOf(secret);
    if (keyId == null) {
      if (Secrets.matches(secret, adminSecretSha256)) {
        return new Authentication.Accepted(new Principal.Operator());
      }
      return tokens.isPresent() && JwtVerifier.looksLikeJwt(secret) ? token(tokens.get(), secret) : Authentication.invalidKey();
    }
    Optional<Catalog.ApiKey> key = view.catalog().key(keyId);
    if (key.isEmpty() && !caughtUp.getAsBoolean()) {
      return Authentication.notReady();
    }
    if (key.isEmpty() || !Secrets.matches(secret, key.get().secretSha256()) || key.get().expiredAt(clock.instant())) {
      return Authentication.invalidKey();
    }
    return new Authentication.Accepted(
        new Principal.AccountKey(key.get().accountId(), keyId, key.get().scopes(), key.get().resources()));
  }

  /**
   * A verified token names an existing account, never the platform's own: the platform's
   * writes are the broker's, and an identity provider must not be able to make them.
   */
  private Authentication token(JwtVerifier verifier, String token) {
    Authentication checked = verifier.verify(token, clock.instant());
    if (checked instanceof Authentication.Accepted accepted
        && accepted.principal() instanceof Principal.Token principal) {
      if (principal.accountId().equals(Platform.ACCOUNT)) {
        return Authentication.invalidToken("the token names the platform's own account " + Platform.ACCOUNT
            + ", which no token may act for");
      }
      if (view.catalog().account(principal.accountId()).isEmpty()) {
        if (!caughtUp.getAsBoolean()) {
          return Authentication.notReady();
        }
        return Authentication.invalidToken("the token names account " + principal.accountId() + ", which does not exist");
      }
    }
    return checked;
  }
}
