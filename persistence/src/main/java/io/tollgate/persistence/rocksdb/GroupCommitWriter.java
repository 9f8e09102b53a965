package io.tollgate.persistence.rocksdb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;

/**
 * The single writer thread of a store: it drains every write request that queued up while the
 * previous commit was syncing and hands them to the {@link Committer} as one group, so concurrent
 * writers share one fsync instead of paying one each.
 *
 * <p>Backpressure: the queue is bounded. A submitter that finds it full waits up to the configured
 * enqueue timeout for room and then gets a failed future ({@link RejectedExecutionException}).
 * Waiting slows the journal actor (and so its persistent actors) down to the disk's pace for short
 * bursts; failing after the timeout surfaces a disk that cannot keep up as persist failures
 * instead of unbounded memory growth.
 */
final class GroupCommitWriter {

  /** One unit of work applied to the group's batch; must not block or fail for ordinary input. */
  @FunctionalInterface
  interface WriteOp {
    void applyTo(StoreBatch batch) throws RocksDBException;
  }

  /** Applies a group of operations as one atomic, synced write. */
  @FunctionalInterface
  interface Committer {
    void commit(List<WriteOp> ops) throws RocksDBException;
  }

  private record Pending(WriteOp op, long bytes, CompletableFuture<Void> done) {}

  private static final Pending STOP = new Pending(batch -> {}, 0, new CompletableFuture<>());

  private final BlockingQueue<Pending> queue;
  private final Committer committer;
  private final long maxBatchBytes;
  private final Duration enqueueTimeout;
  private final Thread thread;
  private final AtomicLong syncCommits = new AtomicLong();
  private final AtomicLong committedWrites = new AtomicLong();

  GroupCommitWriter(
      String name, Committer committer, int queueSize, long maxBatchBytes, Duration enqueueTimeout) {
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.committer = committer;
    this.maxBatchBytes = maxBatchBytes;
    this.enqueueTimeout = enqueueTimeout;
    this.thread = new Thread(this::run, name);
    // Daemon so that a forgotten store cannot keep the JVM alive; nothing is lost if it dies with
    // the JVM, since no future completes before its synced commit returned.
    thread.setDaemon(true);
    thread.start();
  }

  /** Completes after the operation is durably committed, fails if its group failed. */
  CompletableFuture<Void> submit(WriteOp op, long approximateBytes) {
    Pending pending = new Pending(op, approximateBytes, new CompletableFuture<>());
    try {
      if (!queue.offer(pending, enqueueTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        pending.done.completeExceptionally(
            new RejectedExecutionException(
                "RocksDB write queue full for " + enqueueTimeout.toMillis() + " ms"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.done.completeExceptionally(e);
    }
    return pending.done;
  }

  /** Number of synced RocksDB writes so far, each covering one or more requests. */
  long syncCommitCount() {
    return syncCommits.get();
  }

  /** Number of requests committed so far. */
  long committedWriteCount() {
    return committedWrites.get();
  }

  /**
   * Commits everything queued before this call, then stops the thread. The caller must make sure
   * no submit runs concurrently or after.
   */
  void stop() throws InterruptedException {
    queue.put(STOP);
    thread.join();
  }

  private void run() {
    List<Pending> group = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      Pending first;
      try {
        first = queue.take();
      } catch (InterruptedException e) {
        // Only stop() ends this thread; an interrupt from elsewhere must not drop queued writes.
        continue;
      }
      long bytes = 0;
      for (Pending next = first; next != null; next = bytes < maxBatchBytes ? queue.poll() : null) {
        if (next == STOP) {
          stopping = true;
          break;
        }
        group.add(next);
        bytes += next.bytes;
      }
      if (!group.isEmpty()) {
        commit(group);
        group.clear();
      }
    }
  }

  private void commit(List<Pending> group) {
    List<WriteOp> ops = new ArrayList<>(group.size());
    for (Pending pending : group) {
      ops.add(pending.op);
    }
    try {
      committer.commit(ops);
    } catch (Throwable t) {
      for (Pending pending : group) {
        pending.done.completeExceptionally(t);
      }
      return;
    }
    syncCommits.incrementAndGet();
    committedWrites.addAndGet(group.size());
    for (Pending pending : group) {
      pending.done.complete(null);
    }
  }
}
