package io.tollgate.broker.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tollgate.protocols.Frames;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Fuzzes the TCP frame decoder with any bytes cut into any chunks. It never throws; how the
 * bytes are cut never changes what it decodes; nothing follows a refusal; every frame it yields
 * is at most the limit; the frames it yields, encoded again, are the bytes it consumed; and it
 * says a frame is in progress exactly when it holds bytes it has neither decoded nor refused.
 * Seeds: {@code FrameDecoderFuzzTestInputs/}.
 */
class FrameDecoderFuzzTest {
  private static final int MAX_FRAME_BYTES = 256;

  @FuzzTest(maxDuration = "60s")
  void anyBytesInAnyChunks(FuzzedDataProvider data) {
    int chunks = data.consumeInt(1, 16);
    List<byte[]> cuts = new ArrayList<>();
    for (int i = 0; i < chunks - 1; i++) {
      cuts.add(data.consumeBytes(data.consumeInt(0, 64)));
    }
    cuts.add(data.consumeRemainingAsBytes());
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    cuts.forEach(whole::writeBytes);

    List<FrameDecoder.Decoded> chunked = decode(cuts, new boolean[1]);
    boolean[] partial = new boolean[1];
    List<FrameDecoder.Decoded> atOnce = decode(List.of(whole.toByteArray()), partial);
    assertEquals(atOnce, chunked, "the same bytes decode the same however they are cut");

    ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
    for (int i = 0; i < atOnce.size(); i++) {
      if (atOnce.get(i) instanceof FrameDecoder.Frame frame) {
        assertTrue(frame.payload().size() <= MAX_FRAME_BYTES);
        byte[] payload = frame.payload().toArray();
        reencoded.writeBytes(new byte[] {(byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
            (byte) (payload.length >>> 8), (byte) payload.length});
        reencoded.writeBytes(payload);
      } else {
        assertEquals(atOnce.size() - 1, i, "nothing follows a refusal");
      }
    }
    byte[] consumed = reencoded.toByteArray();
    byte[] input = whole.toByteArray();
    assertTrue(consumed.length <= input.length);
    byte[] prefix = new byte[consumed.length];
    System.arraycopy(input, 0, prefix, 0, consumed.length);
    assertArrayEquals(prefix, consumed, "frames are the input's bytes, in order");
    boolean refused = atOnce.stream().anyMatch(decoded -> decoded instanceof FrameDecoder.Malformed malformed
        && !malformed.code().equals("truncated_frame"));
    assertEquals(!refused && consumed.length < input.length, partial[0],
        "a frame is in progress when bytes are left over and nothing was refused");
    assertTrue(Frames.LENGTH_BYTES == 4);
  }

  /** The frames and refusals of {@code chunks}; {@code partial[0]}: whether a frame was in progress at their end. */
  private static List<FrameDecoder.Decoded> decode(List<byte[]> chunks, boolean[] partial) {
    FrameDecoder decoder = new FrameDecoder(MAX_FRAME_BYTES);
    List<FrameDecoder.Decoded> decoded = new ArrayList<>();
    for (byte[] chunk : chunks) {
      decoded.addAll(decoder.feed(ByteString.fromArray(chunk)));
    }
    partial[0] = decoder.partial();
    decoded.addAll(decoder.finish());
    return decoded;
  }
}
