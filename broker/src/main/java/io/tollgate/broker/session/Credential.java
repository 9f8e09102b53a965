package io.tollgate.broker.session;

import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Catalog;
import java.time.Instant;
import java.util.Optional;

/**
 * What a session was opened with, and the rule that ends it: a key ends when it is deleted or
 * expires (a rotated key expires when its overlap ends), a token when it runs out, the
 * operator's key never. The rule is checked every time a session is looked at, so a session
 * lives exactly as long as its credential would still authenticate.
 */
public sealed interface Credential {
  /** How a session list names it: the key id, {@code token} or {@code operator}. */
  String label();

  /** Why a session opened with this credential must end now, if it must. */
  Optional<Ending> endingAt(Catalog catalog, Instant now);

  /**
   * From when {@link #endingAt} may answer otherwise although the catalog stays as it is (an
   * expiry), if ever.
   */
  Optional<Instant> changesAt(Catalog catalog);

  static Credential of(Principal principal) {
    if (principal instanceof Principal.AccountKey key) {
      return new Key(key.keyId());
    }
    if (principal instanceof Principal.Token token) {
      return new Token(token.validUntil());
    }
    return new OperatorKey();
  }

  record OperatorKey() implements Credential {
    @Override
    public String label() {
      return "operator";
    }

    @Override
    public Optional<Ending> endingAt(Catalog catalog, Instant now) {
      return Optional.empty();
    }

    @Override
    public Optional<Instant> changesAt(Catalog catalog) {
      return Optional.empty();
    }
  }

  record Key(String keyId) implements Credential {
    @Override
    public String label() {
      return keyId;
    }

    @Override
    public Optional<Ending> endingAt(Catalog catalog, Instant now) {
      Optional<Catalog.ApiKey> key = catalog.key(keyId);
      if (key.isEmpty()) {
        return Optional.of(new Ending("key_revoked", "key " + keyId + " was deleted; this session ends with it"));
      }
      if (key.get().expiredAt(now)) {
        return Optional.of(new Ending("key_expired", "key " + keyId + " expired at " + key.get().expiresAt().orElseThrow()
            + " (a rotated key expires when its overlap ends); reconnect with a current key to resume"));
      }
      return Optional.empty();
    }

    @Override
    public Optional<Instant> changesAt(Catalog catalog) {
      return catalog.key(keyId).flatMap(Catalog.ApiKey::expiresAt);
    }
  }

  /**
   * A webhook subscription's delivery worker, which holds no credential of its consumer: it lasts
   * while the subscription's endpoint is enabled.
   */
  record Webhook(String subscription) implements Credential {
    @Override
    public String label() {
      return "webhook";
    }

    @Override
    public Optional<Ending> endingAt(Catalog catalog, Instant now) {
      Optional<Catalog.WebhookEndpoint> endpoint = catalog.webhook(subscription);
      if (endpoint.isEmpty() || endpoint.get().disabled().isPresent()) {
        return Optional.of(new Ending("webhook_disabled", "the webhook endpoint of " + subscription + " is disabled"));
      }
      return Optional.empty();
    }

    @Override
    public Optional<Instant> changesAt(Catalog catalog) {
      return Optional.empty();
    }
  }

  /** {@code validUntil}: the token's {@code exp} plus the allowed clock skew. */
  record Token(Instant validUntil) implements Credential {
    @Override
    public String label() {
      return "token";
    }

    @Override
    public Optional<Ending> endingAt(Catalog catalog, Instant now) {
      return now.isAfter(validUntil)
          ? Optional.of(new Ending("token_expired", "the token this session was opened with expired (valid until "
              + validUntil + "); reconnect with a fresh token to resume"))
          : Optional.empty();
    }

    @Override
    public Optional<Instant> changesAt(Catalog catalog) {
      return Optional.of(validUntil);
    }
  }
}
