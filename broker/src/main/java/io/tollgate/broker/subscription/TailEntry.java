package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.topic.JournalReads;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * One journal entry of a partition, decoded into its deliveries, with its size as stored (what
 * the tail's own bound counts) and what it holds in heap, growing as its deliveries are rendered
 * (what the node's tail budget counts).
 */
public record TailEntry(long sequence, List<Delivery> deliveries, long bytes, EntryHeap heap) {
  /** An entry of deliveries made elsewhere: their pieces are not counted, only the entry as decoded. */
  public TailEntry(long sequence, List<Delivery> deliveries, long bytes) {
    this(sequence, deliveries, bytes, new EntryHeap(HeapEstimate.entry(deliveries)));
  }

  public static TailEntry of(PartitionRef partition, EventEnvelope envelope) {
    EventsAppended appended = (EventsAppended) envelope.event();
    long sequence = envelope.sequenceNr();
    List<CloudEvent> events = appended.getEventsList();
    EntryHeap heap = new EntryHeap(0);
    List<Delivery> deliveries = new ArrayList<>(events.size());
    for (int index = 0; index < events.size(); index++) {
      deliveries.add(new Delivery(new Cursor(partition.topic(), partition.partition(), sequence, index),
          appended.getFirstOffset() + index, events.get(index), appended.getAppendedAtMillis(), heap));
    }
    List<Delivery> decoded = List.copyOf(deliveries);
    heap.add(HeapEstimate.entry(decoded));
    return new TailEntry(sequence, decoded, JournalReads.storedBytes(envelope), heap);
  }

  /** The deliveries after {@code after}, a cursor of this partition: all of them unless it is in this entry. */
  public List<Delivery> deliveriesAfter(Cursor after) {
    if (after == null || after.sequence() != sequence) {
      return deliveries;
    }
    int first = after.index() == Integer.MAX_VALUE ? deliveries.size() : Math.min(deliveries.size(), after.index() + 1);
    return deliveries.subList(first, deliveries.size());
  }
}
