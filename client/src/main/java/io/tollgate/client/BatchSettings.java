package io.tollgate.client;

import java.time.Duration;

/**
 * How a {@link BatchingPublisher} groups single sends, after Kafka's producer settings: a batch
 * leaves when it holds {@code maxEvents} events or {@code maxBytes} bytes ({@code batch.size}),
 * or {@code linger} after its first event ({@code linger.ms}); at most {@code maxInFlight}
 * batches await their ack ({@code max.in.flight.requests.per.connection}); events not yet acked
 * hold at most {@code bufferBytes} ({@code buffer.memory}), and a send waits up to
 * {@code maxBlock} for room before it fails with {@code buffer_full} ({@code max.block.ms}). A batch
 * the broker refuses for a reason that passes ({@link BatchingPublisher#RETRIABLE}) is sent again
 * after {@code retryBackoff}, doubling up to {@code retryBackoffMax}, each less or more by up to a
 * fifth at random ({@code retry.backoff.ms}, {@code retry.backoff.max.ms}), until
 * {@code deliveryTimeout} after it was first sent ({@code delivery.timeout.ms}). Sizes are the
 * events' Protobuf sizes.
 */
public record BatchSettings(int maxEvents, int maxBytes, Duration linger, int maxInFlight, long bufferBytes,
                            Duration maxBlock, Duration retryBackoff, Duration retryBackoffMax,
                            Duration deliveryTimeout) {
  /** The broker refuses a publish of more events than this ({@code tollgate.limits.max-events-per-publish}'s default). */
  public static final int BROKER_MAX_EVENTS = 1000;

  /**
   * Kafka's producer defaults are {@code batch.size} 16 KiB, {@code linger.ms} 5,
   * {@code max.in.flight.requests.per.connection} 5 and {@code buffer.memory} 32 MiB. A Tollgate
   * publish costs the broker more per batch than a Kafka produce request, so a batch may hold
   * up to the broker's limit, and more of them may be in flight; the linger is Kafka's, so a
   * lone send waits at most 5 ms and a full load fills batches by count without waiting. The
   * buffer is Kafka's too. It sets the latency only of a producer faster than the broker, which
   * keeps it full (each event then waits for all the bytes before it: 0.7 s at p50 with 32 MiB);
   * a smaller one shortens that wait but caps the bytes in flight, and on a busy machine, where
   * acks are slow, halved throughput (docs/benchmarks.md), so it is left to the application.
   * The retry settings are Kafka's: 100 ms doubling to 1 s, for up to 2 minutes.
   */
  public static final BatchSettings DEFAULTS =
      new BatchSettings(BROKER_MAX_EVENTS, 1024 * 1024, Duration.ofMillis(5), 32, 32L * 1024 * 1024, Duration.ofSeconds(60),
          Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(2));

  public BatchSettings {
    require(maxEvents >= 1, "maxEvents must be at least 1, was " + maxEvents);
    require(maxBytes >= 1, "maxBytes must be at least 1, was " + maxBytes);
    require(linger != null && !linger.isNegative(), "linger must be zero or more, was " + linger);
    require(maxInFlight >= 1, "maxInFlight must be at least 1, was " + maxInFlight);
    require(bufferBytes >= 1 && bufferBytes <= Integer.MAX_VALUE,
        "bufferBytes must be from 1 to " + Integer.MAX_VALUE + ", was " + bufferBytes);
    require(maxBlock != null && !maxBlock.isNegative(), "maxBlock must be zero or more, was " + maxBlock);
    require(retryBackoff != null && retryBackoff.toNanos() > 0, "retryBackoff must be more than zero, was " + retryBackoff);
    require(retryBackoffMax != null && retryBackoffMax.compareTo(retryBackoff) >= 0,
        "retryBackoffMax must be at least retryBackoff (" + retryBackoff + "), was " + retryBackoffMax);
    require(deliveryTimeout != null && !deliveryTimeout.isNegative(),
        "deliveryTimeout must be zero or more, was " + deliveryTimeout);
  }

  public BatchSettings withMaxEvents(int maxEvents) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  public BatchSettings withMaxBytes(int maxBytes) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  public BatchSettings withLinger(Duration linger) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  public BatchSettings withMaxInFlight(int maxInFlight) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  public BatchSettings withBufferBytes(long bufferBytes) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  /** {@link Duration#ZERO}: a send into a full buffer fails at once instead of waiting. */
  public BatchSettings withMaxBlock(Duration maxBlock) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  /** The first pause before a refused batch is sent again, and the longest one. */
  public BatchSettings withRetryBackoff(Duration retryBackoff, Duration retryBackoffMax) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  /** {@link Duration#ZERO}: a refused batch is never sent again; its events fail with the refusal. */
  public BatchSettings withDeliveryTimeout(Duration deliveryTimeout) {
    return new BatchSettings(maxEvents, maxBytes, linger, maxInFlight, bufferBytes, maxBlock, retryBackoff, retryBackoffMax,
        deliveryTimeout);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
