package io.tollgate.broker.http.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private static final int LIMIT = 70_000;

  @Test
  void aMaskedFrameIsReadUnmaskedWhateverTheLengthsEncoding() throws Exception {
    for (int length : new int[] {0, 1, 125, 126, 65_535, 65_536, LIMIT}) {
      byte[] payload = new byte[length];
      Arrays.fill(payload, (byte) 'x');
      FrameDecoder decoder = new FrameDecoder(LIMIT);
      decoder.feed(ClientFrames.frame(true, Frame.BINARY, payload));
      Frame frame = (Frame) decoder.next();
      assertEquals(Frame.BINARY, frame.opcode());
      assertTrue(frame.fin());
      assertArrayEquals(payload, frame.payload().toArray(), "length " + length);
      assertNull(decoder.next());
      assertTrue(decoder.isEmpty());
    }
  }

  @Test
  void framesArrivingAByteAtATimeOrManyInOneChunkReadTheSame() throws Exception {
    ByteString two = ClientFrames.frame(false, Frame.TEXT, "hel".getBytes(StandardCharsets.UTF_8))
        .concat(ClientFrames.frame(true, Frame.CONTINUATION, "lo".getBytes(StandardCharsets.UTF_8)));
    FrameDecoder byBytes = new FrameDecoder(LIMIT);
    StringBuilder read = new StringBuilder();
    for (int i = 0; i < two.size(); i++) {
      byBytes.feed(two.slice(i, i + 1));
      FrameDecoder.Decoded decoded = byBytes.next();
      if (decoded != null) {
        read.append(((Frame) decoded).payload().utf8String());
      }
    }
    assertEquals("hello", read.toString());
    FrameDecoder atOnce = new FrameDecoder(LIMIT);
    atOnce.feed(two);
    assertEquals("hel", ((Frame) atOnce.next()).payload().utf8String());
    assertEquals("lo", ((Frame) atOnce.next()).payload().utf8String());
  }

  @Test
  void aDataFrameAboveTheLimitIsReportedFromItsHeaderAndItsPayloadIsDroppedAsItComes() throws Exception {
    FrameDecoder decoder = new FrameDecoder(100);
    ByteString large = ClientFrames.frame(true, Frame.TEXT, new byte[1_000]);
    decoder.feed(large.take(10));
    FrameDecoder.Oversized oversized = assertInstanceOf(FrameDecoder.Oversized.class, decoder.next());
    assertEquals(1_000, oversized.length());
    decoder.feed(large.drop(10).take(500));
    assertNull(decoder.next());
    decoder.feed(large.drop(510).concat(ClientFrames.frame(true, Frame.PING, new byte[] {7})));
    Frame ping = (Frame) decoder.next();
    assertEquals(Frame.PING, ping.opcode());
    assertArrayEquals(new byte[] {7}, ping.payload().toArray());
  }

  @Test
  void whatAServerMustRefuseIsAProtocolError() {
    refused(ClientFrames.frame(true, Frame.TEXT, new byte[] {1}, false, 0), "a client's frames must be masked");
    refused(ClientFrames.frame(true, Frame.TEXT, new byte[] {1}, true, 4), "reserved bits are set, and no extension was agreed");
    refused(ClientFrames.frame(true, 3, new byte[] {1}), "opcode 3 is reserved");
    refused(ClientFrames.frame(true, 0xB, new byte[] {1}), "opcode 11 is reserved");
    refused(ClientFrames.frame(false, Frame.PING, new byte[] {1}), "a control frame must be whole and at most 125 bytes");
    refused(ClientFrames.frame(true, Frame.CLOSE, new byte[126]), "a control frame must be whole and at most 125 bytes");
    ByteString huge = ByteString.fromArray(new byte[] {(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
    refused(huge, "a frame's length must be below 2^63");
  }

  private static void refused(ByteString bytes, String reason) {
    FrameDecoder decoder = new FrameDecoder(LIMIT);
    decoder.feed(bytes);
    Violation violation = assertThrows(Violation.class, decoder::next);
    assertEquals(CloseCode.PROTOCOL_ERROR, violation.closeCode());
    assertEquals(reason, violation.getMessage());
  }
}
