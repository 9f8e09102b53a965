package io.tollgate.broker.audit;

import io.tollgate.protocols.v1.journal.AuditEntry;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.AuditSnapshot;
import io.tollgate.protocols.v1.journal.CatalogChange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The audit log as plain state: every entry, ordered by (time, journal, sequence) three ways
 * (all of them, by the account that may read them, by actor), and how far each followed journal
 * has been read. A page walks one of those orders from its cursor, so it touches about as many
 * entries as it returns, however long the log. {@link #step} turns what was read into one
 * {@code AuditIndexed}; {@link #apply} is the only thing that changes the state, for a step
 * just journaled and for one replayed alike.
 */
public final class AuditIndex {
  /** Where an entry stands in the log, and what {@code next_after} names. */
  public record Position(long atMillis, String journal, long sequence) implements Comparable<Position> {
    private static final Comparator<Position> ORDER = Comparator.comparingLong(Position::atMillis)
        .thenComparing(Position::journal).thenComparingLong(Position::sequence);

    static Position of(AuditEntry entry) {
      return new Position(entry.getAtMillis(), entry.getJournal(), entry.getSequence());
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

  /** A page's entries, and how many entries it looked at to find them. */
  public record Page(List<AuditEntry> entries, int examined) {}

  /** One journal entry read: its sequence number and its event. */
  public record Read(long sequence, Object event) {}

  private final TreeMap<Position, AuditEntry> all = new TreeMap<>();
  private final Map<String, TreeMap<Position, AuditEntry>> byAccount = new HashMap<>();
  private final Map<String, TreeMap<Position, AuditEntry>> byActor = new HashMap<>();
  private final Map<String, Long> positions = new HashMap<>();

  public long position(String persistenceId) {
    return positions.getOrDefault(persistenceId, 0L);
  }

  public int size() {
    return all.size();
  }

  /**
   * The step that indexes {@code read} (entries after each journal's position, in order, by
   * persistence id; {@code catalogId} names the catalog's journal and {@code accountOf} each
   * billing journal's account).
   */
  public static AuditIndexed step(Map<String, List<Read>> read, String catalogId,
                                  Function<String, String> accountOf) {
    AuditIndexed.Builder step = AuditIndexed.newBuilder();
    read.forEach((journal, entries) -> {
      if (entries.isEmpty()) {
        return;
      }
      for (Read entry : entries) {
        if (journal.equals(catalogId)) {
          step.addEntries(AuditEntries.ofCatalog(entry.sequence(), (CatalogChange) entry.event()));
        } else {
          AuditEntries.ofBilling(accountOf.apply(journal), entry.sequence(), entry.event()).ifPresent(step::addEntries);
        }
      }
      step.putPositions(journal, entries.get(entries.size() - 1).sequence());
    });
    return step.build();
  }

  /** Applies a step, journaled now or replayed; an entry already indexed is not indexed twice. */
  public void apply(AuditIndexed step) {
    step.getEntriesList().forEach(this::add);
    step.getPositionsMap().forEach((journal, position) -> positions.merge(journal, position, Math::max));
  }

  private void add(AuditEntry entry) {
    Position position = Position.of(entry);
    all.put(position, entry);
    if (!entry.getAccount().isEmpty()) {
      byAccount.computeIfAbsent(entry.getAccount(), account -> new TreeMap<>()).put(position, entry);
    }
    byActor.computeIfAbsent(entry.getActor(), actor -> new TreeMap<>()).put(position, entry);
  }

  /**
   * The page {@code query} asks for. It walks the narrowest order that holds every entry it may
   * show: an account's, else an actor's, else all; only an account's page that also names an
   * actor skips entries (the account's billing actions by the operator).
   */
  public Page page(Query query) {
    NavigableMap<Position, AuditEntry> order = query.account().map(account -> (NavigableMap<Position, AuditEntry>)
            byAccount.getOrDefault(account, new TreeMap<>()))
        .or(() -> query.actor().map(actor -> byActor.getOrDefault(actor, new TreeMap<>())))
        .orElse(all);
    if (query.after().isPresent()) {
      order = order.tailMap(query.after().get(), false);
    }
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
    return new Page(List.copyOf(entries), examined);
  }

  public AuditSnapshot snapshot() {
    return AuditSnapshot.newBuilder().addAllEntries(all.values()).putAllPositions(positions).build();
  }

  public static AuditIndex fromSnapshot(AuditSnapshot snapshot) {
    AuditIndex index = new AuditIndex();
    index.apply(AuditIndexed.newBuilder().addAllEntries(snapshot.getEntriesList())
        .putAllPositions(snapshot.getPositionsMap()).build());
    return index;
  }
}
