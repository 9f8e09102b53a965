package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private static DeadLetter letter(int partition, long sequence, int index, Instant deadAt) {
    return new DeadLetter(0, new AckPoint(new Cursor("shop.orders", partition, sequence, index), sequence * 10 + index),
        CloudEvent.newBuilder().setId("e-" + partition + "-" + sequence + "-" + index).setSource("/s").setType("t")
            .setSpecVersion("1.0").build(), T0, deadAt, "status 500", false);
  }

  private static DeadLetterStore storing(DeadLetterStore store, List<DeadLetter> letters) {
    List<DeadLetter> fresh = store.unstored(letters);
    assertTrue(store.refusal(fresh).isEmpty());
    store.add(fresh);
    return store;
  }

  @Test
  void lettersAreNumberedInTheOrderTheyCameAndAnEventIsNeverStoredTwice() {
    DeadLetterStore store = storing(new DeadLetterStore(10, 1 << 20), List.of(letter(0, 1, 0, T0), letter(0, 1, 1, T0)));
    List<DeadLetter> again = store.unstored(List.of(letter(0, 1, 1, T0), letter(0, 2, 0, T0)));
    assertEquals(1, again.size(), "the event stored already is left out");
    assertEquals(3, again.get(0).number());
    store.add(again);
    assertEquals(List.of(1L, 2L, 3L), store.select(DeadLetterSelection.ALL));
  }

  @Test
  void aBatchThatWouldPassTheCountOrTheBytesIsRefusedWhole() {
    DeadLetterStore byCount = storing(new DeadLetterStore(2, 1 << 20), List.of(letter(0, 1, 0, T0)));
    assertTrue(byCount.refusal(byCount.unstored(List.of(letter(0, 2, 0, T0), letter(0, 2, 1, T0)))).isPresent());
    DeadLetter one = letter(0, 1, 0, T0);
    DeadLetterStore byBytes = new DeadLetterStore(100, one.bytes() * 2 - 1);
    storing(byBytes, List.of(one));
    assertTrue(byBytes.refusal(byBytes.unstored(List.of(letter(0, 2, 0, T0)))).orElseThrow().contains("max-bytes"));
    assertEquals(one.bytes(), byBytes.bytes());
  }

  @Test
  void aSelectionTakesATimeRangeOrACursorRangeOfOnePartitionOrOneNumber() {
    DeadLetterStore store = storing(new DeadLetterStore(10, 1 << 20), List.of(letter(0, 1, 0, T0),
        letter(1, 1, 0, T0.plusSeconds(10)), letter(0, 2, 0, T0.plusSeconds(20)), letter(0, 3, 0, T0.plusSeconds(30))));
    assertEquals(List.of(2L, 3L), store.select(new DeadLetterSelection(Optional.of(T0.plusSeconds(10)),
        Optional.of(T0.plusSeconds(30)), Optional.empty(), Optional.empty(), 0)));
    assertEquals(List.of(3L, 4L), store.select(new DeadLetterSelection(Optional.empty(), Optional.empty(),
        Optional.of(new Cursor("shop.orders", 0, 2, 0)), Optional.of(new Cursor("shop.orders", 0, 3, 0)), 0)));
    assertEquals(List.of(2L), store.select(DeadLetterSelection.one(2)));
  }

  @Test
  void queuedLettersArePagedForReplayAndRemovedOnesFreeTheirRoom() {
    DeadLetterStore store = storing(new DeadLetterStore(3, 1 << 20), List.of(letter(0, 1, 0, T0), letter(0, 2, 0, T0),
        letter(0, 3, 0, T0)));
    store.queue(List.of(1L, 3L), true);
    DeadLetterStore.Page queued = store.page(0, 1, true);
    assertEquals(1, queued.letters().get(0).number());
    assertTrue(queued.more());
    assertEquals(3, store.page(1, 10, true).letters().get(0).number());
    store.remove(List.of(1L, 3L));
    assertEquals(1, store.count());
    assertFalse(store.page(0, 10, true).more());
    assertTrue(store.page(0, 10, true).letters().isEmpty());
    assertTrue(store.refusal(store.unstored(List.of(letter(0, 1, 0, T0), letter(0, 3, 0, T0)))).isEmpty(),
        "removed letters free their room, and their events may come again");
  }
}
