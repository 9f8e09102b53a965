package io.tollgate.broker.subscription;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.apache.pekko.util.ByteString;

/**
 * Fuzzes what a consumer may send on a stream, in both formats: a cursor or a
 * {@link StreamFormat.FrameException} with its code, never anything else. Seeds:
 * {@code StreamFrameFuzzTestInputs/}.
 */
class StreamFrameFuzzTest {
  private static final StreamFormat JSON = StreamFormat.forSubprotocol(StreamFormat.JSON_SUBPROTOCOL);
  private static final StreamFormat PROTOBUF = StreamFormat.forSubprotocol(StreamFormat.PROTOBUF_SUBPROTOCOL);

  @FuzzTest(maxDuration = "60s")
  void anyClientMessage(byte[] message) {
    try {
      JSON.ackedCursor(WireMessage.text(ByteString.fromArray(message)));
    } catch (StreamFormat.FrameException refused) {
      // its own refusal
    }
    try {
      PROTOBUF.ackedCursor(WireMessage.binary(ByteString.fromArray(message)));
    } catch (StreamFormat.FrameException refused) {
      // its own refusal
    }
  }
}
