package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttemptLogTest {
  private static Attempt attempt(int status) {
    return new Attempt(0, "msg_1", Instant.EPOCH, status, 5, "", "", 1, "t.a:0:1:0", "t.a:0:1:0", Optional.empty(), 1, false);
  }

  private static List<Long> numbers(AttemptLog.Page page) {
    return page.attempts().stream().map(Attempt::number).toList();
  }

  @Test
  void attemptsAreNumberedAndReadNewestFirstAPageAtATime() {
    AttemptLog log = new AttemptLog(10);
    for (int i = 0; i < 5; i++) {
      log.add(attempt(500));
    }
    AttemptLog.Page first = log.page(0, 2);
    assertEquals(List.of(5L, 4L), numbers(first));
    assertTrue(first.more());
    AttemptLog.Page second = log.page(4, 2);
    assertEquals(List.of(3L, 2L), numbers(second));
    AttemptLog.Page last = log.page(2, 2);
    assertEquals(List.of(1L), numbers(last));
    assertFalse(last.more());
  }

  @Test
  void theOldestGoFirstOnceTheLogIsFull() {
    AttemptLog log = new AttemptLog(3);
    for (int i = 0; i < 5; i++) {
      log.add(attempt(200));
    }
    assertEquals(List.of(5L, 4L, 3L), numbers(log.page(0, 10)));
  }

  @Test
  void aWriteWhoseNewestAttemptTheLogHoldsWasAddedAlready() {
    AttemptLog log = new AttemptLog(3);
    Attempt first = new Attempt(0, "msg_1", Instant.EPOCH, 503, 5, "", "", 1, "t.a:0:1:0", "t.a:0:1:0",
        Optional.empty(), 1, false);
    Attempt second = new Attempt(0, "msg_1", Instant.EPOCH.plusMillis(10), 200, 5, "", "", 1, "t.a:0:1:0",
        "t.a:0:1:0", Optional.empty(), 2, false);
    assertFalse(log.added(List.of(first, second)));
    log.add(first);
    log.add(second);
    assertTrue(log.added(List.of(first, second)), "numbered by the log, it is still the same request");
    assertTrue(log.added(List.of(new Attempt(0, "msg_1", Instant.EPOCH.plusMillis(10).plusNanos(999_999), 200, 5, "",
        "", 1, "t.a:0:1:0", "t.a:0:1:0", Optional.empty(), 2, false))), "to the millisecond the journal keeps");
    Attempt third = new Attempt(0, "msg_1", Instant.EPOCH.plusMillis(20), 200, 5, "", "", 1, "t.a:0:1:0",
        "t.a:0:1:0", Optional.empty(), 3, false);
    assertFalse(log.added(List.of(second, third)), "a write whose newest attempt is not held was not added");
    assertFalse(log.added(List.of(new Attempt(0, "msg_1", Instant.EPOCH.plusMillis(10), 200, 5, "", "", 1,
        "t.a:0:1:0", "t.a:0:1:0", Optional.empty(), 2, true))), "a replay is another request");
  }
}
