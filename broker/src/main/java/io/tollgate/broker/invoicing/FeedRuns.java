package io.tollgate.broker.invoicing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which journal reads of an account's billing are running, and who waits for which. A waiter is
 * answered by the first read that started after it asked, never later: wake-ups that keep
 * arriving during a busy stream make another read, but do not keep earlier waiters waiting. A
 * failed read answers every waiter of its journal with the failure and forgets them, so nothing
 * is left behind. At most {@code maxRunning} journals are read at once; the others wait their
 * turn in the order asked. Plain, so that these rules have plain tests; {@link AccountBilling}
 * starts the reads it is told to.
 */
final class FeedRuns {
  private final int maxRunning;
  private final Map<String, Run> running = new HashMap<>();
  /** Journals asked for while {@code maxRunning} others were read, in the order asked. */
  private final LinkedHashMap<String, Run> waiting = new LinkedHashMap<>();

  FeedRuns(int maxRunning) {
    if (maxRunning < 1) {
      throw new IllegalArgumentException("at least one read must run: " + maxRunning);
    }
    this.maxRunning = maxRunning;
  }

  private static final class Run {
    List<Gather> current = new ArrayList<>();
    List<Gather> next = new ArrayList<>();
    boolean again;
  }

  /**
   * Waits for a set of journals to be read to their ends, then tells {@code whenAllRead} whether
   * every read succeeded.
   */
  static final class Gather {
    private int left;
    private boolean failed;
    private final Consumer<Boolean> whenAllRead;

    Gather(int journals, Consumer<Boolean> whenAllRead) {
      if (journals < 1) {
        throw new IllegalArgumentException("a gather waits for at least one journal: " + journals);
      }
      this.left = journals;
      this.whenAllRead = whenAllRead;
    }

    private void journalRead(boolean ok) {
      failed |= !ok;
      if (--left == 0) {
        whenAllRead.accept(!failed);
      }
    }
  }

  /**
   * Asks for {@code journal} to be read to its end for {@code waiter}.
   *
   * @return true when a read must start now; false when one is running (another follows it) or
   *     the journal waits for its turn
   */
  boolean request(String journal, Gather waiter) {
    Run run = running.get(journal);
    if (run != null) {
      run.again = true;
      run.next.add(waiter);
      return false;
    }
    Run queued = waiting.get(journal);
    if (queued != null) {
      queued.current.add(waiter);
      return false;
    }
    Run fresh = new Run();
    fresh.current.add(waiter);
    if (running.size() < maxRunning) {
      running.put(journal, fresh);
      return true;
    }
    waiting.put(journal, fresh);
    return false;
  }

  /**
   * A read of {@code journal} ended; answers its waiters.
   *
   * @return the journals whose reads must start now: this one again, for the requests that came
   *     during its read, and those whose turn came
   */
  List<String> finished(String journal, boolean ok) {
    Run run = running.get(journal);
    if (run == null) {
      return List.of();
    }
    List<String> start = new ArrayList<>();
    List<Gather> answered = run.current;
    if (ok && run.again) {
      run.current = run.next;
      run.next = new ArrayList<>();
      run.again = false;
      start.add(journal);
    } else {
      running.remove(journal);
      answered.addAll(run.next);
    }
    answered.forEach(waiter -> waiter.journalRead(ok));
    Iterator<Map.Entry<String, Run>> turns = waiting.entrySet().iterator();
    while (running.size() < maxRunning && turns.hasNext()) {
      Map.Entry<String, Run> turn = turns.next();
      turns.remove();
      running.put(turn.getKey(), turn.getValue());
      start.add(turn.getKey());
    }
    return start;
  }

  /** Whether a read of {@code journal} could start now: none runs or waits, and there is room. */
  boolean canStart(String journal) {
    return running.size() < maxRunning && !running.containsKey(journal) && !waiting.containsKey(journal);
  }

  /** How many journals are being read now. */
  int running() {
    return running.size();
  }
}
