package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream's journal read is bounded in entries ({@code max-entries-per-read}) as well as in
 * bytes, and the reader moves on from where a bounded read stopped without skipping an entry.
 */
class JournalReadsTest {
  private static final String PARTITION = "partition|orders|0";
  /** Twenty entries of one small event each. */
  private static final List<EventsAppended> ENTRIES = LongStream.range(0, 20)
      .mapToObj(offset -> EventsAppended.newBuilder().setFirstOffset(offset).setAppendedAtMillis(offset)
          .addEvents(CloudEvent.newBuilder().setSpecVersion("1.0").setSource("/reads").setId("e" + offset)
              .setType("t")).build())
      .toList();

  /** One system per reader: a node has one {@link JournalReads}, which names its actor. */
  private final List<ActorTestKit> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    systems.forEach(ActorTestKit::shutdownTestKit);
  }

  private JournalReads reads(int maxEntriesPerRead, long maxBytesPerRead) {
    ActorTestKit system = ActorTestKit.create();
    systems.add(system);
    return new JournalReads(system.system(), JOURNAL, maxEntriesPerRead, maxBytesPerRead);
  }

  /** A journal holding {@link #ENTRIES} at sequence numbers 1 to 20. */
  private static final CurrentEventsByPersistenceIdQuery JOURNAL = new CurrentEventsByPersistenceIdQuery() {
    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequence,
                                                                       long toSequence) {
      return Source.range((int) Math.max(1, fromSequence), (int) Math.min(ENTRIES.size(), toSequence))
          .map(sequence -> new EventEnvelope(Offset.sequence(sequence), persistenceId, sequence,
              ENTRIES.get(sequence - 1), sequence));
    }
  };

  private static List<EventEnvelope> read(JournalReads reads, long from) throws Exception {
    return reads.read(PARTITION, from).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static List<Long> sequences(List<EventEnvelope> entries) {
    return entries.stream().map(EventEnvelope::sequenceNr).toList();
  }

  @Test
  void aReadTakesAtMostMaxEntriesPerReadAndTheNextGoesOnWhereItStopped() throws Exception {
    JournalReads reads = reads(8, Long.MAX_VALUE);
    List<Integer> sizes = new ArrayList<>();
    List<Long> seen = new ArrayList<>();
    long next = 1;
    for (List<EventEnvelope> entries = read(reads, next); !entries.isEmpty(); entries = read(reads, next)) {
      sizes.add(entries.size());
      seen.addAll(sequences(entries));
      next = entries.get(entries.size() - 1).sequenceNr() + 1;
    }
    assertEquals(List.of(8, 8, 4), sizes);
    assertEquals(LongStream.rangeClosed(1, 20).boxed().toList(), seen);
  }

  @Test
  void theFewerOfTheEntryAndTheByteBoundsEndsARead() throws Exception {
    long firstThreeBytes = ENTRIES.subList(0, 3).stream().mapToLong(EventsAppended::getSerializedSize).sum();
    JournalReads byBytes = reads(8, firstThreeBytes);
    assertEquals(List.of(1L, 2L, 3L), sequences(read(byBytes, 1)));
    JournalReads byEntries = reads(2, firstThreeBytes);
    assertEquals(List.of(5L, 6L), sequences(read(byEntries, 5)));
  }

  @Test
  void theNewestEntriesAreBoundedByMaxEntriesPerReadToo() throws Exception {
    JournalReads reads = reads(3, Long.MAX_VALUE);
    List<EventEnvelope> newest = reads.newest(PARTITION, 20, 100).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(18L, 19L, 20L), sequences(newest));
  }
}
