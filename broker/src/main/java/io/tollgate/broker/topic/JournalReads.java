package io.tollgate.broker.topic;

import com.google.protobuf.MessageLite;
import io.tollgate.persistence.rocksdb.RocksDbReadJournal;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads a partition's journal a bounded piece at a time, on any storage backend, and hears
 * every partition's writes, on any node. Each partition publishes a {@link PartitionAdvanced} to
 * every node after each write, so a reader on one node learns of an event written on another
 * within a message's trip, although Cassandra itself cannot notify readers. Whoever reads the
 * partitions' tails on this node listens ({@link #onAdvanced}); nothing here waits or polls.
 */
public final class JournalReads {
  private static final String TOPIC = "tollgate-partition-advanced";

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final int maxEntriesPerRead;
  private final long maxBytesPerRead;
  private final ActorRef<Topic.Command<PartitionAdvanced>> topic;

  public JournalReads(ActorSystem<?> system, CurrentEventsByPersistenceIdQuery journal, int maxEntriesPerRead,
                      long maxBytesPerRead) {
    this.system = system;
    this.journal = journal;
    this.maxEntriesPerRead = maxEntriesPerRead;
    this.maxBytesPerRead = maxBytesPerRead;
    this.topic = system.systemActorOf(Topic.create(PartitionAdvanced.class, TOPIC), "partition-advanced", Props.empty());
  }

  /** Where partitions announce their writes; see {@link TopicPartition}. */
  public ActorRef<Topic.Command<PartitionAdvanced>> announcements() {
    return topic;
  }

  /** Subscribes {@code listener} to every partition's writes, by persistence id; call once per listener. */
  public void onAdvanced(Consumer<String> listener, String name) {
    ActorRef<PartitionAdvanced> subscriber = system.systemActorOf(Behaviors.receiveMessage(advanced -> {
      listener.accept(advanced.getPersistenceId());
      return Behaviors.same();
    }), name, Props.empty());
    topic.tell(Topic.subscribe(subscriber));
  }

  /**
   * The partition's entries from {@code fromSequence} on, as many as are stored now, up to
   * {@code max-entries-per-read} entries and {@code max-bytes-per-read} bytes (the first entry
   * always, so a reader moves on); empty at the end of the journal.
   */
  public CompletionStage<List<EventEnvelope>> read(String persistenceId, long fromSequence) {
    ReadBudget budget = new ReadBudget(maxBytesPerRead);
    return journal.currentEventsByPersistenceId(persistenceId, fromSequence, Long.MAX_VALUE)
        .take(maxEntriesPerRead)
        .takeWhile(entry -> budget.admits(storedBytes(entry)))
        .runWith(Sink.seq(), system);
  }

  /**
   * Whether the partition's journal may hold an entry at {@code fromSequence} or after: on
   * RocksDB from its highest sequence number (one lookup, no stream); on other stores always
   * true, so that the caller reads.
   */
  public CompletionStage<Boolean> mayHoldFrom(String persistenceId, long fromSequence) {
    if (journal instanceof RocksDbReadJournal rocksDb) {
      return rocksDb.highestSequenceNr(persistenceId).thenApply(highest -> highest >= fromSequence);
    }
    return CompletableFuture.completedFuture(true);
  }

  /**
   * The partition's newest journal entries, oldest first: read backwards from {@code lastSequence},
   * one entry at a time, until {@code maxEvents} events or as many entries are read, or the bytes
   * one read may hold are used (the newest entry always). Nothing waits for writes.
   */
  public CompletionStage<List<EventEnvelope>> newest(String persistenceId, long lastSequence, int maxEvents) {
    return newest(persistenceId, lastSequence, maxEvents, new ReadBudget(maxBytesPerRead), new ArrayList<>());
  }

  private CompletionStage<List<EventEnvelope>> newest(String persistenceId, long sequence, int eventsWanted,
                                                      ReadBudget budget, List<EventEnvelope> newestFirst) {
    if (sequence < 1 || eventsWanted <= 0 || newestFirst.size() >= maxEntriesPerRead) {
      return CompletableFuture.completedFuture(Collections.unmodifiableList(reversed(newestFirst)));
    }
    return journal.currentEventsByPersistenceId(persistenceId, sequence, sequence)
        .runWith(Sink.headOption(), system)
        .thenCompose(entry -> {
          if (entry.isEmpty() || !budget.admits(storedBytes(entry.get()))) {
            return CompletableFuture.completedFuture(Collections.unmodifiableList(reversed(newestFirst)));
          }
          newestFirst.add(entry.get());
          int events = entry.get().event() instanceof EventsAppended appended ? appended.getEventsCount() : 1;
          return newest(persistenceId, sequence - 1, eventsWanted - events, budget, newestFirst);
        });
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }

  /** An entry's size as stored, the measure of every read and tail bound. */
  public static long storedBytes(EventEnvelope entry) {
    return entry.event() instanceof MessageLite stored ? stored.getSerializedSize() : 0;
  }
}
