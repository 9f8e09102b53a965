package io.tollgate.broker.http.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import io.tollgate.broker.subscription.WireMessage;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {
  private final MessageAssembler assembler = new MessageAssembler(10);

  @Test
  void fragmentsAreJoinedIntoOneMessage() throws Exception {
    assertNull(assembler.add(frame(false, Frame.TEXT, "ab")));
    assertTrue(assembler.isReading());
    assertNull(assembler.add(frame(false, Frame.CONTINUATION, "cd")));
    WireMessage message = whole(assembler.add(frame(true, Frame.CONTINUATION, "é")));
    assertEquals("abcdé", message.asText());
    assertFalse(assembler.isReading());
    WireMessage binary = whole(assembler.add(new Frame(true, Frame.BINARY, ByteString.fromArray(new byte[] {1, 2}))));
    assertEquals(ByteString.fromArray(new byte[] {1, 2}), binary.payload());
  }

  @Test
  void aMessageAboveTheLimitIsReportedOnceAndItsOtherFragmentsAreDropped() throws Exception {
    assertNull(assembler.add(frame(false, Frame.BINARY, "123456")));
    assertEquals(new MessageAssembler.TooLarge(10), assembler.add(frame(false, Frame.CONTINUATION, "78901")));
    assertNull(assembler.add(frame(false, Frame.CONTINUATION, "more")));
    assertNull(assembler.add(frame(true, Frame.CONTINUATION, "end")));
    assertEquals("next", whole(assembler.add(frame(true, Frame.TEXT, "next"))).asText());
  }

  @Test
  void anOversizedFramesHeaderIsAMessageTooLarge() throws Exception {
    assertInstanceOf(MessageAssembler.TooLarge.class, assembler.add(new FrameDecoder.Oversized(false, Frame.TEXT, 1_000)));
    assertNull(assembler.add(new FrameDecoder.Oversized(true, Frame.CONTINUATION, 1_000)));
    assertEquals("ok", whole(assembler.add(frame(true, Frame.TEXT, "ok"))).asText());
  }

  @Test
  void fragmentsOutOfOrderAndTextThatIsNotUtf8AreRefused() throws Exception {
    assertEquals(CloseCode.PROTOCOL_ERROR,
        assertThrows(Violation.class, () -> assembler.add(frame(true, Frame.CONTINUATION, "x"))).closeCode());
    assembler.add(frame(false, Frame.TEXT, "x"));
    assertEquals(CloseCode.PROTOCOL_ERROR,
        assertThrows(Violation.class, () -> assembler.add(frame(true, Frame.BINARY, "y"))).closeCode());
    MessageAssembler fresh = new MessageAssembler(10);
    Frame notUtf8 = new Frame(true, Frame.TEXT, ByteString.fromArray(new byte[] {(byte) 0xC3, 0x28}));
    assertEquals(CloseCode.INVALID_PAYLOAD, assertThrows(Violation.class, () -> fresh.add(notUtf8)).closeCode());
  }

  private static Frame frame(boolean fin, int opcode, String text) {
    return new Frame(fin, opcode, ByteString.fromString(text, StandardCharsets.UTF_8));
  }

  private static WireMessage whole(MessageAssembler.Assembled assembled) {
    return assertInstanceOf(MessageAssembler.Whole.class, assembled).message();
  }
}
