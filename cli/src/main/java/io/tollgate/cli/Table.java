package io.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The broker's JSON answers as text tables: a list ({@code {"data":[...]}}) one row an item, an
 * object one row or, without chosen columns, one line a field. Nested values are shown as
 * compact JSON, cut at {@link #WIDEST} characters; {@code --output json} shows everything.
 */
final class Table {
  static final int WIDEST = 60;
  private static final int MOST_COLUMNS = 8;

  private Table() {}

  static String render(JsonNode answer, List<String> columns) {
    if (answer.isObject() && answer.size() == 0) {
      return "done";
    }
    if (answer.has("data") && answer.get("data").isArray()) {
      List<JsonNode> items = new ArrayList<>();
      answer.get("data").forEach(items::add);
      String table = rows(items, columns.isEmpty() ? scalarFields(items) : columns);
      return answer.hasNonNull("next_after") ? table + "\nnext_after: " + answer.get("next_after").asText() : table;
    }
    if (!columns.isEmpty()) {
      return rows(List.of(answer), columns);
    }
    StringBuilder fields = new StringBuilder();
    int width = 0;
    for (Iterator<String> names = answer.fieldNames(); names.hasNext(); ) {
      width = Math.max(width, names.next().length());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = answer.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      fields.append(pad(field.getKey(), width)).append("  ").append(cell(field.getValue())).append('\n');
    }
    return fields.toString().stripTrailing();
  }

  private static List<String> scalarFields(List<JsonNode> items) {
    List<String> names = new ArrayList<>();
    if (!items.isEmpty()) {
      items.get(0).fields().forEachRemaining(field -> {
        if (names.size() < MOST_COLUMNS && (field.getValue().isValueNode() || isScalarArray(field.getValue()))) {
          names.add(field.getKey());
        }
      });
    }
    return names;
  }

  private static String rows(List<JsonNode> items, List<String> columns) {
    List<List<String>> cells = new ArrayList<>();
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = columns.get(c).length();
    }
    for (JsonNode item : items) {
      List<String> row = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        String value = item.has(columns.get(c)) ? cell(item.get(columns.get(c))) : "";
        widths[c] = Math.max(widths[c], value.length());
        row.add(value);
      }
      cells.add(row);
    }
    StringBuilder table = new StringBuilder(line(columns.stream().map(name -> name.toUpperCase(java.util.Locale.ROOT))
        .toList(), widths));
    cells.forEach(row -> table.append('\n').append(line(row, widths)));
    return table.toString();
  }

  private static String line(List<String> values, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < values.size(); c++) {
      line.append(c == 0 ? "" : "  ").append(c == values.size() - 1 ? values.get(c) : pad(values.get(c), widths[c]));
    }
    return line.toString().stripTrailing();
  }

  private static String cell(JsonNode value) {
    if (value.isNull()) {
      return "";
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    if (isScalarArray(value)) {
      List<String> parts = new ArrayList<>();
      value.forEach(part -> parts.add(part.asText()));
      return cut(String.join(",", parts));
    }
    return cut(value.toString());
  }

  private static boolean isScalarArray(JsonNode value) {
    if (!value.isArray()) {
      return false;
    }
    for (JsonNode part : value) {
      if (!part.isValueNode()) {
        return false;
      }
    }
    return true;
  }

  private static String cut(String text) {
    return text.length() <= WIDEST ? text : text.substring(0, WIDEST - 1) + "…";
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(Math.max(0, width - text.length()));
  }
}
