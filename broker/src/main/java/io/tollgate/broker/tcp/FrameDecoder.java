package io.tollgate.broker.tcp;

import io.tollgate.protocols.Frames;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Cuts a TCP byte stream into frames of a 4-byte big-endian length and a payload. Bad framing
 * is a value, not a stream failure, so that the connection can answer with an error frame and
 * close cleanly instead of being reset.
 */
final class FrameDecoder {
  sealed interface Decoded {}

  record Frame(ByteString payload) implements Decoded {}

  record Malformed(String code, String message) implements Decoded {}

  private final int maxFrameBytes;
  private ByteString buffer = ByteString.emptyByteString();
  private boolean failed;

  FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The frames completed by these bytes; after a {@link Malformed}, nothing more. */
  List<Decoded> feed(ByteString bytes) {
    if (failed) {
      return List.of();
    }
    buffer = buffer.concat(bytes);
    List<Decoded> decoded = new ArrayList<>();
    while (buffer.size() >= Frames.LENGTH_BYTES) {
      long length = Integer.toUnsignedLong(buffer.iterator().getInt(java.nio.ByteOrder.BIG_ENDIAN));
      if (length > maxFrameBytes) {
        failed = true;
        decoded.add(new Malformed("frame_too_large", "a frame of " + length + " bytes was announced; the limit is "
            + maxFrameBytes + " (a frame is a 4-byte big-endian length and that many bytes)"));
        return decoded;
      }
      if (buffer.size() < Frames.LENGTH_BYTES + length) {
        break;
      }
      decoded.add(new Frame(buffer.slice(Frames.LENGTH_BYTES, Frames.LENGTH_BYTES + (int) length).compact()));
      buffer = buffer.drop(Frames.LENGTH_BYTES + (int) length);
    }
    return decoded;
  }

  /** Whether bytes of a frame not yet complete are held: the start of the next frame has arrived, its end not yet. */
  boolean partial() {
    return !failed && !buffer.isEmpty();
  }

  /** At the end of the stream: a frame cut short is an error; a clean end is not. */
  List<Decoded> finish() {
    if (failed || buffer.isEmpty()) {
      return List.of();
    }
    return List.of(new Malformed("truncated_frame", "the connection ended " + buffer.size()
        + " bytes into a frame"));
  }
}
