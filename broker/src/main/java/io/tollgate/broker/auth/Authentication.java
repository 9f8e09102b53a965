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
   * The broker could not check a token (its keys could not be fetched): not the caller's fault,
   * so it does not count as a failed attempt.
   */
  record Unavailable(String message) implements Authentication {}

  static Refused invalidKey() {
    return new Refused("invalid_key", "the API key is not valid");
  }

  static Refused invalidToken(String message) {
    return new Refused("invalid_token", message);
  }
}
