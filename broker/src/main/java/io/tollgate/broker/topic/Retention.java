package io.tollgate.broker.topic;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How much of each partition's journal a topic keeps: entries younger than {@code time}, and at
 * most {@code bytes} of events (their Protobuf size). An empty bound does not limit. Retention
 * deletes whole segments ({@link RetentionSegments}), so a partition keeps a little more than
 * its bounds say, never less.
 */
public record Retention(Optional<Duration> time, OptionalLong bytes) {
  public static final Retention FOREVER = new Retention(Optional.empty(), OptionalLong.empty());

  /** As the catalog journals a topic's setting: 0 for the node's default, -1 for no bound. */
  public static final long NODE_DEFAULT = 0;
  public static final long UNBOUNDED = -1;

  /** A topic's journaled setting, each bound falling back to the node's default on its own. */
  public static Retention of(long topicMillis, long topicBytes, Retention nodeDefault) {
    Optional<Duration> time = topicMillis == NODE_DEFAULT ? nodeDefault.time()
        : topicMillis == UNBOUNDED ? Optional.empty() : Optional.of(Duration.ofMillis(topicMillis));
    OptionalLong bytes = topicBytes == NODE_DEFAULT ? nodeDefault.bytes()
        : topicBytes == UNBOUNDED ? OptionalLong.empty() : OptionalLong.of(topicBytes);
    return new Retention(time, bytes);
  }

  public boolean keepsEverything() {
    return time.isEmpty() && bytes.isEmpty();
  }
}
