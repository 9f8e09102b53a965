package io.tollgate.broker.webhook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The latest attempts of one webhook subscription (at most {@code capacity}; the oldest go
 * first), numbered from 1 and read newest first a page at a time. Its {@link WebhookLedger} keeps
 * it durable: each attempt is journaled, and a snapshot holds what the log holds.
 */
public final class AttemptLog {
  /** A page, newest first; {@code more}: older attempts are kept. */
  public record Page(List<Attempt> attempts, boolean more) {}

  private final int capacity;
  private final ArrayDeque<Attempt> attempts = new ArrayDeque<>();
  private long last;

  public AttemptLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("an attempt log holds at least one attempt");
    }
    this.capacity = capacity;
  }

  public synchronized Attempt add(Attempt attempt) {
    Attempt numbered = attempt.numbered(++last);
    if (attempts.size() == capacity) {
      attempts.removeFirst();
    }
    attempts.addLast(numbered);
    return numbered;
  }

  /** After recovery from a snapshot: these attempts, numbered, and the numbering goes on from {@code last}. */
  public synchronized void restore(List<Attempt> numbered, long lastNumber) {
    numbered.forEach(attempt -> {
      if (attempts.size() == capacity) {
        attempts.removeFirst();
      }
      attempts.addLast(attempt);
    });
    last = Math.max(last, lastNumber);
  }

  /**
   * Whether a write of {@code written} (oldest first) was added already: a run sends its writes
   * again until the ledger answers, and a write is one journal write, so it was added whole or
   * not at all; its newest attempt is the last of it to leave the log, so the log holds that one
   * as long as it holds any of the write. A run sends one write at a time, so the write's newest
   * attempt is still here when its copy arrives unless {@code capacity} attempts came between.
   */
  public synchronized boolean added(List<Attempt> written) {
    if (written.isEmpty()) {
      return false;
    }
    Attempt newest = written.get(written.size() - 1);
    Iterator<Attempt> newestFirst = attempts.descendingIterator();
    while (newestFirst.hasNext()) {
      if (newestFirst.next().sameRequest(newest)) {
        return true;
      }
    }
    return false;
  }

  public synchronized long last() {
    return last;
  }

  public synchronized List<Attempt> oldestFirst() {
    return List.copyOf(attempts);
  }

  /** Up to {@code limit} attempts numbered below {@code before} (0: from the newest), newest first. */
  public synchronized Page page(long before, int limit) {
    List<Attempt> page = new ArrayList<>(Math.min(limit, attempts.size()));
    Iterator<Attempt> newestFirst = attempts.descendingIterator();
    boolean more = false;
    while (newestFirst.hasNext()) {
      Attempt attempt = newestFirst.next();
      if (before > 0 && attempt.number() >= before) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(attempt);
    }
    return new Page(List.copyOf(page), more);
  }
}
