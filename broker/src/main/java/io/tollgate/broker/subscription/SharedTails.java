package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.topic.JournalReads;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;

/**
 * This node's shared tails: one {@link PartitionTail} for each partition that at least one of
 * its streams reads, made when the first such stream starts and dropped when the last ends.
 * Every node hears every partition's writes ({@link JournalReads#onAdvanced}) and passes them
 * to the tail of that partition, if it has one. Should an announcement be lost (a node joining
 * or leaving), one timer per node asks every tail to look again every {@code fallbackPoll}, which
 * reads only where the journal may hold more than the tail ({@link PartitionTail#lookAgain});
 * streams have no timer of their own. The tails share one heap budget ({@link TailBudget}).
 *
 * <p>Whatever delivers a partition's events to consumers (streams; webhooks) reads through
 * {@link #after}; catch-up from an old cursor and the live tail are the one source.
 */
public final class SharedTails {
  /**
   * {@code maxBytesPerPartition}: the bound of each tail, counted as its entries are stored;
   * {@code maxHeapBytes}: the heap all of them may hold together, counted as held.
   */
  public record Settings(long maxBytesPerPartition, long maxHeapBytes, int maxEntriesPerRead, Duration fallbackPoll) {}

  private record Held(PartitionTail tail, int streams) {}

  private final JournalReads journal;
  private final Settings settings;
  private final TailBudget budget;
  private final Map<PartitionRef, Held> tails = new HashMap<>();
  private final LongAdder tailReads = new LongAdder();
  private final LongAdder streamReads = new LongAdder();

  public SharedTails(ActorSystem<?> system, JournalReads journal, Settings settings) {
    this.journal = journal;
    this.settings = settings;
    this.budget = new TailBudget(settings.maxHeapBytes());
    journal.onAdvanced(persistenceId -> advanced(PartitionRef.fromPersistenceId(persistenceId)), "shared-tails");
    system.scheduler().scheduleWithFixedDelay(settings.fallbackPoll(), settings.fallbackPoll(),
        () -> everyTail().forEach(PartitionTail::lookAgain), system.executionContext());
  }

  /** Where a reader starts in a partition: after {@code after}, a cursor of that partition (null: from the start). */
  public record Start(PartitionRef partition, Cursor after) {}

  /**
   * The partition's deliveries after {@code after} (a cursor of that partition, or null for all
   * of them), in order, never completing. It reads only as fast as it is pulled.
   */
  public Source<Delivery, NotUsed> after(PartitionRef partition, Cursor after) {
    return after(List.of(new Start(partition, after)));
  }

  /**
   * The deliveries of several partitions, each after its start, merged (in order within each
   * partition), never completing: one stage for all of them ({@link TailStage}). It reads only as
   * fast as it is pulled, and joins the tails when it runs.
   */
  public Source<Delivery, NotUsed> after(List<Start> starts) {
    List<Start> from = List.copyOf(starts);
    return Source.fromGraph(new TailStage(
        () -> from.stream().map(start -> new TailStage.Reading(join(start.partition()), start.after())).toList(),
        () -> from.forEach(start -> leave(start.partition()))));
  }

  /** How many partitions this node holds a tail of, and their bytes: what the tails cost. */
  public synchronized int partitionsHeld() {
    return tails.size();
  }

  public long bytesHeld() {
    return everyTail().stream().mapToLong(PartitionTail::bufferedBytes).sum();
  }

  /** The heap the tails hold together, their budget, and what it evicted. */
  public TailBudget budget() {
    return budget;
  }

  /** Journal reads so far by the tails' readers (one per write and node, however many streams). */
  public long tailReads() {
    return tailReads.sum();
  }

  /** Journal reads so far by streams behind a tail: catching up, or slow. */
  public long streamReads() {
    return streamReads.sum();
  }

  private void advanced(PartitionRef partition) {
    PartitionTail tail;
    synchronized (this) {
      Held held = tails.get(partition);
      tail = held == null ? null : held.tail();
    }
    if (tail != null) {
      tail.advanced();
    }
  }

  private synchronized List<PartitionTail> everyTail() {
    return tails.values().stream().map(Held::tail).toList();
  }

  private synchronized PartitionTail join(PartitionRef partition) {
    Held held = tails.get(partition);
    if (held == null) {
      held = new Held(new PartitionTail(settings.maxBytesPerPartition(), settings.maxEntriesPerRead(),
          from -> read(partition, from, tailReads), from -> read(partition, from, streamReads),
          from -> journal.mayHoldFrom(partition.persistenceId(), from), budget), 0);
    }
    tails.put(partition, new Held(held.tail(), held.streams() + 1));
    return held.tail();
  }

  private CompletionStage<List<TailEntry>> read(PartitionRef partition, long from, LongAdder reads) {
    reads.increment();
    return journal.read(partition.persistenceId(), from)
        .thenApply(read -> read.stream().map(entry -> TailEntry.of(partition, entry)).toList());
  }

  private synchronized void leave(PartitionRef partition) {
    Held held = tails.get(partition);
    if (held == null) {
      return;
    }
    if (held.streams() <= 1) {
      tails.remove(partition);
      held.tail().close();
    } else {
      tails.put(partition, new Held(held.tail(), held.streams() - 1));
    }
  }
}
