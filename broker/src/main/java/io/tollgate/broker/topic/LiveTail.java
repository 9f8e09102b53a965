package io.tollgate.broker.topic;

import com.google.protobuf.MessageLite;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads a partition's journal from a sequence number on, and keeps reading as it grows, on any
 * storage backend and on any node. Each partition publishes a {@link PartitionAdvanced} to every
 * node after each write; a reader at the end of the journal waits for that signal (or, should a
 * signal be lost while nodes come and go, for {@code fallbackPoll}) and reads what is new. So a
 * consumer on one node sees an event written on another within a message's trip, although
 * Cassandra itself cannot notify readers.
 */
public final class LiveTail {
  private static final String TOPIC = "tollgate-partition-advanced";

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Duration fallbackPoll;
  private final int maxEntriesPerRead;
  private final long maxBytesPerRead;
  private final ActorRef<Topic.Command<PartitionAdvanced>> topic;
  /** The readers waiting at the end of each partition, each with its own wake-up. */
  private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();

  public LiveTail(ActorSystem<?> system, CurrentEventsByPersistenceIdQuery journal, Duration fallbackPoll,
                  int maxEntriesPerRead, long maxBytesPerRead) {
    this.system = system;
    this.journal = journal;
    this.fallbackPoll = fallbackPoll;
    this.maxEntriesPerRead = maxEntriesPerRead;
    this.maxBytesPerRead = maxBytesPerRead;
    this.topic = system.systemActorOf(Topic.create(PartitionAdvanced.class, TOPIC), "partition-advanced", Props.empty());
    ActorRef<PartitionAdvanced> listener = system.systemActorOf(Behaviors.receiveMessage(advanced -> {
      Set<CompletableFuture<Void>> readers = waiting.remove(advanced.getPersistenceId());
      if (readers != null) {
        readers.forEach(reader -> reader.complete(null));
      }
      return Behaviors.same();
    }), "partition-advanced-listener", Props.empty());
    topic.tell(Topic.subscribe(listener));
  }

  /** Where partitions announce their writes; see {@link TopicPartition}. */
  public ActorRef<Topic.Command<PartitionAdvanced>> announcements() {
    return topic;
  }

  /** The partition's journal entries from {@code fromSequence} on, never completing. */
  public Source<EventEnvelope, NotUsed> from(String persistenceId, long fromSequence) {
    return Source.<Long, List<EventEnvelope>>unfoldAsync(fromSequence, next -> read(persistenceId, next)
            .thenApply(entries -> Optional.of(Pair.create(entries.get(entries.size() - 1).sequenceNr() + 1, entries))))
        .mapConcat(entries -> entries);
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
          if (entry.isEmpty()
              || !budget.admits(entry.get().event() instanceof MessageLite stored ? stored.getSerializedSize() : 0)) {
            return CompletableFuture.completedFuture(Collections.unmodifiableList(reversed(newestFirst)));
          }
          newestFirst.add(entry.get());
          int events = entry.get().event() instanceof EventsAppended appended
              ? appended.getEventsCount() : 1;
          return newest(persistenceId, sequence - 1, eventsWanted - events, budget, newestFirst);
        });
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }

  private CompletionStage<List<EventEnvelope>> read(String persistenceId, long from) {
    // Waiting starts before the read: a write that lands during it still wakes this reader.
    CompletableFuture<Void> grown = new CompletableFuture<>();
    waiting.compute(persistenceId, (id, readers) -> {
      Set<CompletableFuture<Void>> all = readers == null ? ConcurrentHashMap.newKeySet() : readers;
      all.add(grown);
      return all;
    });
    // What one read holds in memory, per stream and partition: a count of entries and their bytes.
    ReadBudget budget = new ReadBudget(maxBytesPerRead);
    return journal.currentEventsByPersistenceId(persistenceId, from, Long.MAX_VALUE)
        .take(maxEntriesPerRead)
        .takeWhile(entry -> budget.admits(entry.event() instanceof MessageLite stored ? stored.getSerializedSize() : 0))
        .runWith(Sink.seq(), system)
        .thenCompose(entries -> {
          if (!entries.isEmpty()) {
            forget(persistenceId, grown);
            return CompletableFuture.completedFuture(entries);
          }
          return grown.completeOnTimeout(null, fallbackPoll.toMillis(), TimeUnit.MILLISECONDS)
              .thenCompose(woken -> {
                forget(persistenceId, grown);
                return read(persistenceId, from);
              });
        });
  }

  private void forget(String persistenceId, CompletableFuture<Void> reader) {
    waiting.computeIfPresent(persistenceId, (id, readers) -> {
      readers.remove(reader);
      return readers.isEmpty() ? null : readers;
    });
  }
}
