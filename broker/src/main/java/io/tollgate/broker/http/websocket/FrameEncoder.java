package io.tollgate.broker.http.websocket;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/** Writes a server's frames: whole (fin set) and unmasked, as RFC 6455 asks of a server. */
public final class FrameEncoder {
  /** What a close frame's reason may take: 125 bytes of payload less the 2 of the code. */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private FrameEncoder() {}

  public static ByteString frame(int opcode, ByteString payload) {
    int length = payload.size();
    ByteStringBuilder header = new ByteStringBuilder();
    header.putByte((byte) (0x80 | opcode));
    if (length < 126) {
      header.putByte((byte) length);
    } else if (length <= 0xFFFF) {
      header.putByte((byte) 126);
      header.putByte((byte) (length >>> 8));
      header.putByte((byte) length);
    } else {
      header.putByte((byte) 127);
      long wide = length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        header.putByte((byte) (wide >>> shift));
      }
    }
    return header.result().concat(payload);
  }

  /** A close frame with {@code code} and as much of {@code reason} as fits, cut at a character. */
  public static ByteString close(int code, String reason) {
    ByteStringBuilder payload = new ByteStringBuilder();
    payload.putByte((byte) (code >>> 8));
    payload.putByte((byte) code);
    payload.putBytes(fitted(reason));
    return frame(Frame.CLOSE, payload.result());
  }

  private static byte[] fitted(String reason) {
    String kept = reason;
    byte[] bytes = kept.getBytes(StandardCharsets.UTF_8);
    while (bytes.length > MAX_CLOSE_REASON_BYTES) {
      kept = kept.substring(0, kept.offsetByCodePoints(kept.length(), -1));
      bytes = kept.getBytes(StandardCharsets.UTF_8);
    }
    return bytes;
  }
}
