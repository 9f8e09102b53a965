package io.tollgate.broker.position;

import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.PartitionCursor;

/**
 * A cursor with the partition offset of its event. The offset says where a subscription
 * stands in a partition, so an ack range can be checked to start exactly there.
 */
public record AckPoint(Cursor cursor, long offset) implements ClusterMessage {
  /** Before the first event of a partition. */
  public static AckPoint beginningOf(PartitionRef partition) {
    return new AckPoint(new Cursor(partition.topic(), partition.partition(), 0, Integer.MAX_VALUE), -1);
  }

  public static AckPoint fromProto(PartitionCursor proto) {
    return new AckPoint(Cursor.fromProto(proto), proto.getOffset());
  }

  public PartitionCursor toProto() {
    return cursor.toProto().toBuilder().setOffset(offset).build();
  }

  public PartitionRef partition() {
    return cursor.partitionRef();
  }

  public boolean isAfter(AckPoint other) {
    return offset > other.offset;
  }

  /** How many events lie after {@code earlier} up to and including this point. */
  public long eventsSince(AckPoint earlier) {
    return Math.max(0, offset - earlier.offset);
  }
}
