package io.tollgate.broker.topic;

/** Where an event was stored: its ordinal in the partition and its place in the journal. */
public record StoredPosition(long offset, long sequence, int index, boolean duplicate) {
  public StoredPosition asDuplicate() {
    return new StoredPosition(offset, sequence, index, true);
  }
}
