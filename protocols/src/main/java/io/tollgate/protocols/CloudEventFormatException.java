package io.tollgate.protocols;

/** An event that is not a valid CloudEvent 1.0; the message names the offending attribute. */
public final class CloudEventFormatException extends RuntimeException {
  private final String code;

  public CloudEventFormatException(String code, String message) {
    super(message);
    this.code = code;
  }

  public static CloudEventFormatException invalid(String message) {
    return new CloudEventFormatException("invalid_cloudevent", message);
  }

  public String code() {
    return code;
  }
}
