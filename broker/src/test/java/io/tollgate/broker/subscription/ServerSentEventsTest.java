package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ServerSentEventsTest {
  @Test
  void anEventIsItsNameItsIdOneDataLinePerLineAndABlankLine() {
    assertEquals("event: event\nid: t:0:1:2\ndata: {\"a\":1}\n\n", ServerSentEvents.event("event", "t:0:1:2", "{\"a\":1}"));
  }

  @Test
  void dataOfManyLinesIsOneDataFieldPerLineWhateverTheLineBreak() {
    assertEquals("event: event\ndata: {\ndata:   \"a\": 1,\ndata:   \"b\": 2\ndata: }\n\n",
        ServerSentEvents.event("event", null, "{\n  \"a\": 1,\r\n  \"b\": 2\r}"));
  }

  @Test
  void emptyLinesInDataAndATrailingLineBreakSurvive() {
    assertEquals("event: e\ndata: a\ndata: \ndata: b\ndata: \n\n", ServerSentEvents.event("e", null, "a\n\nb\n"));
  }

  @Test
  void aNameOrIdWithALineBreakIsRefusedSoItCannotForgeFields() {
    assertThrows(IllegalArgumentException.class, () -> ServerSentEvents.event("event\ndata: forged", null, "{}"));
    assertThrows(IllegalArgumentException.class, () -> ServerSentEvents.event("event", "1\r\nevent: x", "{}"));
  }

  @Test
  void aCommentIsALineStartingWithAColon() {
    assertEquals(": keep-alive\n\n", ServerSentEvents.comment("keep-alive"));
  }
}
