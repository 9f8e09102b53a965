package io.tollgate.protocols;

/** JSON that {@link StrictJson} refuses; {@link #code()} is the error code an edge answers with. */
public final class StrictJsonException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Not JSON at all, or nothing. */
  public static final String MALFORMED = "malformed_json";
  /** An object with the same key twice. */
  public static final String DUPLICATE_KEY = "duplicate_key";
  /** Containers nested deeper than the limit. */
  public static final String TOO_DEEP = "too_deep";
  /** More after the first value. */
  public static final String TRAILING = "trailing_json";

  private final String code;

  StrictJsonException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
