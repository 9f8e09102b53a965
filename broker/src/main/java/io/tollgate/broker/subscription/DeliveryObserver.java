package io.tollgate.broker.subscription;

import java.util.List;

/**
 * What a stream session tells analytics about its subscription's events that no journal holds:
 * those a filter withheld, those redacted, when a blocking quota held delivery back, and what
 * it delivered. Called on the stream's thread, so each call must be cheap and never block.
 */
public interface DeliveryObserver {
  DeliveryObserver NONE = new DeliveryObserver() {
    @Override
    public void filtered(String subscription) {
    }

    @Override
    public void redacted(String subscription) {
    }

    @Override
    public void quotaBlocked(String subscription) {
    }

    @Override
    public void delivered(String subscription, List<Delivery> deliveries, long bytes) {
    }
  };

  /** The serialized size of a frame's events, summed once per frame for every observer. */
  static long bytesOf(List<Delivery> deliveries) {
    long bytes = 0;
    for (Delivery delivery : deliveries) {
      bytes += delivery.event().getSerializedSize();
    }
    return bytes;
  }

  /** A plan's or the subscription's filter withheld one event. */
  void filtered(String subscription);

  /** The plan's redaction changed one event. */
  void redacted(String subscription);

  /** A blocking quota was used up and holds the next event back until the period ends. */
  void quotaBlocked(String subscription);

  /**
   * A frame went out: its deliveries, and {@code bytes}, their events' serialized size
   * ({@link #bytesOf}), which the stream sums once so that no observer walks the frame for it.
   */
  void delivered(String subscription, List<Delivery> deliveries, long bytes);
}
