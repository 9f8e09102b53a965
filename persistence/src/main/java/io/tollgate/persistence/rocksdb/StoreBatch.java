package io.tollgate.persistence.rocksdb;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The write batch of one group commit, used only on the writer thread. Besides the raw batch it
 * allocates ids for persistenceIds seen for the first time and tracks the highest sequence number
 * written per persistenceId, so that both land atomically with the events themselves.
 */
final class StoreBatch {

  /** Reads the committed persistenceId to id mapping. */
  @FunctionalInterface
  interface IdLookup {
    OptionalLong idOf(String persistenceId) throws RocksDBException;
  }

  private record Written(long id, long highestSequenceNr) {}

  private final WriteBatch batch;
  private final ColumnFamilyHandle journal;
  private final ColumnFamilyHandle snapshots;
  private final ColumnFamilyHandle meta;
  private final IdLookup committedIds;
  private final Map<String, Long> allocatedIds = new HashMap<>();
  private final Map<String, Written> written = new HashMap<>();
  private long nextId;

  StoreBatch(
      WriteBatch batch,
      ColumnFamilyHandle journal,
      ColumnFamilyHandle snapshots,
      ColumnFamilyHandle meta,
      IdLookup committedIds,
      long nextId) {
    this.batch = batch;
    this.journal = journal;
    this.snapshots = snapshots;
    this.meta = meta;
    this.committedIds = committedIds;
    this.nextId = nextId;
  }

  void putEvent(String persistenceId, long sequenceNr, byte[] value) throws RocksDBException {
    long id = idForWrite(persistenceId);
    batch.put(journal, Keys.entry(id, sequenceNr), value);
    written.merge(
        persistenceId,
        new Written(id, sequenceNr),
        (a, b) -> a.highestSequenceNr >= b.highestSequenceNr ? a : b);
  }

  void deleteEventsTo(String persistenceId, long toSequenceNr) throws RocksDBException {
    OptionalLong id = existingId(persistenceId);
    if (id.isPresent()) {
      // A range tombstone costs one entry however many events it covers, and compaction drops
      // the covered events' bytes. Events written later are not covered, whatever their number.
      batch.deleteRange(
          journal, Keys.entry(id.getAsLong(), 0L), Keys.entryUpperBound(id.getAsLong(), toSequenceNr));
    }
  }

  void putSnapshot(String persistenceId, long sequenceNr, byte[] value) throws RocksDBException {
    batch.put(snapshots, Keys.entry(idForWrite(persistenceId), sequenceNr), value);
  }

  void deleteSnapshot(long id, long sequenceNr) throws RocksDBException {
    batch.delete(snapshots, Keys.entry(id, sequenceNr));
  }

  /**
   * Adds the highest-sequence-number records; called once after all operations were applied.
   * They are kept apart from the events so that deleting events never lowers the highest
   * sequence number, as Pekko Persistence requires.
   */
  void finish() throws RocksDBException {
    for (Written w : written.values()) {
      batch.put(meta, Keys.highestSequenceNr(w.id), Keys.longValue(w.highestSequenceNr));
    }
    if (!allocatedIds.isEmpty()) {
      batch.put(meta, Keys.NEXT_ID, Keys.longValue(nextId));
    }
  }

  WriteBatch writeBatch() {
    return batch;
  }

  /** The id counter after this batch, to be adopted only once the batch is committed. */
  long nextId() {
    return nextId;
  }

  /** persistenceId to highest sequence number written by this batch, for live-query listeners. */
  Map<String, Long> writtenSequenceNrs() {
    Map<String, Long> result = new HashMap<>();
    written.forEach((pid, w) -> result.put(pid, w.highestSequenceNr));
    return result;
  }

  private OptionalLong existingId(String persistenceId) throws RocksDBException {
    Long allocated = allocatedIds.get(persistenceId);
    return allocated != null ? OptionalLong.of(allocated) : committedIds.idOf(persistenceId);
  }

  private long idForWrite(String persistenceId) throws RocksDBException {
    OptionalLong existing = existingId(persistenceId);
    if (existing.isPresent()) {
      return existing.getAsLong();
    }
    long id = nextId++;
    allocatedIds.put(persistenceId, id);
    batch.put(meta, Keys.persistenceId(persistenceId), Keys.longValue(id));
    return id;
  }
}
