package io.tollgate.protocols;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Blocking codec for TCP frames: a 4-byte big-endian length, then that many bytes of one
 * Protobuf message. The broker decodes the same layout with Pekko Streams framing.
 */
public final class Frames {
  public static final int LENGTH_BYTES = 4;
  /** The largest frame a broker accepts unless configured otherwise. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

  private Frames() {}

  public static byte[] encode(com.google.protobuf.MessageLite message) {
    int size = message.getSerializedSize();
    byte[] frame = new byte[LENGTH_BYTES + size];
    frame[0] = (byte) (size >>> 24);
    frame[1] = (byte) (size >>> 16);
    frame[2] = (byte) (size >>> 8);
    frame[3] = (byte) size;
    com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(frame, LENGTH_BYTES, size);
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException("writing to an array cannot fail", e);
    }
    return frame;
  }

  public static void write(OutputStream out, com.google.protobuf.MessageLite message) throws IOException {
    out.write(encode(message));
  }

  /** Reads one frame's payload; EOFException at a clean end of stream before a frame starts. */
  public static byte[] read(DataInputStream in, int maxFrameBytes) throws IOException {
    int size = in.readInt();
    if (size < 0 || size > maxFrameBytes) {
      throw new IOException("frame of " + Integer.toUnsignedString(size) + " bytes exceeds the limit of " + maxFrameBytes);
    }
    byte[] payload = new byte[size];
    try {
      in.readFully(payload);
    } catch (EOFException e) {
      throw new IOException("connection closed in the middle of a frame", e);
    }
    return payload;
  }
}
