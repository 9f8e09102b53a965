package io.tollgate.broker.invoicing;

import io.tollgate.billing.PeriodScheme;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which accounts a close tick must ask, from what each answered last: an account that closed
 * every period due and has nothing waiting to be confirmed is not asked again until the next
 * period is due, so a tick costs nothing per settled account, and a sleeping entity is not
 * woken (and recovered) only to say it has nothing to do. What it does not know (an account it
 * never heard from, after the singleton moved) it asks. Plain state, kept by {@link PeriodCloser}.
 */
public final class CloseSchedule {
  private final PeriodScheme periods;
  private final Duration grace;
  private final Map<String, AccountBilling.CloseStatus> lastHeard = new HashMap<>();

  public CloseSchedule(PeriodScheme periods, Duration grace) {
    this.periods = periods;
    this.grace = grace;
  }

  /** Every period that ended at or before this instant is due to be invoiced at {@code now}. */
  public Instant dueThrough(Instant now) {
    return periods.periodOf(now.minus(grace)).start();
  }

  /** The accounts among {@code accounts} that have something to close or to confirm at {@code now}. */
  public List<String> toAsk(Collection<String> accounts, Instant now) {
    Instant due = dueThrough(now);
    return accounts.stream().filter(account -> {
      AccountBilling.CloseStatus status = lastHeard.get(account);
      return status == null || !status.settled() || status.closedThrough().isBefore(due);
    }).toList();
  }

  public void heard(AccountBilling.CloseStatus status) {
    lastHeard.put(status.account(), status);
  }
}
