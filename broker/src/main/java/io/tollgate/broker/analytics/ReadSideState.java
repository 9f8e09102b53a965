package io.tollgate.broker.analytics;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.AckedOffsets;
import io.tollgate.protocols.v1.journal.AnalyticsRolled;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import io.tollgate.protocols.v1.journal.AnalyticsSnapshot;
import io.tollgate.protocols.v1.journal.AppendedAt;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The analytics read side as plain state: the minute rollups, how far each followed journal is
 * read, and what consumer lag is measured from (each partition's end, when its events were
 * appended, each subscription's acknowledged offsets). {@link #step} turns what was read from
 * the journals into one {@code AnalyticsRolled}; {@link #apply} is the only thing that changes
 * the state, for a step just journaled and for one replayed alike.
 */
public final class ReadSideState {
  /** When a partition's events were appended is kept for this many seconds with appends, per partition. */
  static final int MAX_APPEND_TIMES = 86_400;

  /**
   * One journal entry read: its sequence number and its event, except that a partition's entry
   * ({@code EventsAppended}, up to {@code tollgate.topics.max-entry-bytes} of events) is kept
   * as its {@link Appended} summary, which is all the read side uses. A read holds up to
   * {@code max-entries-per-journal} entries of every journal it follows at once; holding whole
   * partition entries, a read at full publish load held gigabytes and ran the heap out.
   */
  public record Entry(long sequence, Object event) {
    public Entry {
      if (event instanceof EventsAppended appended) {
        event = Appended.of(appended);
      }
    }
  }

  /** What the read side takes from a partition's journal entry: where it starts, its events' count and bytes, and when. */
  public record Appended(long firstOffset, int events, long bytes, long appendedAtMillis) {
    static Appended of(EventsAppended appended) {
      long bytes = 0;
      for (CloudEvent event : appended.getEventsList()) {
        bytes += event.getSerializedSize();
      }
      return new Appended(appended.getFirstOffset(), appended.getEventsCount(), bytes, appended.getAppendedAtMillis());
    }
  }

  private final RollupTable table = new RollupTable();
  private final Map<String, Long> positions = new HashMap<>();
  private final Map<String, Long> partitionEnds = new HashMap<>();
  private final Map<String, TreeMap<Long, Long>> appendedAt = new HashMap<>();
  private final Map<String, Map<String, Long>> acked = new HashMap<>();
  /** Each subscription's lag {events, seconds} as the last step measured it: for gauges, not journaled. */
  private Map<String, long[]> lastLag = Map.of();

  public RollupTable table() {
    return table;
  }

  /** How far each followed journal has been read: the last sequence number applied, by persistence id. */
  public Map<String, Long> positions() {
    return Map.copyOf(positions);
  }

  public long position(String persistenceId) {
    return positions.getOrDefault(persistenceId, 0L);
  }

  /** Every journal the read side follows today: the catalog's partitions, subscriptions and accounts' billing. */
  public static List<String> journals(Catalog catalog) {
    List<String> journals = new ArrayList<>();
    catalog.topics().forEach(topic -> topic.partitionRefs().forEach(p -> journals.add(p.persistenceId())));
    catalog.subscriptions().forEach(s -> journals.add(SubscriptionEntity.persistenceId(s.id())));
    catalog.accounts().forEach(a -> journals.add(AccountBilling.persistenceId(a.id())));
    return journals;
  }

  /**
   * The step that applies {@code read} (entries after each journal's position, in order) and the
   * consumer lag as it stands at {@code now}; a lag is added only where it is more than the
   * minute already holds, so an idle read side journals little.
   */
  public AnalyticsRolled step(Catalog catalog, Map<String, List<Entry>> read, Instant now) {
    RollupTable added = new RollupTable();
    AnalyticsRolled.Builder step = AnalyticsRolled.newBuilder();
    Map<String, Long> ends = new HashMap<>();
    Map<String, Map<String, Long>> newAcks = new LinkedHashMap<>();
    MinuteCounts published = new MinuteCounts();
    MinuteCounts acknowledged = new MinuteCounts();
    Map<String, Long> secondsJournaled = new HashMap<>();
    read.forEach((journal, entries) -> {
      if (entries.isEmpty()) {
        return;
      }
      for (Entry entry : entries) {
        if (entry.event() instanceof Appended appended && PartitionRef.isPersistenceId(journal)) {
          onAppended(journal, appended, published, step, ends, secondsJournaled);
        } else if (entry.event() instanceof CursorsAdvanced advanced) {
          onAcked(catalog, journal, advanced, acknowledged, newAcks);
        } else if (entry.event() instanceof InvoiceFinalized invoice) {
          onInvoice(catalog, invoice, added);
        } else if (entry.event() instanceof RevenueCredited credited) {
          onRevenue(catalog, journal, credited, added);
        }
      }
      step.putPositions(journal, entries.get(entries.size() - 1).sequence());
    });
    published.forEach((minute, counted) -> {
      Rollup rollup = Rollup.published(counted.events, counted.bytes);
      Attribution.ofTopic(catalog, minute.key())
          .forEach(t -> added.add(t.dimension(), t.key(), counted.atMillis, rollup));
    });
    acknowledged.forEach((minute, counted) -> {
      Rollup rollup = Rollup.acknowledged(counted.events);
      Attribution.ofSubscription(catalog, minute.key(), Instant.ofEpochMilli(counted.atMillis))
          .forEach(t -> added.add(t.dimension(), t.key(), counted.atMillis, rollup));
    });
    step.putAllPartitionEnds(ends);
    newAcks.forEach((subscription, offsets) ->
        step.addAcked(AckedOffsets.newBuilder().setSubscription(subscription).putAllNextOffsets(offsets)));
    Map<String, TreeMap<Long, Long>> newTimes = new HashMap<>();
    step.getAppendedAtList().forEach(at -> newTimes.computeIfAbsent(at.getPartition(), p -> new TreeMap<>())
        .put(at.getFirstOffset(), at.getAtMillis()));
    addLag(catalog, now, ends, newTimes, newAcks, added);
    added.all().forEach(minute -> step.addRollups(RollupProtos.toProto(minute)));
    return step.build();
  }

  /**
   * Events (and bytes) of a step, summed per topic or subscription, minute and plan before they
   * are attributed: a read of a thousand entries attributes each key's minute once, not once per
   * entry, and adds the same to every key because counts add.
   */
  static final class MinuteCounts {
    /** A key's minute; {@code plan} is the subscription's plan then, since a plan may change within a minute. */
    record Minute(String key, long minuteMillis, String plan) {}

    /** The sums so far, and an instant of the minute (the first entry's) to attribute them at. */
    static final class Counted {
      long events;
      long bytes;
      final long atMillis;

      Counted(long atMillis) {
        this.atMillis = atMillis;
      }
    }

    private final Map<Minute, Counted> byMinute = new LinkedHashMap<>();

    void add(String key, String plan, long atMillis, long events, long bytes) {
      Counted counted = byMinute.computeIfAbsent(new Minute(key, Resolution.MINUTE.bucketOf(atMillis), plan),
          minute -> new Counted(atMillis));
      counted.events += events;
      counted.bytes += bytes;
    }

    void forEach(java.util.function.BiConsumer<Minute, Counted> action) {
      byMinute.forEach(action);
    }
  }

  /**
   * Counts an append, moves the partition's end, and journals when it was appended if it is the
   * first append of its second: {@link #apply} keeps one time a second a partition and no more,
   * so journaling every append (a group commit every millisecond or two at full load) only made
   * each step large, some 400 KB every 5 s at 6,600 events/s.
   */
  private void onAppended(String journal, Appended appended, MinuteCounts published, AnalyticsRolled.Builder step,
                          Map<String, Long> ends, Map<String, Long> secondsJournaled) {
    published.add(PartitionRef.fromPersistenceId(journal).topic(), "", appended.appendedAtMillis(), appended.events(),
        appended.bytes());
    ends.put(journal, appended.firstOffset() + appended.events());
    long second = appended.appendedAtMillis() / 1000;
    Long last = secondsJournaled.containsKey(journal) ? secondsJournaled.get(journal) : lastSecondKept(journal);
    if (last == null || last != second) {
      secondsJournaled.put(journal, second);
      step.addAppendedAt(AppendedAt.newBuilder().setPartition(journal).setFirstOffset(appended.firstOffset())
          .setAtMillis(appended.appendedAtMillis()));
    }
  }

  private Long lastSecondKept(String journal) {
    TreeMap<Long, Long> times = appendedAt.get(journal);
    return times == null || times.isEmpty() ? null : times.lastEntry().getValue() / 1000;
  }

  private static void onAcked(Catalog catalog, String journal, CursorsAdvanced advanced, MinuteCounts acknowledged,
                              Map<String, Map<String, Long>> newAcks) {
    String subscription = journal.substring(journal.indexOf('|') + 1);
    Map<String, Long> offsets = newAcks.computeIfAbsent(subscription, s -> new HashMap<>());
    for (PartitionCursor cursor : advanced.getCursorsList()) {
      offsets.put(new PartitionRef(cursor.getTopic(), cursor.getPartition()).persistenceId(), cursor.getOffset() + 1);
    }
    if (advanced.getUnits() > 0) {
      String plan = catalog.subscription(subscription)
          .map(s -> s.planAt(Instant.ofEpochMilli(advanced.getAtMillis()))).orElse("");
      acknowledged.add(subscription, plan, advanced.getAtMillis(), advanced.getUnits(), 0);
    }
  }

  private static void onInvoice(Catalog catalog, InvoiceFinalized invoice, RollupTable added) {
    for (InvoiceLine line : invoice.getLinesList()) {
      BigDecimal amount = new BigDecimal(line.getAmount());
      if (amount.signum() == 0) {
        continue;
      }
      Rollup charge = Rollup.charge(invoice.getCurrency(), amount);
      Attribution.ofCharge(catalog, line.getSubscription(), line.getPlan(), invoice.getAccount())
          .forEach(t -> added.add(t.dimension(), t.key(), invoice.getFinalizedAtMillis(), charge));
    }
  }

  private static void onRevenue(Catalog catalog, String journal, RevenueCredited credited, RollupTable added) {
    String producer = journal.substring(journal.indexOf('|') + 1);
    Rollup revenue = Rollup.revenue(credited.getCurrency(), new BigDecimal(credited.getProducerShare()));
    Attribution.ofRevenue(catalog, credited.getSubscription(), producer, Instant.ofEpochMilli(credited.getAtMillis()))
        .forEach(t -> added.add(t.dimension(), t.key(), credited.getAtMillis(), revenue));
  }

  /** Each live subscription's lag at {@code now}, counting what this step read. */
  private void addLag(Catalog catalog, Instant now, Map<String, Long> newEnds, Map<String, TreeMap<Long, Long>> newTimes,
                      Map<String, Map<String, Long>> newAcks, RollupTable added) {
    long nowMillis = now.toEpochMilli();
    Map<String, long[]> measured = new HashMap<>();
    for (Catalog.Subscription subscription : catalog.subscriptions()) {
      if (subscription.endedAt(now)) {
        continue;
      }
      Catalog.Product product = catalog.product(subscription.product()).orElse(null);
      if (product == null) {
        continue;
      }
      long lagEvents = 0;
      long oldestUnacked = Long.MAX_VALUE;
      for (PartitionRef partition : catalog.partitionsOf(product)) {
        String journal = partition.persistenceId();
        long end = newEnds.getOrDefault(journal, partitionEnds.getOrDefault(journal, 0L));
        long next = newAcks.getOrDefault(subscription.id(), Map.of()).getOrDefault(journal,
            acked.getOrDefault(subscription.id(), Map.of()).getOrDefault(journal, 0L));
        if (end > next) {
          lagEvents += end - next;
          oldestUnacked = Math.min(oldestUnacked, appendedAt(journal, next, newTimes).orElse(nowMillis));
        }
      }
      if (lagEvents == 0) {
        continue;
      }
      long lagSeconds = Math.max(0, (nowMillis - oldestUnacked) / 1000);
      measured.put(subscription.id(), new long[] {lagEvents, lagSeconds});
      Rollup already = table.at(Dimension.SUBSCRIPTIONS, subscription.id(), nowMillis);
      if (lagEvents <= already.lagEvents() && lagSeconds <= already.lagSeconds()) {
        continue;
      }
      Rollup lag = Rollup.lag(lagEvents, lagSeconds);
      Attribution.ofSubscription(catalog, subscription.id(), now)
          .forEach(t -> added.add(t.dimension(), t.key(), nowMillis, lag));
    }
    lastLag = measured;
  }

  /** Each subscription behind at the last step, as {events, seconds}. */
  public Map<String, long[]> lastLag() {
    return lastLag;
  }

  /** When the event at {@code offset} was appended, as far as known: the latest entry at or before it. */
  private java.util.Optional<Long> appendedAt(String journal, long offset, Map<String, TreeMap<Long, Long>> newTimes) {
    Map.Entry<Long, Long> known = appendedAt.getOrDefault(journal, new TreeMap<>()).floorEntry(offset);
    Map.Entry<Long, Long> read = newTimes.getOrDefault(journal, new TreeMap<>()).floorEntry(offset);
    Map.Entry<Long, Long> latest = known == null ? read : read == null || known.getKey() >= read.getKey() ? known : read;
    return java.util.Optional.ofNullable(latest).map(Map.Entry::getValue);
  }

  /** Applies a step, journaled now or replayed. */
  public void apply(AnalyticsRolled step) {
    step.getRollupsList().forEach(proto -> table.add(RollupProtos.minuteOf(proto)));
    positions.putAll(step.getPositionsMap());
    partitionEnds.putAll(step.getPartitionEndsMap());
    for (AppendedAt at : step.getAppendedAtList()) {
      TreeMap<Long, Long> times = appendedAt.computeIfAbsent(at.getPartition(), p -> new TreeMap<>());
      var last = times.lastEntry();
      if (last == null || last.getValue() / 1000 != at.getAtMillis() / 1000) {
        times.put(at.getFirstOffset(), at.getAtMillis());
      }
      while (times.size() > MAX_APPEND_TIMES) {
        times.pollFirstEntry();
      }
    }
    for (AckedOffsets offsets : step.getAckedList()) {
      acked.computeIfAbsent(offsets.getSubscription(), s -> new HashMap<>()).putAll(offsets.getNextOffsetsMap());
    }
  }

  /** Rollups a node observed (AnalyticsObserved), journaled as a step that reads nothing. */
  public static AnalyticsRolled observed(List<AnalyticsRollup> rollups) {
    return AnalyticsRolled.newBuilder().addAllRollups(rollups).build();
  }

  public AnalyticsSnapshot snapshot() {
    AnalyticsSnapshot.Builder snapshot = AnalyticsSnapshot.newBuilder().putAllPositions(positions)
        .putAllPartitionEnds(partitionEnds);
    table.all().forEach(minute -> snapshot.addRollups(RollupProtos.toProto(minute)));
    appendedAt.forEach((partition, times) -> times.forEach((offset, at) -> snapshot.addAppendedAt(
        AppendedAt.newBuilder().setPartition(partition).setFirstOffset(offset).setAtMillis(at))));
    acked.forEach((subscription, offsets) -> snapshot.addAcked(
        AckedOffsets.newBuilder().setSubscription(subscription).putAllNextOffsets(offsets)));
    return snapshot.build();
  }

  public static ReadSideState fromSnapshot(AnalyticsSnapshot snapshot) {
    ReadSideState state = new ReadSideState();
    state.apply(AnalyticsRolled.newBuilder().addAllRollups(snapshot.getRollupsList())
        .putAllPositions(snapshot.getPositionsMap()).putAllPartitionEnds(snapshot.getPartitionEndsMap())
        .addAllAppendedAt(snapshot.getAppendedAtList()).addAllAcked(snapshot.getAckedList()).build());
    return state;
  }
}
