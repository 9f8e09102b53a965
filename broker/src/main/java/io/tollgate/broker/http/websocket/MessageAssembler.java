package io.tollgate.broker.http.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import io.tollgate.broker.subscription.WireMessage;
import org.apache.pekko.util.ByteString;

/**
 * Joins a client's data frames into messages (RFC 6455, section 5.4) and holds at most
 * {@code maxMessageBytes} of one: a message that passes it is reported {@link TooLarge} at once,
 * and the rest of its fragments are dropped as they come. Text must be valid UTF-8.
 */
public final class MessageAssembler {
  /** What a data frame made: a whole message, or the news that the message being read is too large. */
  public sealed interface Assembled permits Whole, TooLarge {}

  public record Whole(WireMessage message) implements Assembled {}

  public record TooLarge(int limit) implements Assembled {}

  private static final int NONE = -1;

  private final int maxMessageBytes;
  /** The opcode of the message being read, or {@link #NONE} between messages. */
  private int opcode = NONE;
  private ByteString read = ByteString.emptyByteString();
  /** The message being read was too large: its remaining fragments are dropped. */
  private boolean dropping;

  public MessageAssembler(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** A data frame, or an oversized one's header; null while the message goes on. */
  public Assembled add(FrameDecoder.Decoded decoded) throws Violation {
    boolean fin;
    int frameOpcode;
    if (decoded instanceof Frame frame) {
      fin = frame.fin();
      frameOpcode = frame.opcode();
    } else {
      FrameDecoder.Oversized oversized = (FrameDecoder.Oversized) decoded;
      fin = oversized.fin();
      frameOpcode = oversized.opcode();
    }
    boolean reading = opcode != NONE || dropping;
    if (frameOpcode == Frame.CONTINUATION && !reading) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "a continuation frame came with no message begun");
    }
    if (frameOpcode != Frame.CONTINUATION && reading) {
      throw new Violation(CloseCode.PROTOCOL_ERROR, "a message began before the last one ended");
    }
    if (dropping) {
      dropping = !fin;
      return null;
    }
    if (frameOpcode != Frame.CONTINUATION) {
      opcode = frameOpcode;
    }
    if (decoded instanceof FrameDecoder.Oversized || read.size() + ((Frame) decoded).payload().size() > maxMessageBytes) {
      dropping = !fin;
      opcode = NONE;
      read = ByteString.emptyByteString();
      return new TooLarge(maxMessageBytes);
    }
    read = read.concat(((Frame) decoded).payload());
    if (!fin) {
      return null;
    }
    ByteString payload = read.compact();
    if (opcode == Frame.TEXT) {
      checkUtf8(payload);
    }
    WireMessage message = new WireMessage(opcode == Frame.TEXT, payload);
    opcode = NONE;
    read = ByteString.emptyByteString();
    return new Whole(message);
  }

  /** Whether a message is being read: its first fragment came, its last has not. */
  public boolean isReading() {
    return opcode != NONE || dropping;
  }

  static void checkUtf8(ByteString bytes) throws Violation {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toArrayUnsafe()));
    } catch (CharacterCodingException e) {
      throw new Violation(CloseCode.INVALID_PAYLOAD, "a text message must be valid UTF-8");
    }
  }
}
