package io.tollgate.broker.audit;

import com.google.protobuf.CodedOutputStream;
import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.AuditPosition;
import io.tollgate.protocols.v1.journal.AuditSnapshot;
import io.tollgate.protocols.v1.journal.CatalogChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The audit log as plain state: the entries it keeps, ordered by (time, journal, sequence) three
 * ways (all of them, by the account that may read them, by actor), and how far each followed
 * journal has been read. A page walks one of those orders from its cursor, so it touches about as
 * many entries as it returns, however long the log. {@link #step} turns what was read into one
 * {@code AuditIndexed}; {@link #apply} is the only thing that changes the state, for a step just
 * journaled and for one replayed alike.
 *
 * <p>It keeps what {@link Limits} allow: entries younger than the retention, counted from each
 * step's own time (so a replay leaves the same log), and at most {@code maxBytes} of them,
 * counted as they take room in the snapshot. Past the cap the account holding the most gives up
 * its oldest entry ({@link AccountShares}): one tenant's flood of changes shortens its own log,
 * not the others'. Entries read by no account (the operator's) count as one more account.
 *
 * <p>Where each log starts: every entry before {@code expiredBefore} has left (the retention),
 * and every entry of an account before its {@code evictedBefore} (the cap); none after either.
 * An account's log starts at the later of the two; the operator's whole log at the later of
 * {@code expiredBefore} and the latest eviction of any account, since entries after that may
 * have left. A page whose cursor lies before its log's start is answered as expired rather than
 * silently skipping what left.
 */
public final class AuditIndex {
  /** How long entries are kept, and the most they may take in the snapshot ({@code tollgate.audit}). */
  public record Limits(Duration retention, long maxBytes) {
    /** The time of the oldest entry kept at {@code nowMillis}. */
    long oldestKeptAt(long nowMillis) {
      return nowMillis - retention.toMillis();
    }
  }

  /** Where an entry stands in the log, and what {@code next_after} names. */
  public record Position(long atMillis, String journal, long sequence) implements Comparable<Position> {
    private static final Comparator<Position> ORDER = Comparator.comparingLong(Position::atMillis)
        .thenComparing(Position::journal).thenComparingLong(Position::sequence);

    static Position of(AuditEntry entry) {
      return new Position(entry.getAtMillis(), entry.getJournal(), entry.getSequence());
    }

    static Position of(AuditPosition proto) {
      return new Position(proto.getAtMillis(), proto.getJournal(), proto.getSequence());
    }

    /** Before every entry at {@code atMillis} or later, after every earlier one (no journal is named ""). */
    static Position startOf(long atMillis) {
      return new Position(atMillis, "", 0);
    }

    /** The first position after this one: every entry after it is at or after this. */
    Position next() {
      return new Position(atMillis, journal, sequence + 1);
    }

    AuditPosition toProto() {
      return AuditPosition.newBuilder().setAtMillis(atMillis).setJournal(journal).setSequence(sequence).build();
    }

    @Override
    public int compareTo(Position other) {
      return ORDER.compare(this, other);
    }
  }

  /**
   * Which entries a page shows: those {@code account} may read (empty: all, the operator's), of
   * {@code actor} (empty: any), after {@code after}, at most {@code limit}.
   */
  public record Query(Optional<String> account, Optional<String> actor, Optional<Position> after, int limit) {}

  /**
   * A page's entries, and how many entries it looked at to find them; or, when its cursor lies
   * before what the log keeps, no entries and {@code cursorExpired}.
   */
  public record Page(List<AuditEntry> entries, int examined, boolean cursorExpired) {
    static final Page EXPIRED = new Page(List.of(), 0, true);
  }

  /** One journal entry read: its sequence number and its event. */
  public record Read(long sequence, Object event) {}

  /**
   * What the log holds (for /metrics): its entries, the bytes they count against the cap, and
   * the time before which every entry has left, if any has.
   */
  public record Held(int entries, long bytes, OptionalLong retainedFromMillis) {
    public static final Held NOTHING = new Held(0, 0, OptionalLong.empty());

    /**
     * How much less than the retention the log reaches back at {@code nowMillis}: more than zero
     * only when the byte cap made entries leave before their time.
     */
    public long shortfallMillis(long nowMillis, Limits limits) {
      return retainedFromMillis.isEmpty() ? 0
          : Math.max(0, retainedFromMillis.getAsLong() - limits.oldestKeptAt(nowMillis));
    }
  }

  private final Limits limits;
  private final TreeMap<Position, AuditEntry> all = new TreeMap<>();
  private final Map<String, TreeMap<Position, AuditEntry>> byAccount = new HashMap<>();
  private final Map<String, TreeMap<Position, AuditEntry>> byActor = new HashMap<>();
  private final Map<String, Long> positions = new HashMap<>();
  private final AccountShares shares = new AccountShares();
  private final Map<String, Position> evictedBefore = new HashMap<>();
  private long bytes;
  private Optional<Position> expiredBefore = Optional.empty();
  private Optional<Position> latestEviction = Optional.empty();

  public AuditIndex(Limits limits) {
    this.limits = limits;
  }

  public long position(String persistenceId) {
    return positions.getOrDefault(persistenceId, 0L);
  }

  public int size() {
    return all.size();
  }

  public Held held() {
    return new Held(all.size(), bytes, later(expiredBefore, latestEviction).map(from -> OptionalLong.of(from.atMillis()))
        .orElse(OptionalLong.empty()));
  }

  private static Optional<Position> later(Optional<Position> one, Optional<Position> other) {
    if (one.isEmpty()) {
      return other;
    }
    return other.filter(position -> position.compareTo(one.get()) > 0).or(() -> one);
  }

  /** What an entry takes in the snapshot, and so what it counts against the cap. */
  static long sizeOf(AuditEntry entry) {
    return CodedOutputStream.computeMessageSize(AuditSnapshot.ENTRIES_FIELD_NUMBER, entry);
  }

  /**
   * The step that indexes {@code read} at {@code nowMillis} (entries after each journal's
   * position, in order, by persistence id; {@code catalogId} names the catalog's journal and
   * {@code accountOf} each billing journal's account). It leaves out what the log would not
   * keep anyway, entries past the retention and, past the byte cap, the oldest of the accounts
   * holding the most, so no step is larger than the log may be; a step that left an account's
   * entries out by size says where that account's log starts.
   */
  public static AuditIndexed step(Map<String, List<Read>> read, String catalogId,
                                  Function<String, String> accountOf, Limits limits, long nowMillis) {
    AuditIndexed.Builder step = AuditIndexed.newBuilder().setAtMillis(nowMillis);
    TreeMap<Position, AuditEntry> found = new TreeMap<>();
    read.forEach((journal, entries) -> {
      if (entries.isEmpty()) {
        return;
      }
      for (Read entry : entries) {
        Optional<AuditEntry> audited = journal.equals(catalogId)
            ? Optional.of(AuditEntries.ofCatalog(entry.sequence(), (CatalogChange) entry.event()))
            : AuditEntries.ofBilling(accountOf.apply(journal), entry.sequence(), entry.event());
        audited.filter(shown -> shown.getAtMillis() >= limits.oldestKeptAt(nowMillis))
            .ifPresent(shown -> found.put(Position.of(shown), shown));
      }
      step.putPositions(journal, entries.get(entries.size() - 1).sequence());
    });
    AccountShares inStep = new AccountShares();
    Map<String, TreeMap<Position, AuditEntry>> foundByAccount = new HashMap<>();
    long total = 0;
    for (Map.Entry<Position, AuditEntry> entry : found.entrySet()) {
      long size = sizeOf(entry.getValue());
      total += size;
      inStep.add(entry.getValue().getAccount(), size);
      foundByAccount.computeIfAbsent(entry.getValue().getAccount(), account -> new TreeMap<>())
          .put(entry.getKey(), entry.getValue());
    }
    while (total > limits.maxBytes()) {
      String account = inStep.largest();
      Map.Entry<Position, AuditEntry> oldest = foundByAccount.get(account).pollFirstEntry();
      found.remove(oldest.getKey());
      long size = sizeOf(oldest.getValue());
      total -= size;
      inStep.add(account, -size);
      step.putEvictedBefore(account, oldest.getKey().next().toProto());
    }
    return step.addAllEntries(found.values()).build();
  }

  /**
   * Applies a step, journaled now or replayed: first the entries that left the log by its time
   * and by its own size, then its entries (an entry already indexed is not indexed twice, one that
   * already left is not taken back), then the oldest of the largest accounts while the log is
   * over its cap.
   */
  public void apply(AuditIndexed step) {
    if (step.getAtMillis() > 0) {
      expire(Position.startOf(limits.oldestKeptAt(step.getAtMillis())));
    }
    if (step.hasRetainedFrom()) {
      // written before the cap was shared: every entry before it left
      expire(Position.of(step.getRetainedFrom()));
    }
    step.getEvictedBeforeMap().forEach((account, before) -> evict(account, Position.of(before)));
    step.getEntriesList().forEach(this::add);
    fitTheCap();
    step.getPositionsMap().forEach((journal, position) -> positions.merge(journal, position, Math::max));
  }

  /** Removes every entry before {@code from}; an account's eviction before it says nothing more. */
  private void expire(Position from) {
    if (expiredBefore.isEmpty() || expiredBefore.get().compareTo(from) < 0) {
      expiredBefore = Optional.of(from);
    }
    while (!all.isEmpty() && all.firstKey().compareTo(from) < 0) {
      remove(all.firstKey());
    }
    evictedBefore.values().removeIf(before -> before.compareTo(from) <= 0);
  }

  /** Removes every entry of {@code account} before {@code before}, unless the retention already has. */
  private void evict(String account, Position before) {
    Position already = evictedBefore.get(account);
    if ((already != null && already.compareTo(before) >= 0)
        || (expiredBefore.isPresent() && expiredBefore.get().compareTo(before) >= 0)) {
      return;
    }
    evictedBefore.put(account, before);
    latestEviction = later(latestEviction, Optional.of(before));
    TreeMap<Position, AuditEntry> order = byAccount.get(account);
    while (order != null && order.firstKey().compareTo(before) < 0) {
      remove(order.firstKey());
      order = byAccount.get(account);
    }
  }

  private void fitTheCap() {
    while (bytes > limits.maxBytes()) {
      String account = shares.largest();
      evict(account, byAccount.get(account).firstKey().next());
    }
  }

  private void add(AuditEntry entry) {
    Position position = Position.of(entry);
    if (expiredBefore.isPresent() && position.compareTo(expiredBefore.get()) < 0) {
      return;
    }
    Position evicted = evictedBefore.get(entry.getAccount());
    if (evicted != null && position.compareTo(evicted) < 0) {
      return;
    }
    AuditEntry replaced = all.put(position, entry);
    long added = sizeOf(entry) - (replaced == null ? 0 : sizeOf(replaced));
    bytes += added;
    shares.add(entry.getAccount(), added);
    byAccount.computeIfAbsent(entry.getAccount(), account -> new TreeMap<>()).put(position, entry);
    byActor.computeIfAbsent(entry.getActor(), actor -> new TreeMap<>()).put(position, entry);
  }

  private void remove(Position position) {
    AuditEntry entry = all.remove(position);
    long size = sizeOf(entry);
    bytes -= size;
    shares.add(entry.getAccount(), -size);
    removeFrom(byAccount, entry.getAccount(), position);
    removeFrom(byActor, entry.getActor(), position);
  }

  /** Removes an entry from one order; an account or actor left without entries is forgotten too. */
  private static void removeFrom(Map<String, TreeMap<Position, AuditEntry>> orders, String key, Position position) {
    TreeMap<Position, AuditEntry> order = orders.get(key);
    if (order != null) {
      order.remove(position);
      if (order.isEmpty()) {
        orders.remove(key);
      }
    }
  }

  /**
   * The page {@code query} asks for at {@code nowMillis}. It walks the narrowest order that holds
   * every entry it may show: an account's, else an actor's, else all; only an account's page
   * that also names an actor skips entries (the account's billing actions by the operator). The
   * log starts where entries left it (the account's, for an account's page; any account's, for
   * the operator's), or where the retention ends now if that is later (an entry past it leaves at
   * the next step); a cursor before that start is expired, since entries after it may have left.
   */
  public Page page(Query query, long nowMillis) {
    Optional<Position> left = later(expiredBefore, query.account().isPresent()
        ? Optional.ofNullable(evictedBefore.get(query.account().get())) : latestEviction);
    Position start = later(left, Optional.of(Position.startOf(limits.oldestKeptAt(nowMillis)))).orElseThrow();
    if (query.after().isPresent() && query.after().get().next().compareTo(start) < 0) {
      return Page.EXPIRED;
    }
    NavigableMap<Position, AuditEntry> order = query.account().map(account -> (NavigableMap<Position, AuditEntry>)
            byAccount.getOrDefault(account, new TreeMap<>()))
        .or(() -> query.actor().map(actor -> byActor.getOrDefault(actor, new TreeMap<>())))
        .orElse(all);
    order = query.after().isPresent() ? order.tailMap(query.after().get(), false) : order.tailMap(start, true);
    List<AuditEntry> entries = new ArrayList<>();
    int examined = 0;
    for (AuditEntry entry : order.values()) {
      if (entries.size() == query.limit()) {
        break;
      }
      examined++;
      if (query.actor().map(actor -> actor.equals(entry.getActor())).orElse(true)) {
        entries.add(entry);
      }
    }
    return new Page(List.copyOf(entries), examined, false);
  }

  public AuditSnapshot snapshot() {
    AuditSnapshot.Builder snapshot = AuditSnapshot.newBuilder().addAllEntries(all.values()).putAllPositions(positions);
    expiredBefore.ifPresent(from -> snapshot.setRetainedFrom(from.toProto()));
    evictedBefore.forEach((account, before) -> snapshot.putEvictedBefore(account, before.toProto()));
    latestEviction.ifPresent(latest -> snapshot.setLatestEviction(latest.toProto()));
    return snapshot.build();
  }

  /** The index a snapshot holds, fitted to {@code limits} (which may be smaller than when it was taken). */
  public static AuditIndex fromSnapshot(AuditSnapshot snapshot, Limits limits) {
    AuditIndex index = new AuditIndex(limits);
    AuditIndexed.Builder restored = AuditIndexed.newBuilder().addAllEntries(snapshot.getEntriesList())
        .putAllPositions(snapshot.getPositionsMap());
    if (snapshot.hasRetainedFrom()) {
      restored.setRetainedFrom(snapshot.getRetainedFrom());
    }
    restored.putAllEvictedBefore(snapshot.getEvictedBeforeMap());
    if (snapshot.hasLatestEviction()) {
      index.latestEviction = Optional.of(Position.of(snapshot.getLatestEviction()));
    }
    index.apply(restored.build());
    return index;
  }
}
