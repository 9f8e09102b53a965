package io.tollgate.protocols.filter;

import java.util.List;

/**
 * A parsed field path: either an attribute name ({@code data} false) or a path into the event's
 * data ({@code data} true), whose segments are object keys or, on arrays, indexes.
 *
 * @param attribute the attribute name, or null for a data path
 * @param segments the data path below {@code data} (empty for {@code data} itself)
 * @param indexes for each segment its array index, or -1 when it is not a plain decimal index
 */
record FieldPath(String attribute, List<String> segments, int[] indexes) {
  static FieldPath attribute(String name) {
    return new FieldPath(name, List.of(), new int[0]);
  }

  static FieldPath data(List<String> segments) {
    int[] indexes = new int[segments.size()];
    for (int i = 0; i < indexes.length; i++) {
      indexes[i] = index(segments.get(i));
    }
    return new FieldPath(null, List.copyOf(segments), indexes);
  }

  boolean isData() {
    return attribute == null;
  }

  /** "0", "17": an index; "", "01", "-1", "x", or too long for an int: not one. */
  private static int index(String segment) {
    int length = segment.length();
    if (length == 0 || length > 9 || (length > 1 && segment.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < length; i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Integer.parseInt(segment);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FieldPath path && java.util.Objects.equals(attribute, path.attribute)
        && segments.equals(path.segments);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(attribute, segments);
  }

  @Override
  public String toString() {
    return isData() ? (segments.isEmpty() ? "data" : "data." + String.join(".", segments)) : attribute;
  }
}
