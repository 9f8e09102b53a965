package io.tollgate.broker.subscription;

/**
 * The text/event-stream framing of the HTML Living Standard (§9.2): an event is its
 * {@code event:} and {@code id:} fields and one {@code data:} field per line of its data (a
 * client joins them with line feeds), then a blank line; a line starting with a colon is a
 * comment, which clients ignore and proxies see as traffic.
 */
public final class ServerSentEvents {
  private ServerSentEvents() {}

  /** One event; {@code id} may be null. A name or id with a line break could forge fields, so neither may have one. */
  public static String event(String name, String id, String data) {
    StringBuilder event = new StringBuilder(data.length() + 64);
    event.append("event: ").append(singleLine(name)).append('\n');
    if (id != null) {
      event.append("id: ").append(singleLine(id)).append('\n');
    }
    for (String line : data.split("\r\n|\r|\n", -1)) {
      event.append("data: ").append(line).append('\n');
    }
    return event.append('\n').toString();
  }

  public static String comment(String text) {
    return ": " + singleLine(text) + "\n\n";
  }

  private static String singleLine(String field) {
    if (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0 || field.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an event field has no line break or NUL: " + field);
    }
    return field;
  }
}
