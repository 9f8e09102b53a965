package io.tollgate.protocols.redaction;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6901 JSON pointer into an event's {@code data}: {@code /card/number}, {@code /items/0/sku}.
 * {@code ~1} stands for {@code /} and {@code ~0} for {@code ~} inside a name. On an array a
 * token is an index ({@code 0}, or digits without a leading zero); anything else, or an index past
 * the end, points at nothing.
 */
public record JsonPointer(String text, List<String> tokens) {
  public JsonPointer {
    tokens = List.copyOf(tokens);
  }

  /**
   * @throws IllegalArgumentException when the text is not an RFC 6901 pointer, or is the empty
   *     pointer (the whole data), which a rule may not name
   */
  public static JsonPointer parse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the empty pointer names the whole data; name a field inside it, such as /card");
    }
    if (text.charAt(0) != '/') {
      throw new IllegalArgumentException("a JSON pointer starts with /, as in /card/number");
    }
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    for (int i = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '/') {
        tokens.add(token.toString());
        token.setLength(0);
      } else if (c == '~') {
        char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
        if (next != '0' && next != '1') {
          throw new IllegalArgumentException("~ must be followed by 0 (for ~) or 1 (for /), at position " + i);
        }
        token.append(next == '0' ? '~' : '/');
        i++;
      } else {
        token.append(c);
      }
    }
    tokens.add(token.toString());
    return new JsonPointer(text, tokens);
  }

  /** The array index a token stands for, or -1 when it is not one. */
  static int index(String token) {
    if (token.isEmpty() || token.length() > 9 || token.length() > 1 && token.charAt(0) == '0') {
      return -1;
    }
    for (int i = 0; i < token.length(); i++) {
      if (token.charAt(i) < '0' || token.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(token);
  }

  @Override
  public String toString() {
    return text;
  }
}
