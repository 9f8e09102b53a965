package io.tollgate.broker.http.websocket;

import org.apache.pekko.util.ByteString;

/**
 * One WebSocket frame (RFC 6455, section 5.2) with its payload unmasked. Tollgate negotiates no
 * extension, so the reserved bits are always clear and not kept.
 */
public record Frame(boolean fin, int opcode, ByteString payload) implements FrameDecoder.Decoded {
  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** Control frames (close, ping, pong) may come between the fragments of a message, and are never fragmented. */
  public boolean isControl() {
    return (opcode & 0x8) != 0;
  }
}
