package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventStreamParserTest {
  private static List<EventStreamParser.Event> parse(String stream) {
    EventStreamParser parser = new EventStreamParser();
    List<EventStreamParser.Event> events = new ArrayList<>();
    for (String line : stream.split("\n", -1)) {
      parser.line(line).ifPresent(events::add);
    }
    return events;
  }

  @Test
  void dataLinesAreJoinedWithLineFeedsAndTheEventGoesOutAtTheBlankLine() {
    assertEquals(List.of(new EventStreamParser.Event("event", "t:0:1:0", "{\n\"a\": 1\n}")),
        parse("event: event\nid: t:0:1:0\ndata: {\ndata: \"a\": 1\ndata: }\n\n"));
  }

  @Test
  void commentsAndEventsWithoutDataDispatchNothing() {
    assertTrue(parse(": keep-alive\n\nevent: nothing\n\n").isEmpty());
  }

  @Test
  void theIdCarriesOverToLaterEventsAndANameDoesNot() {
    List<EventStreamParser.Event> events = parse("event: error\nid: c1\ndata: x\n\ndata:y\n\n");
    assertEquals(new EventStreamParser.Event("error", "c1", "x"), events.get(0));
    assertEquals(new EventStreamParser.Event("message", "c1", "y"), events.get(1), "no space after the colon is fine too");
  }
}
