package io.tollgate.broker.webhook;

import io.tollgate.broker.position.Cursor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A webhook subscription's dead letters, as its ledger holds them: numbered from 1 in the order
 * they came, at most {@code maxCount} of them and {@code maxBytes} of events. A batch that would
 * pass either bound is refused whole, so its lane holds back as it would without dead letters;
 * an event stored already (by a run that gave up its batch and was stopped before its cursor
 * moved) is not stored twice. The ledger checks a command here, then applies its event.
 */
public final class DeadLetterStore {
  /** Up to {@code limit} letters, oldest first; {@code more}: others follow. */
  public record Page(List<DeadLetter> letters, boolean more) {}

  private final int maxCount;
  private final long maxBytes;
  private final TreeMap<Long, DeadLetter> letters = new TreeMap<>();
  private final Set<Cursor> cursors = new HashSet<>();
  private long bytes;
  private long last;

  public DeadLetterStore(int maxCount, long maxBytes) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  /** The letters not stored yet, numbered as the store would number them. */
  public List<DeadLetter> unstored(List<DeadLetter> offered) {
    List<DeadLetter> fresh = new ArrayList<>();
    Set<Cursor> seen = new HashSet<>(cursors);
    long number = last;
    for (DeadLetter letter : offered) {
      if (seen.add(letter.point().cursor())) {
        fresh.add(letter.numbered(++number));
      }
    }
    return fresh;
  }

  /** Why these letters cannot be stored, if they cannot. */
  public Optional<String> refusal(List<DeadLetter> fresh) {
    long added = fresh.stream().mapToLong(DeadLetter::bytes).sum();
    if (letters.size() + fresh.size() > maxCount) {
      return Optional.of("the dead-letter store holds " + letters.size() + " events, and " + fresh.size()
          + " more would pass its " + maxCount + " (tollgate.webhooks.dead-letters.max-count)");
    }
    if (bytes + added > maxBytes) {
      return Optional.of("the dead-letter store holds " + bytes + " bytes of events, and " + added
          + " more would pass its " + maxBytes + " (tollgate.webhooks.dead-letters.max-bytes)");
    }
    return Optional.empty();
  }

  public void add(Collection<DeadLetter> numbered) {
    for (DeadLetter letter : numbered) {
      letters.put(letter.number(), letter);
      cursors.add(letter.point().cursor());
      bytes += letter.bytes();
      last = Math.max(last, letter.number());
    }
  }

  /** The numbers of the letters the selection takes, oldest first. */
  public List<Long> select(DeadLetterSelection selection) {
    return letters.values().stream().filter(selection::takes).map(DeadLetter::number).toList();
  }

  public void queue(Collection<Long> numbers, boolean queued) {
    numbers.forEach(number -> letters.computeIfPresent(number, (n, letter) -> letter.queued(queued)));
  }

  /** The letters of these numbers the store still holds. */
  public List<DeadLetter> held(Collection<Long> numbers) {
    return numbers.stream().map(letters::get).filter(letter -> letter != null).toList();
  }

  public void remove(Collection<Long> numbers) {
    for (Long number : numbers) {
      DeadLetter removed = letters.remove(number);
      if (removed != null) {
        cursors.remove(removed.point().cursor());
        bytes -= removed.bytes();
      }
    }
  }

  /** Letters numbered above {@code after}, oldest first; {@code queuedOnly}: only those a replay will send. */
  public Page page(long after, int limit, boolean queuedOnly) {
    List<DeadLetter> page = new ArrayList<>();
    for (DeadLetter letter : letters.tailMap(after, false).values()) {
      if (queuedOnly && !letter.queued()) {
        continue;
      }
      if (page.size() == limit) {
        return new Page(List.copyOf(page), true);
      }
      page.add(letter);
    }
    return new Page(List.copyOf(page), false);
  }

  public int count() {
    return letters.size();
  }

  public long bytes() {
    return bytes;
  }

  public long last() {
    return last;
  }

  /** After recovery from a snapshot: the numbering goes on from {@code number}. */
  public void numberedUpTo(long number) {
    last = Math.max(last, number);
  }

  public Collection<DeadLetter> all() {
    return letters.values();
  }
}
