package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.billing.PeriodScheme;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BillingSettingsTest {
  @Test
  void aNegativeGraceIsRefusedAtStart() {
    assertThrows(IllegalArgumentException.class,
        () -> new AccountBilling.Settings(PeriodScheme.parse("PT1H"), Duration.ofMinutes(-1), Duration.ofSeconds(10), 100, 1000));
  }

  @Test
  void aTimeoutOfZeroIsRefusedAtStart() {
    assertThrows(IllegalArgumentException.class,
        () -> new AccountBilling.Settings(PeriodScheme.parse("PT1H"), Duration.ZERO, Duration.ZERO, 100, 1000));
  }
}
