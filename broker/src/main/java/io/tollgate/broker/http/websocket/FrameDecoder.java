package io.tollgate.broker.http.websocket;

import org.apache.pekko.util.ByteString;

/**
 * Reads a client's frames from the bytes of its connection as they come (RFC 6455, section
 * 5.2), and holds at most one frame of at most {@code maxPayloadBytes} and what arrived after
 * it: a data frame that declares more is reported {@link Oversized} from its header alone, and
 * its payload is dropped as it arrives, never held. Anything a server must refuse is a
 * {@link Violation}: a frame that is not masked, reserved bits or an opcode no extension was
 * agreed for, a control frame that is fragmented or above 125 bytes, a length above 2^63.
 */
public final class FrameDecoder {
  /** What {@link #next} read: a whole {@link Frame}, or the header of an {@link Oversized} one. */
  public sealed interface Decoded permits Frame, Oversized {}

  /** A data frame whose payload is longer than the limit; its payload is skipped, not read. */
  public record Oversized(boolean fin, int opcode, long length) implements Decoded {}

  private static final int MAX_CONTROL_PAYLOAD = 125;
  private static final int MASK_BYTES = 4;

  private final int maxPayloadBytes;
  private ByteString buffer = ByteString.emptyByteString();
  /** Payload bytes of an oversized frame still to drop. */
  private long skipping;

  public FrameDecoder(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Bytes from the connection, in order. */
  public void feed(ByteString bytes) {
    buffer = buffer.concat(bytes);
  }

  /** The next frame the bytes fed so far hold whole, or null until more bytes come. */
  public Decoded next() throws Violation {
    if (skipping > 0) {
      int dropped = (int) Math.min(skipping, buffer.size());
      buffer = buffer.drop(dropped);
      skipping -= dropped;
      if (skipping > 0) {
        return null;
      }
    }
    if (buffer.size() < 2) {
      return null;
    }
    int first = buffer.apply(0) & 0xFF;
    int second = buffer.apply(1) & 0xFF;
    boolean fin = (first & 0x80) != 0;
    int opcode = first & 0x0F;
    if ((first & 0x70) != 0) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "reserved bits are set, and no extension was agreed");
    }
    if (!isKnown(opcode)) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "opcode " + opcode + " is reserved");
    }
    if ((second & 0x80) == 0) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "a client's frames must be masked");
    }
    int shortLength = second & 0x7F;
    boolean control = (opcode & 0x8) != 0;
    if (control && (!fin || shortLength > MAX_CONTROL_PAYLOAD)) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "a control frame must be whole and at most 125 bytes");
    }
    int lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0;
    int headerBytes = 2 + lengthBytes + MASK_BYTES;
    if (buffer.size() < headerBytes) {
      return null;
    }
    long length = lengthBytes == 0 ? shortLength : unsigned(2, lengthBytes);
    if (length < 0) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "a frame's length must be below 2^63");
    }
    if (length > maxPayloadBytes) {
      buffer = buffer.drop(headerBytes);
      skipping = length;
      int dropped = (int) Math.min(skipping, buffer.size());
      buffer = buffer.drop(dropped);
      skipping -= dropped;
      return new Oversized(fin, opcode, length);
    }
    if (buffer.size() < headerBytes + length) {
      return null;
    }
    byte[] mask = buffer.slice(headerBytes - MASK_BYTES, headerBytes).toArray();
    byte[] payload = new byte[(int) length];
    buffer.slice(headerBytes, headerBytes + (int) length).copyToArray(payload, 0, payload.length);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i & 3];
    }
    buffer = buffer.drop(headerBytes + (int) length);
    if (buffer.isEmpty()) {
      buffer = ByteString.emptyByteString();
    }
    return new Frame(fin, opcode, ByteString.fromArrayUnsafe(payload));
  }

  /** Whether no byte of a frame is held: the connection stands between frames. */
  public boolean isEmpty() {
    return buffer.isEmpty() && skipping == 0;
  }

  private long unsigned(int from, int count) {
    long value = 0;
    for (int i = from; i < from + count; i++) {
      value = (value << 8) | (buffer.apply(i) & 0xFF);
    }
    return value;
  }

  private static boolean isKnown(int opcode) {
    return opcode <= Frame.BINARY || (opcode >= Frame.CLOSE && opcode <= Frame.PONG);
  }
}
