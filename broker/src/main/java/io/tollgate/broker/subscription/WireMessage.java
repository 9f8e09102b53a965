package io.tollgate.broker.subscription;

import org.apache.pekko.util.ByteString;

/**
 * A whole WebSocket message as a stream sends or reads it: text, as UTF-8 bytes, or binary. A
 * text message is kept as bytes, not as a {@code String}: a batch frame is the UTF-8 pieces each
 * delivery rendered once, joined without a copy, so a thousand streams of one topic neither
 * build nor encode a thousand copies of it.
 */
public record WireMessage(boolean isText, ByteString payload) {
  public static WireMessage text(ByteString utf8) {
    return new WireMessage(true, utf8);
  }

  public static WireMessage text(String text) {
    return new WireMessage(true, ByteString.fromString(text));
  }

  public static WireMessage binary(ByteString bytes) {
    return new WireMessage(false, bytes);
  }

  /** The text of a text message. */
  public String asText() {
    return payload.utf8String();
  }
}
