package io.tollgate.broker.error;

/**
 * The broker refuses what it was asked: a code of the public contract (README's error codes)
 * and a message for people. Domain code throws it and knows nothing of the edge that asked;
 * HTTP renders it with the status {@code http/ErrorStatus} gives its code, TCP and WebSocket
 * streams as an error frame carrying the code.
 */
public final class Refusal extends RuntimeException {
  private final String code;
  private final java.time.Duration retryAfter;

  public Refusal(String code, String message) {
    this(code, message, null);
  }

  /** A refusal that would not be one after {@code retryAfter}: HTTP says so in {@code Retry-After}. */
  public Refusal(String code, String message, java.time.Duration retryAfter) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public static Refusal unauthenticated(String message) {
    return new Refusal("unauthenticated", message);
  }

  public static Refusal forbidden(String message) {
    return new Refusal("forbidden", message);
  }

  public String code() {
    return code;
  }

  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }
}
