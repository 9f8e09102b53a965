package io.tollgate.broker.http.websocket;

import org.apache.pekko.util.ByteString;

/** What a peer's close frame says (RFC 6455, section 5.5.1): no code, or a code and a UTF-8 reason. */
public final class ClosePayload {
  /** The code of a close frame that carries none; it is answered with {@link CloseCode#NORMAL}. */
  public static final int NO_CODE = 1005;

  private ClosePayload() {}

  public static int codeOf(ByteString payload) throws Violation {
    if (payload.isEmpty()) {
      return NO_CODE;
    }
    if (payload.size() == 1) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "a close frame's code takes two bytes");
    }
    int code = ((payload.apply(0) & 0xFF) << 8) | (payload.apply(1) & 0xFF);
    if (!CloseCode.maySend(code)) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "close code " + code + " may not be sent");
    }
    MessageAssembler.checkUtf8(payload.drop(2));
    return code;
  }
}
