package io.tollgate.protocols.redaction;

/**
 * A redaction rule that cannot be used. The message starts with the place of the bad entry,
 * for example {@code redact[1].pointer: ~ must be followed by 0 or 1}.
 */
public final class RedactionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String path;

  RedactionException(String path, String detail) {
    super(path + ": " + detail);
    this.path = path;
  }

  /** The bad entry: {@code redact}, {@code redact[2].pointer}, {@code redact[0].action}. */
  public String path() {
    return path;
  }
}
