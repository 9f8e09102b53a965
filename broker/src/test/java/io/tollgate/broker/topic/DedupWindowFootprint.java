package io.tollgate.broker.topic;

import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the deduplication window for docs/benchmarks.md: heap per 1,000,000 ids (as counted
 * against the cap, as allocated, and as the JVM sees it), the cost of adding and finding an id,
 * and of reading a window back from journal entries. Run by bench/dedup.sh; not a test.
 */
public final class DedupWindowFootprint {
  private static final int IDS = 1_000_000;

  public static void main(String[] args) {
    int perEntry = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    DedupWindow.Settings settings = new DedupWindow.Settings(Duration.ofHours(1), Long.MAX_VALUE);
    List<EventsAppended> journal = journal(perEntry);
    for (int round = 0; round < 3; round++) {
      System.gc();
      long heapBefore = usedHeap();
      long started = System.nanoTime();
      DedupWindow window = new DedupWindow(settings);
      for (int sequence = 1; sequence <= journal.size(); sequence++) {
        PartitionLog.addToWindow(window, sequence, journal.get(sequence - 1));
      }
      double addSeconds = (System.nanoTime() - started) / 1e9;
      System.gc();
      long heapAfter = usedHeap();
      started = System.nanoTime();
      int found = 0;
      for (int id = 0; id < IDS; id++) {
        if (window.find(DedupWindow.Key.of("/bench/producer", "event-" + id), 0) != null) {
          found++;
        }
      }
      double findSeconds = (System.nanoTime() - started) / 1e9;
      started = System.nanoTime();
      DedupWindow parsed = new DedupWindow(settings);
      long sequence = 1;
      for (EventsAppended entry : journal) {
        try {
          PartitionLog.addToWindow(parsed, sequence++, EventsAppended.parseFrom(entry.toByteArray()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
      double rebuildSeconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("round %d, %d ids in entries of %d: counted %.1f MiB, allocated %.1f MiB, heap %.1f MiB;"
              + " add %.0f ids/s, find %.0f ids/s (%d found), parse+add %.0f ids/s%n",
          round, window.eventCount(), perEntry, window.countedBytes() / 1048576.0, window.allocatedBytes() / 1048576.0,
          (heapAfter - heapBefore) / 1048576.0, IDS / addSeconds, IDS / findSeconds, found, IDS / rebuildSeconds);
      System.out.printf("round %d, CPU per published event (plan, then apply): window %.2f µs, the 20,000 pairs before %.2f µs%n",
          round, publishCpuMicros(journal, true), publishCpuMicros(journal, false));
    }
  }

  /**
   * The thread's CPU time (not wall time, so other load on the machine does not count) per event
   * for what a partition does with an event's id when it is published: look it up, then remember
   * it. {@code window}: this release's DedupWindow; otherwise the map of 20,000 pairs it replaced.
   */
  private static double publishCpuMicros(List<EventsAppended> journal, boolean window) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    DedupWindow dedup = new DedupWindow(new DedupWindow.Settings(Duration.ofMinutes(10), 64L << 20));
    java.util.LinkedHashMap<PartitionLog.EventKey, StoredPosition> pairs = new java.util.LinkedHashMap<>();
    long started = threads.getCurrentThreadCpuTime();
    long sequence = 1;
    int duplicates = 0;
    for (EventsAppended entry : journal) {
      List<DedupWindow.Key> keys = new ArrayList<>(entry.getEventsCount());
      for (int index = 0; index < entry.getEventsCount(); index++) {
        CloudEvent event = entry.getEvents(index);
        if (window) {
          DedupWindow.Key key = DedupWindow.Key.of(event.getSource(), event.getId());
          duplicates += dedup.find(key, 1000) == null ? 0 : 1;
          keys.add(key);
        } else {
          PartitionLog.EventKey key = new PartitionLog.EventKey(event.getSource(), event.getId());
          duplicates += pairs.get(key) == null ? 0 : 1;
          pairs.put(key, new StoredPosition(entry.getFirstOffset() + index, sequence, index, false));
          if (pairs.size() > 20_000) {
            java.util.Iterator<PartitionLog.EventKey> oldest = pairs.keySet().iterator();
            oldest.next();
            oldest.remove();
          }
        }
      }
      if (window) {
        dedup.add(sequence, entry.getFirstOffset(), 1000, keys);
      }
      sequence++;
    }
    if (duplicates != 0) {
      throw new IllegalStateException(duplicates + " ids were found that were never stored");
    }
    return (threads.getCurrentThreadCpuTime() - started) / 1000.0 / IDS;
  }

  /** 1,000,000 events of 256 bytes of data, {@code perEntry} to a journal entry. */
  private static List<EventsAppended> journal(int perEntry) {
    List<EventsAppended> journal = new ArrayList<>();
    String data = "{\"pad\":\"" + "x".repeat(245) + "\"}";
    for (int first = 0; first < IDS; first += perEntry) {
      EventsAppended.Builder entry = EventsAppended.newBuilder().setFirstOffset(first).setAppendedAtMillis(1000);
      for (int id = first; id < Math.min(IDS, first + perEntry); id++) {
        entry.addEvents(CloudEvent.newBuilder().setSpecVersion("1.0").setSource("/bench/producer")
            .setId("event-" + id).setType("bench").setJsonData(data));
      }
      journal.add(entry.build());
    }
    return journal;
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
