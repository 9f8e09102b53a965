package io.tollgate.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a text/event-stream line by line as the HTML standard's EventSource does (§9.2.6):
 * {@code field: value} with one leading space dropped, {@code data} lines joined with line
 * feeds, an event dispatched at a blank line when it has data, comments ({@code :…}) and
 * unknown fields ignored. The event's id is kept for {@code Last-Event-ID}.
 */
final class EventStreamParser {
  /** A dispatched event; {@code name} is {@code message} when the stream named none. */
  record Event(String name, String id, String data) {}

  private String name;
  private String lastEventId;
  private final List<String> data = new ArrayList<>();

  /** One line without its line break; the event it completes, if it does. */
  Optional<Event> line(String line) {
    if (line.isEmpty()) {
      Optional<Event> event = data.isEmpty() ? Optional.empty()
          : Optional.of(new Event(name == null ? "message" : name, lastEventId, String.join("\n", data)));
      name = null;
      data.clear();
      return event;
    }
    if (line.startsWith(":")) {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> name = value;
      case "data" -> data.add(value);
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      default -> { }
    }
    return Optional.empty();
  }
}
