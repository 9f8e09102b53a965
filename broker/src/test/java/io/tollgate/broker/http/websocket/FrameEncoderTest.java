package io.tollgate.broker.http.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
  @Test
  void aServerFrameIsWholeUnmaskedAndTakesTheShortestLength() {
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x81, 2, 'h', 'i'}), FrameEncoder.frame(Frame.TEXT, ByteString.fromString("hi")));
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x82, 125}), FrameEncoder.frame(Frame.BINARY, ByteString.fromArray(new byte[125])).take(2));
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x82, 126, 0, 126}), FrameEncoder.frame(Frame.BINARY, ByteString.fromArray(new byte[126])).take(4));
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x82, 126, (byte) 0xFF, (byte) 0xFF}),
        FrameEncoder.frame(Frame.BINARY, ByteString.fromArray(new byte[65_535])).take(4));
    assertEquals(ByteString.fromArray(new byte[] {(byte) 0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}),
        FrameEncoder.frame(Frame.BINARY, ByteString.fromArray(new byte[65_536])).take(10));
    assertEquals(65_546, FrameEncoder.frame(Frame.BINARY, ByteString.fromArray(new byte[65_536])).size());
  }

  @Test
  void aCloseFrameCarriesItsCodeAndAReasonCutToFitAtACharacter() throws Exception {
    ByteString close = FrameEncoder.close(CloseCode.MESSAGE_TOO_BIG, "é".repeat(100));
    assertEquals(0x88, close.apply(0) & 0xFF);
    int length = close.apply(1);
    assertEquals(2 + 122, length, "61 two-byte characters fit in 123 bytes, 62 would not");
    ByteString payload = close.drop(2);
    assertEquals(CloseCode.MESSAGE_TOO_BIG, ClosePayload.codeOf(payload));
    assertEquals("é".repeat(61), payload.drop(2).utf8String());
  }

  @Test
  void aPeersCloseCodeMustBeOneItMaySendWithAUtf8Reason() throws Exception {
    assertEquals(ClosePayload.NO_CODE, ClosePayload.codeOf(ByteString.emptyByteString()));
    assertEquals(4000, ClosePayload.codeOf(ByteString.fromArray(new byte[] {0x0F, (byte) 0xA0, 'o', 'k'})));
    for (int code : new int[] {999, 1004, 1005, 1006, 1015, 2999, 5000}) {
      ByteString payload = ByteString.fromArray(new byte[] {(byte) (code >>> 8), (byte) code});
      assertEquals(CloseCode.PROTOCOL_ERROR, assertThrows(Violation.class, () -> ClosePayload.codeOf(payload)).closeCode(),
          "code " + code);
    }
    assertEquals(CloseCode.PROTOCOL_ERROR,
        assertThrows(Violation.class, () -> ClosePayload.codeOf(ByteString.fromArray(new byte[] {3}))).closeCode());
    assertEquals(CloseCode.INVALID_PAYLOAD, assertThrows(Violation.class,
        () -> ClosePayload.codeOf(ByteString.fromArray(new byte[] {0x03, (byte) 0xE8, (byte) 0xFF}))).closeCode());
  }
}
