package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.billing.PeriodScheme;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A close tick asks only the accounts with something to close or to confirm. */
class CloseScheduleTest {
  private static final Instant DECEMBER_1 = Instant.parse("2026-12-01T00:00:00Z");
  private final CloseSchedule schedule = new CloseSchedule(PeriodScheme.parse("monthly"), Duration.ofHours(1));

  @Test
  void aPeriodIsDueOnceItsGraceHasPassed() {
    assertEquals(Instant.parse("2026-11-01T00:00:00Z"), schedule.dueThrough(DECEMBER_1.plusSeconds(3599)));
    assertEquals(DECEMBER_1, schedule.dueThrough(DECEMBER_1.plusSeconds(3600)));
  }

  @Test
  void anAccountClosedThroughWhatIsDueAndSettledIsNotAskedAgainUntilTheNextPeriodIsDue() {
    Instant now = DECEMBER_1.plusSeconds(7200);
    List<String> accounts = List.of("acc_closed", "acc_behind", "acc_unsettled", "acc_unheard");
    schedule.heard(new AccountBilling.CloseStatus("acc_closed", DECEMBER_1, true));
    schedule.heard(new AccountBilling.CloseStatus("acc_behind", Instant.parse("2026-11-01T00:00:00Z"), true));
    schedule.heard(new AccountBilling.CloseStatus("acc_unsettled", DECEMBER_1, false));

    assertEquals(List.of("acc_behind", "acc_unsettled", "acc_unheard"), schedule.toAsk(accounts, now));
    assertEquals(accounts, schedule.toAsk(accounts, Instant.parse("2027-01-01T01:00:00Z")), "January's close is due");
  }
}
