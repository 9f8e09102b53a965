package io.tollgate.broker.error;

/**
 * The broker refuses what it was asked: a code of the public contract (README's error codes)
 * and a message for people. Domain code throws it and knows nothing of the edge that asked;
 * HTTP renders it with the status {@code http/ErrorStatus} gives its code, TCP and WebSocket
 * streams as an error frame carrying the code.
 */
public final class Refusal extends RuntimeException {
  private final String code;

  public Refusal(String code, String message) {
    super(message, null, false, false);
    this.code = code;
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
}
