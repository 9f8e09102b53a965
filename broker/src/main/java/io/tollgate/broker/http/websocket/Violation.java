package io.tollgate.broker.http.websocket;

/**
 * The peer broke the protocol: the connection is closed with {@code closeCode} and
 * {@code reason} (at most 123 bytes, what a close frame carries).
 */
public final class Violation extends Exception {
  private final int closeCode;

  public Violation(int closeCode, String reason) {
    super(reason, null, false, false);
    this.closeCode = closeCode;
  }

  public int closeCode() {
    return closeCode;
  }
}
