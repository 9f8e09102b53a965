package io.tollgate.broker.auth;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import java.util.Optional;

/** Turns a presented secret into a {@link Principal}, or nothing when it matches no key. */
public final class Authenticator {
  private final CatalogView view;
  private final byte[] adminSecretSha256;
  private final java.time.Clock clock;

  public Authenticator(CatalogView view, String adminSecret, java.time.Clock clock) {
    this.view = view;
    this.adminSecretSha256 = Secrets.sha256(adminSecret);
    this.clock = clock;
  }

  public Optional<Principal> authenticate(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Optional.empty();
    }
    String keyId = Secrets.keyIdOf(secret);
    if (keyId == null) {
      return Secrets.matches(secret, adminSecretSha256) ? Optional.of(new Principal.Operator()) : Optional.empty();
    }
    Optional<Catalog.ApiKey> key = view.catalog().key(keyId);
    if (key.isEmpty() || !Secrets.matches(secret, key.get().secretSha256()) || key.get().expiredAt(clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(new Principal.AccountKey(key.get().accountId(), keyId, key.get().scopes(), key.get().resources()));
  }
}
