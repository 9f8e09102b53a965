package io.tollgate.persistence.rocksdb;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database shared by the journal, snapshot store and read journal of one actor system.
 * It is opened when a plugin first asks for it and closed when the actor system terminates.
 *
 * <p>Every write goes through one {@link GroupCommitWriter} and is acknowledged only after a
 * synced WAL write, so an acknowledged event survives {@code kill -9} and power loss. Reads go
 * straight to RocksDB from the caller's thread and should run on a dispatcher meant for blocking.
 */
public final class RocksDbStore implements Extension {

  /** The config section read by the store. */
  public static final String CONFIG_PATH = "tollgate.persistence.rocksdb";

  private static final Id ID = new Id();

  /** Visits stored journal entries in sequence number order. */
  @FunctionalInterface
  public interface EntryVisitor {
    void visit(long sequenceNr, byte[] value);
  }

  /** A stored snapshot: its payload bytes as handed to {@link #saveSnapshot}. */
  public record StoredSnapshot(long sequenceNr, long timestamp, byte[] value) {}

  /** A journal entry to append. */
  public record EventWrite(String persistenceId, long sequenceNr, byte[] value) {}

  private final LoggingAdapter log;
  private final List<AutoCloseable> nativeResources = new ArrayList<>();
  private final RocksDB db;
  private final ColumnFamilyHandle journal;
  private final ColumnFamilyHandle snapshots;
  private final ColumnFamilyHandle meta;
  private final WriteOptions syncWrites;
  private final GroupCommitWriter writer;
  private final ExecutorService compactor;
  private final boolean compactAfterDelete;
  private final Map<String, List<LongConsumer>> listeners = new ConcurrentHashMap<>();
  // Read-locked by every operation, write-locked by close: RocksJava handles must not be used
  // after close, which would crash the JVM instead of throwing.
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;
  // Written only by the writer thread (after a commit) and read only there.
  private long nextId;

  public static RocksDbStore get(ClassicActorSystemProvider system) {
    return ID.get(system.classicSystem());
  }

