package io.tollgate.broker.webhook;

/**
 * What happens to an endpoint that others hear of: its circuit opens or closes, or it is
 * disabled (written to the catalog, so every node stops delivering to it). Each is announced on
 * the platform's webhooks topic.
 */
public interface EndpointEvents {
  void circuitOpened(String subscription, String url);

  void circuitClosed(String subscription, String url);

  /** {@code reason}: {@code gone} (it answered 410) or {@code failing} (it failed for too long). */
  void disable(String subscription, String url, String reason, String message);
}
