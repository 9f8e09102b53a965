package io.tollgate.broker.invoicing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which journal reads of an account's billing are running, and who waits for which. A waiter is
 * answered by the first read that started after it asked, never later: wake-ups that keep
 * arriving during a busy stream make another read, but do not keep earlier waiters waiting. A
 * failed read answers every waiter of its journal with the failure and forgets them, so nothing
 * is left behind. Plain, so that these rules have plain tests; {@link AccountBilling} starts the
 * reads it is told to.
 */
final class FeedRuns {
  private final Map<String, Run> running = new HashMap<>();

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
   * @return true when a read must start now; false when one is running (another follows it)
   */
  boolean request(String journal, Gather waiter) {
    Run run = running.get(journal);
    if (run == null) {
      run = new Run();
      run.current.add(waiter);
      running.put(journal, run);
      return true;
    }
    run.again = true;
    run.next.add(waiter);
    return false;
  }

  /**
   * A read of {@code journal} ended; answers its waiters.
   *
   * @return true when another read must start now, for the requests that came during this one
   */
  boolean finished(String journal, boolean ok) {
    Run run = running.get(journal);
    if (run == null) {
      return false;
    }
    List<Gather> answered = run.current;
    boolean again = ok && run.again;
    if (again) {
      run.current = run.next;
      run.next = new ArrayList<>();
      run.again = false;
    } else {
      running.remove(journal);
      answered.addAll(run.next);
    }
    answered.forEach(waiter -> waiter.journalRead(ok));
    return again;
  }

  boolean isRunning(String journal) {
    return running.containsKey(journal);
  }

  /** How many journals are being read now. */
  int running() {
    return running.size();
  }
}
