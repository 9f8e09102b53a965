package io.tollgate.broker.http.websocket;

import java.io.ByteArrayOutputStream;
import org.apache.pekko.util.ByteString;

/** Frames as a client writes them (masked), for the decoder's tests. */
final class ClientFrames {
  private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

  private ClientFrames() {}

  static ByteString frame(boolean fin, int opcode, byte[] payload) {
    return frame(fin, opcode, payload, true, 0);
  }

  static ByteString frame(boolean fin, int opcode, byte[] payload, boolean masked, int reservedBits) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | reservedBits << 4 | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      out.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(maskBit | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(maskBit | 127);
      long length = payload.length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (length >>> shift) & 0xFF);
      }
    }
    if (masked) {
      out.writeBytes(MASK);
    }
    for (int i = 0; i < payload.length; i++) {
      out.write(masked ? payload[i] ^ MASK[i & 3] : payload[i]);
    }
    return ByteString.fromArray(out.toByteArray());
  }
}
