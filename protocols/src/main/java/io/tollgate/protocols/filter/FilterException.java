package io.tollgate.protocols.filter;

/**
 * A filter that cannot be used: malformed JSON, an unknown operator, a value of the wrong type,
 * a limit exceeded, or a variable with no value at {@link EventFilter#bind}. The message starts
 * with {@link #path()}, the place in the filter that failed, for example
 * {@code filter.$or[1].data.total: $gt needs a number or a string, not an array}.
 */
public final class FilterException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public static final String INVALID_FILTER = "invalid_filter";

  private final String path;

  FilterException(String path, String detail) {
    super(path + ": " + detail);
    this.path = path;
  }

  /** The error code for API responses; always {@value #INVALID_FILTER}. */
  public String code() {
    return INVALID_FILTER;
  }

  /** Where in the filter the problem is: {@code filter}, {@code filter.type}, {@code filter.$and[0].data.a}. */
  public String path() {
    return path;
  }
}
