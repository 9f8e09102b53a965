package io.tollgate.broker.position;

/** One partition of a topic; also names its sharded entity and its journal. */
public record PartitionRef(String topic, int partition) {
  private static final String PERSISTENCE_PREFIX = "TopicPartition|";

  public static boolean isPersistenceId(String persistenceId) {
    return persistenceId.startsWith(PERSISTENCE_PREFIX);
  }

  public static PartitionRef fromPersistenceId(String persistenceId) {
    return fromEntityId(persistenceId.substring(PERSISTENCE_PREFIX.length()));
  }

  public static PartitionRef fromEntityId(String entityId) {
    int separator = entityId.lastIndexOf('|');
    return new PartitionRef(entityId.substring(0, separator), Integer.parseInt(entityId.substring(separator + 1)));
  }

  public String entityId() {
    return topic + '|' + partition;
  }

  public String persistenceId() {
    return PERSISTENCE_PREFIX + entityId();
  }

  @Override
  public String toString() {
    return topic + ':' + partition;
  }
}