  static final class Id extends AbstractExtensionId<RocksDbStore> implements ExtensionIdProvider {
    @Override
    public RocksDbStore createExtension(ExtendedActorSystem system) {
      RocksDbStore store = new RocksDbStore(StoreSettings.from(system.settings().config().getConfig(CONFIG_PATH)), system);
      system.registerOnTermination(store::close);
      return store;
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  private RocksDbStore(StoreSettings settings, ActorSystem system) {
    this.log = Logging.getLogger(system, RocksDbStore.class);
    Path dir = settings.dir();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RocksDB.loadLibrary();

    Cache blockCache = own(new LRUCache(settings.blockCacheBytes()));
    ColumnFamilyOptions scanned = own(new ColumnFamilyOptions())
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
    // Metadata is only read by point lookups, which a Bloom filter turns into at most one block
    // read; events and snapshots are read by range scans that filters do not help.
    ColumnFamilyOptions pointLookups = own(new ColumnFamilyOptions())
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(
            new BlockBasedTableConfig()
                .setBlockCache(blockCache)
                .setFilterPolicy(own(new BloomFilter(10, false))));
    DBOptions dbOptions = own(new DBOptions())
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        // After a crash, recover every record up to the first torn one: a torn record was never
        // acknowledged, everything before it was.
        .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
        // With several column families an idle one pins old WAL files; past this size RocksDB
        // flushes it so the WAL cannot grow without bound.
        .setMaxTotalWalSize(settings.maxTotalWalBytes())
        .setMaxBackgroundJobs(2)
        .setKeepLogFileNum(3)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL);

    List<ColumnFamilyDescriptor> families = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, scanned),
        new ColumnFamilyDescriptor(bytes("journal"), scanned),
        new ColumnFamilyDescriptor(bytes("snapshots"), scanned),
        new ColumnFamilyDescriptor(bytes("meta"), pointLookups));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      this.db = RocksDB.open(dbOptions, dir.toString(), families, handles);
    } catch (RocksDBException e) {
      throw new IllegalStateException("Cannot open RocksDB at " + dir, e);
    }
    // Closed in reverse order: handles before the database, the database before its options.
    nativeResources.add(0, db);
    for (ColumnFamilyHandle handle : handles) {
      nativeResources.add(0, handle);
    }
    this.journal = handles.get(1);
    this.snapshots = handles.get(2);
    this.meta = handles.get(3);
    this.syncWrites = own(new WriteOptions()).setSync(true);
    try {
      byte[] storedNextId = db.get(meta, Keys.NEXT_ID);
      this.nextId = storedNextId == null ? 1L : Keys.longOf(storedNextId);
    } catch (RocksDBException e) {
      throw new IllegalStateException("Cannot read RocksDB metadata at " + dir, e);
    }
    this.compactAfterDelete = settings.compactAfterDelete();
    this.compactor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tollgate-rocksdb-compactor");
      thread.setDaemon(true);
      return thread;
    });
    this.writer = new GroupCommitWriter(
        "tollgate-rocksdb-writer",
        this::commit,
        settings.writeQueueSize(),
        settings.maxBatchBytes(),
        settings.writeEnqueueTimeout());
    log.info("Opened RocksDB store at {}", dir);
  }

  // ---- writes ----------------------------------------------------------------------------

  /** Appends all events atomically; completes once they are durable. */
  public CompletableFuture<Void> writeEvents(List<EventWrite> events) {
    long bytes = 0;
    for (EventWrite event : events) {
      bytes += event.value().length + Keys.EVENT_KEY_LENGTH;
    }
    return submit(batch -> {
      for (EventWrite event : events) {
        batch.putEvent(event.persistenceId(), event.sequenceNr(), event.value());
      }
    }, bytes);
  }

  /**
   * Physically deletes the events of {@code persistenceId} up to {@code toSequenceNr}; the highest
   * sequence number is kept.
   */
  public CompletableFuture<Void> deleteEventsTo(String persistenceId, long toSequenceNr) {
    CompletableFuture<Void> deleted =
        submit(batch -> batch.deleteEventsTo(persistenceId, toSequenceNr), 0);
    if (compactAfterDelete) {
      deleted.thenRun(() -> scheduleCompaction(persistenceId, toSequenceNr));
    }
    return deleted;
  }

  /** Stores a snapshot, replacing one with the same sequence number. */
  public CompletableFuture<Void> saveSnapshot(
      String persistenceId, long sequenceNr, long timestamp, byte[] payload) {
    byte[] value = ByteBuffer.allocate(8 + payload.length).putLong(timestamp).put(payload).array();
    return submit(batch -> batch.putSnapshot(persistenceId, sequenceNr, value), value.length);
  }

  /** Deletes the snapshots matching {@code criteria}. */
  public CompletableFuture<Void> deleteSnapshots(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    OptionalLong id;
    List<Long> matching = new ArrayList<>();
    try {
      id = withReadLock(() -> {
        OptionalLong found = idOf(persistenceId);
        if (found.isPresent()) {
          forEachSnapshotDescending(found.getAsLong(), criteria, snapshot -> {
            matching.add(snapshot.sequenceNr());
            return true;
          });
        }
        return found;
      });
    } catch (RocksDBException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (id.isEmpty() || matching.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return submit(batch -> {
      for (long sequenceNr : matching) {
        batch.deleteSnapshot(id.getAsLong(), sequenceNr);
      }
    }, 0);
  }

  // ---- reads -----------------------------------------------------------------------------

  /** The highest sequence number ever written for {@code persistenceId}, 0 if none. */
  public long highestSequenceNr(String persistenceId) throws RocksDBException {
    return withReadLock(() -> {
      OptionalLong id = idOf(persistenceId);
      if (id.isEmpty()) {
        return 0L;
      }
      byte[] value = db.get(meta, Keys.highestSequenceNr(id.getAsLong()));
      return value == null ? 0L : Keys.longOf(value);
    });
  }

  /**
   * Visits at most {@code max} stored events of {@code persistenceId} with {@code from <=
   * sequenceNr <= to}, in order, and returns how many it visited.
   */
  public long readEvents(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, EntryVisitor visitor)
      throws RocksDBException {
    return readEvents(persistenceId, fromSequenceNr, toSequenceNr, max, Long.MAX_VALUE, visitor);
  }

  /**
   * The same, stopping too once the entries visited hold {@code maxBytes} (always visiting at
   * least one): a journal entry may be megabytes, so a count alone does not bound what a reader
   * holds.
   */
  public long readEvents(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, long maxBytes, EntryVisitor visitor)
      throws RocksDBException {
    if (max <= 0 || fromSequenceNr > toSequenceNr) {
      return 0;
    }
    return withReadLock(() -> {
      OptionalLong id = idOf(persistenceId);
      if (id.isEmpty()) {
        return 0L;
      }
      long visited = 0;
      long bytes = 0;
      try (Slice upper = new Slice(Keys.entryUpperBound(id.getAsLong(), toSequenceNr));
          ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = db.newIterator(journal, options)) {
        for (it.seek(Keys.entry(id.getAsLong(), fromSequenceNr));
            it.isValid() && visited < max && bytes < maxBytes;
            it.next()) {
          byte[] value = it.value();
          visitor.visit(Keys.sequenceNrOf(it.key()), value);
          visited++;
          bytes += value.length;
        }
        it.status();
      }
      return visited;
    });
  }

  /** The snapshot with the highest sequence number matching {@code criteria}. */
  public Optional<StoredSnapshot> latestSnapshot(
      String persistenceId, SnapshotSelectionCriteria criteria) throws RocksDBException {
    return withReadLock(() -> {
      OptionalLong id = idOf(persistenceId);
      if (id.isEmpty()) {
        return Optional.empty();
      }
      StoredSnapshot[] latest = new StoredSnapshot[1];
      forEachSnapshotDescending(id.getAsLong(), criteria, snapshot -> {
        latest[0] = snapshot;
        return false;
      });
      return Optional.ofNullable(latest[0]);
    });
  }

  /** Up to {@code max} persistenceIds that were ever written, in order, after {@code after}. */
  public List<String> persistenceIds(Optional<String> after, int max) throws RocksDBException {
    return withReadLock(() -> {
      List<String> ids = new ArrayList<>();
      try (Slice upper = new Slice(Keys.persistenceIdsUpperBound());
          ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = db.newIterator(meta, options)) {
        if (after.isPresent()) {
          it.seek(Keys.persistenceId(after.get()));
          if (it.isValid() && Keys.persistenceIdOf(it.key()).equals(after.get())) {
            it.next();
          }
        } else {
          it.seek(Keys.persistenceId(""));
        }
        for (; it.isValid() && ids.size() < max; it.next()) {
          ids.add(Keys.persistenceIdOf(it.key()));
        }
        it.status();
      }
      return ids;
    });
  }

  // ---- notifications and maintenance -----------------------------------------------------

  /**
   * Calls {@code listener} with the highest sequence number committed for {@code persistenceId}
   * after every commit that wrote events for it. The listener runs on the writer thread and
   * delays every write, so it must only hand the number over (e.g. to a stage's async callback).
   */
  public AutoCloseable addEventListener(String persistenceId, LongConsumer listener) {
    listeners.computeIfAbsent(persistenceId, pid -> new CopyOnWriteArrayList<>()).add(listener);
    return () -> listeners.computeIfPresent(persistenceId, (pid, current) -> {
      current.remove(listener);
      return current.isEmpty() ? null : current;
    });
  }

  /**
   * Flushes all memtables and compacts the whole database, dropping deleted data and freeing the
   * WAL. Blocks for as long as that takes.
   */
  public void compact() throws RocksDBException {
    withReadLock(() -> {
      List<ColumnFamilyHandle> families = List.of(journal, snapshots, meta);
      try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
          CompactRangeOptions options = new CompactRangeOptions()
              .setBottommostLevelCompaction(
                  CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)) {
        db.flush(flush, families);
        for (ColumnFamilyHandle family : families) {
          db.compactRange(family, null, null, options);
        }
      }
      return null;
    });
  }

  /** Total size of the live SST files: the on-disk size of the data, WAL excluded. */
  public long liveDataBytes() throws RocksDBException {
    return withReadLock(() -> db.getLongProperty(journal, "rocksdb.live-sst-files-size")
        + db.getLongProperty(snapshots, "rocksdb.live-sst-files-size")
        + db.getLongProperty(meta, "rocksdb.live-sst-files-size"));
  }

  /** Number of synced RocksDB writes so far; each one commits a group of write requests. */
  public long syncCommitCount() {
    return writer.syncCommitCount();
  }

  /** Number of write requests committed so far; divided by {@link #syncCommitCount} the group size. */
  public long committedWriteCount() {
    return writer.committedWriteCount();
  }

  /** Commits all queued writes and closes the database; later calls fail. */
  void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lifecycle.writeLock().unlock();
    }
    try {
      writer.stop();
      compactor.shutdown();
      compactor.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    db.cancelAllBackgroundWork(true);
    for (AutoCloseable resource : nativeResources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warning("Closing RocksDB resource failed: {}", e);
      }
    }
    log.info("Closed RocksDB store");
  }

  // ---- internals -------------------------------------------------------------------------

  @FunctionalInterface
  private interface Read<T> {
    T run() throws RocksDBException;
  }

  @FunctionalInterface
  private interface SnapshotVisitor {
    /** Returns whether to go on with the next older snapshot. */
    boolean visit(StoredSnapshot snapshot);
  }

  private <T> T withReadLock(Read<T> read) throws RocksDBException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return read.run();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private CompletableFuture<Void> submit(GroupCommitWriter.WriteOp op, long approximateBytes) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return writer.submit(op, approximateBytes);
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("RocksDB store is closed");
    }
  }

  private OptionalLong idOf(String persistenceId) throws RocksDBException {
    byte[] value = db.get(meta, Keys.persistenceId(persistenceId));
    return value == null ? OptionalLong.empty() : OptionalLong.of(Keys.longOf(value));
  }

  /** Runs on the writer thread. */
  private void commit(List<GroupCommitWriter.WriteOp> ops) throws RocksDBException {
    try (WriteBatch writeBatch = new WriteBatch()) {
      StoreBatch batch = new StoreBatch(writeBatch, journal, snapshots, meta, this::idOf, nextId);
      for (GroupCommitWriter.WriteOp op : ops) {
        op.applyTo(batch);
      }
      batch.finish();
      db.write(syncWrites, writeBatch);
      nextId = batch.nextId();
      batch.writtenSequenceNrs().forEach(this::notifyListeners);
    }
  }

  private void notifyListeners(String persistenceId, long highestSequenceNr) {
    List<LongConsumer> interested = listeners.get(persistenceId);
    if (interested == null) {
      return;
    }
    for (LongConsumer listener : interested) {
      try {
        listener.accept(highestSequenceNr);
      } catch (RuntimeException e) {
        log.error(e, "Event listener for [{}] failed", persistenceId);
      }
    }
  }

  private void forEachSnapshotDescending(
      long id, SnapshotSelectionCriteria criteria, SnapshotVisitor visitor) throws RocksDBException {
    if (criteria.minSequenceNr() > criteria.maxSequenceNr()) {
      return;
    }
    try (Slice lower = new Slice(Keys.entry(id, criteria.minSequenceNr()));
        ReadOptions options = new ReadOptions().setIterateLowerBound(lower);
        RocksIterator it = db.newIterator(snapshots, options)) {
      for (it.seekForPrev(Keys.entry(id, criteria.maxSequenceNr())); it.isValid(); it.prev()) {
        ByteBuffer value = ByteBuffer.wrap(it.value());
        long timestamp = value.getLong();
        if (timestamp < criteria.minTimestamp() || timestamp > criteria.maxTimestamp()) {
          continue;
        }
        byte[] payload = new byte[value.remaining()];
        value.get(payload);
        if (!visitor.visit(new StoredSnapshot(Keys.sequenceNrOf(it.key()), timestamp, payload))) {
          return;
        }
      }
      it.status();
    }
  }

  private void scheduleCompaction(String persistenceId, long toSequenceNr) {
    try {
      compactor.execute(() -> compactDeleted(persistenceId, toSequenceNr));
    } catch (RejectedExecutionException e) {
      // The store is closing; the data is deleted all the same and a later compaction drops it.
    }
  }

  private void compactDeleted(String persistenceId, long toSequenceNr) {
    try {
      withReadLock(() -> {
        OptionalLong id = idOf(persistenceId);
        if (id.isPresent()) {
          db.compactRange(
              journal,
              Keys.entry(id.getAsLong(), 0L),
              Keys.entryUpperBound(id.getAsLong(), toSequenceNr));
        }
        return null;
      });
    } catch (RocksDBException | IllegalStateException e) {
      log.warning("Compaction after deleting events of [{}] failed: {}", persistenceId, e);
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    nativeResources.add(resource);
    return resource;
  }

  private static byte[] bytes(String name) {
    return name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
