package io.tollgate.broker.http.websocket;

/** The close status codes Tollgate sends, and which ones a peer may send (RFC 6455, section 7.4). */
public final class CloseCode {
  public static final int NORMAL = 1000;
  public static final int PROTOCOL_ERROR = 1002;
  public static final int INVALID_PAYLOAD = 1007;
  public static final int MESSAGE_TOO_BIG = 1009;
  public static final int INTERNAL_ERROR = 1011;

  private CloseCode() {}

  /**
   * Whether a peer may put {@code code} in a close frame: the defined codes other than those
   * reserved for "no code", "abnormal closure" and "TLS failure" (1005, 1006, 1015), and the
   * ranges left to libraries and applications (3000–4999).
   */
  public static boolean maySend(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }
}
