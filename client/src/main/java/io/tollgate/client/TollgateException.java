package io.tollgate.client;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * An error from the broker (its {@code code} and {@code message}) or from talking to it.
 * Errors raised by the client itself use the codes defined here, so callers can switch on
 * {@link #code()} alone.
 */
public final class TollgateException extends RuntimeException {
  /** The broker could not be reached or the handshake did not complete. */
  public static final String CONNECTION_FAILED = "connection_failed";
  /**
   * The TLS handshake failed: the broker's certificate is not trusted or does not name the
   * host, the broker refused this client's certificate (or its lack of one), or one side does not speak TLS.
   */
  public static final String TLS_FAILED = "tls_failed";
  /** The connection ended (or the client was closed) before the reply arrived. */
  public static final String CONNECTION_CLOSED = "connection_closed";
  /** The broker sent something the client cannot make sense of. */
  public static final String PROTOCOL_ERROR = "protocol_error";
  /**
   * A {@link BatchingPublisher}'s buffer stayed full for its {@code maxBlock}: the broker takes
   * events more slowly than they are sent.
   */
  public static final String BUFFER_FULL = "buffer_full";
  /**
   * An event too large to publish: the broker's code for an event above its limit, and a
   * {@link BatchingPublisher}'s for an event larger than its whole buffer.
   */
  public static final String EVENT_TOO_LARGE = "event_too_large";
  /** The calling thread was interrupted while waiting; its interrupt flag is set again. */
  public static final String INTERRUPTED = "interrupted";

  private final String code;
  private final int httpStatus;

  public TollgateException(String code, String message) {
    this(code, message, 0, null);
  }

  public TollgateException(String code, String message, Throwable cause) {
    this(code, message, 0, cause);
  }

  public TollgateException(String code, String message, int httpStatus, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
    this.httpStatus = httpStatus;
  }

  public String code() {
    return code;
  }

  /** The HTTP status of the reply that carried the error, or 0 when there was none (TCP, client-side). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The broker's message without the code prefix. */
  public String detail() {
    return getMessage().substring(code.length() + 2);
  }

  /**
   * The TollgateException behind a failed future (unwrapping CompletionException and
   * ExecutionException); any other failure becomes a {@code connection_failed} one.
   */
  public static TollgateException unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TollgateException tollgate) {
      return tollgate;
    }
    return new TollgateException(CONNECTION_FAILED, String.valueOf(cause.getMessage()), cause);
  }

  /** For a caller interrupted while it waited on the broker: restores the interrupt flag. */
  public static TollgateException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new TollgateException(INTERRUPTED, "interrupted while waiting for the broker", e);
  }
}
