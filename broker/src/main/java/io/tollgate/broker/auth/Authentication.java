package io.tollgate.broker.auth;

/** What presenting a secret (an API key, the admin key or a bearer token) came to. */
public sealed interface Authentication {
  record Accepted(Principal principal) implements Authentication {}

  /**
   * The secret is not good: {@code invalid_key}, {@code invalid_token} or {@code token_expired}.
   * It counts as a failed attempt of its source.
   */
  record Refused(String code, String message) implements Authentication {}

  /**
   * The broker could not check the secret yet: a token's keys could not be fetched
   * ({@code jwks_unavailable}), or the node is starting and its catalog view does not know every
   * key yet ({@code not_ready}). Not the caller's fault, so it does not count as a failed attempt.
   */
  record Unavailable(String code, String message) implements Authentication {}

  static Unavailable notReady() {
    return new Unavailable("not_ready", "the node is starting: its catalog view has not caught up, so it cannot check "
        + "this key yet; retry");
  }

  static Refused invalidKey() {
    return new Refused("invalid_key", "the API key is not valid");
  }

  static Refused invalidToken(String message) {
    return new Refused("invalid_token", message);
  }
}
