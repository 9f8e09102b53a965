package io.tollgate.broker.position;

import io.tollgate.protocols.v1.journal.PartitionCursor;

/**
 * A position in one topic partition: the journal entry (its sequence number) and the event's
 * index inside that entry. Consumers see it as an opaque string {@code topic:partition:sequence:index}.
 */
public record Cursor(String topic, int partition, long sequence, int index) implements Comparable<Cursor> {

  public static Cursor parse(String text) {
    int last = text.lastIndexOf(':');
    int third = last < 0 ? -1 : text.lastIndexOf(':', last - 1);
    int second = third < 0 ? -1 : text.lastIndexOf(':', third - 1);
    if (second <= 0) {
      throw new IllegalArgumentException("not a cursor: " + text);
    }
    try {
      return new Cursor(
          text.substring(0, second),
          Integer.parseInt(text.substring(second + 1, third)),
          Long.parseLong(text.substring(third + 1, last)),
          Integer.parseInt(text.substring(last + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a cursor: " + text, e);
    }
  }

  public static Cursor fromProto(PartitionCursor cursor) {
    return new Cursor(cursor.getTopic(), cursor.getPartition(), cursor.getSequence(), cursor.getIndex());
  }

  public PartitionCursor toProto() {
    return PartitionCursor.newBuilder()
        .setTopic(topic).setPartition(partition).setSequence(sequence).setIndex(index).build();
  }

  public PartitionRef partitionRef() {
    return new PartitionRef(topic, partition);
  }

  public String encode() {
    return topic + ':' + partition + ':' + sequence + ':' + index;
  }

  /** Orders cursors of the same partition; cursors of different partitions are not comparable. */
  @Override
  public int compareTo(Cursor other) {
    int bySequence = Long.compare(sequence, other.sequence);
    return bySequence != 0 ? bySequence : Integer.compare(index, other.index);
  }

  public boolean isAfter(Cursor other) {
    return compareTo(other) > 0;
  }
}
