package io.tollgate.broker.http.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import io.tollgate.broker.subscription.WireMessage;
import org.apache.pekko.util.ByteString;

/**
 * Fuzzes what a WebSocket client sends, any bytes cut into any chunks, through the frame decoder
 * and the message assembler as the connection runs them. Nothing but a {@link Violation} is
 * thrown, and nothing is read after one; how the bytes are cut never changes what is read; no
 * frame or message held is above the limit.
 */
class WebSocketFramesFuzzTest {
  private static final int LIMIT = 256;

  @FuzzTest(maxDuration = "60s")
  void anyBytesInAnyChunks(FuzzedDataProvider data) {
    int chunks = data.consumeInt(1, 16);
    List<byte[]> cuts = new ArrayList<>();
    for (int i = 0; i < chunks - 1; i++) {
      cuts.add(data.consumeBytes(data.consumeInt(0, 64)));
    }
    cuts.add(data.consumeRemainingAsBytes());
    ByteString whole = ByteString.emptyByteString();
    for (byte[] cut : cuts) {
      whole = whole.concat(ByteString.fromArray(cut));
    }
    assertEquals(read(List.of(whole)), read(cuts.stream().map(ByteString::fromArray).toList()),
        "the same bytes read the same however they are cut");
  }

  /** What the connection makes of {@code chunks}: each control frame, message, too-large report, and the violation that ends it. */
  private static List<String> read(List<ByteString> chunks) {
    FrameDecoder decoder = new FrameDecoder(LIMIT);
    MessageAssembler assembler = new MessageAssembler(LIMIT);
    List<String> read = new ArrayList<>();
    try {
      for (ByteString chunk : chunks) {
        decoder.feed(chunk);
        for (FrameDecoder.Decoded decoded = decoder.next(); decoded != null; decoded = decoder.next()) {
          if (decoded instanceof Frame frame && frame.isControl()) {
            assertTrue(frame.payload().size() <= 125);
            read.add("control " + frame.opcode() + " " + frame.payload());
            if (frame.opcode() == Frame.CLOSE) {
              read.add("close " + ClosePayload.codeOf(frame.payload()));
            }
          } else {
            if (decoded instanceof Frame frame) {
              assertTrue(frame.payload().size() <= LIMIT);
            }
            MessageAssembler.Assembled assembled = assembler.add(decoded);
            if (assembled instanceof MessageAssembler.Whole message) {
              read.add("message " + bytesOf(message.message()));
            } else if (assembled != null) {
              read.add("too large");
            }
          }
        }
      }
    } catch (Violation violation) {
      read.add("violation " + violation.closeCode());
    }
    return read;
  }

  private static ByteString bytesOf(WireMessage message) {
    ByteString bytes = message.payload();
    assertTrue(bytes.size() <= LIMIT);
    return bytes;
  }
}
