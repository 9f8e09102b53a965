package io.tollgate.broker.topic;

import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.CloudEvent;

/**
 * Chooses an event's partition: by its {@code partitionkey} extension, else its
 * {@code subject}, else by (source, id). Hashing (source, id) spreads keyless events evenly
 * like round robin would, and a retried publish lands on the same partition, where the
 * partition's deduplication window recognises it.
 */
public final class Partitioner {
  private Partitioner() {}

  public static int partitionOf(CloudEvent event, int partitions) {
    String key = CloudEventJson.stringAttribute(event, "partitionkey");
    if (key == null) {
      key = CloudEventJson.stringAttribute(event, "subject");
    }
    if (key == null) {
      key = event.getSource() + '\n' + event.getId();
    }
    // String.hashCode is specified by the JLS, so every node and every release agrees.
    return Math.floorMod(key.hashCode(), partitions);
  }
}
