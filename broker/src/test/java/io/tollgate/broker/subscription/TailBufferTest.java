package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TailBufferTest {
  private static TailEntry entry(long sequence, long bytes) {
    return new TailEntry(sequence, List.of(), bytes);
  }

  /** A buffer with a budget of its own, which never asks it to evict. */
  private static TailBuffer buffer(long maxBytes) {
    return new TailBuffer(maxBytes, TailBudget.unlimited().join(heapBytes -> new TailBudget.Evicted(0, 0)));
  }

  private static List<Long> sequences(TailBuffer.Read read) {
    return assertInstanceOf(TailBuffer.Entries.class, read).entries().stream().map(TailEntry::sequence).toList();
  }

  @Test
  void aBufferNotYetStartedSendsEveryReaderToTheJournalAndKeepsNothing() {
    TailBuffer buffer = buffer(100);
    buffer.append(entry(1, 10));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(1, 10));
    assertEquals(0, buffer.bytes());
  }

  @Test
  void aReaderGetsTheEntriesFromItsPositionOnThenWaitsAtTheEnd() {
    TailBuffer buffer = buffer(100);
    buffer.startAt(5);
    buffer.append(entry(5, 10));
    buffer.append(entry(6, 10));
    buffer.append(entry(7, 10));
    assertEquals(List.of(6L, 7L), sequences(buffer.read(6, 10)));
    assertEquals(List.of(5L, 6L), sequences(buffer.read(5, 2)), "at most the count asked for");
    assertInstanceOf(TailBuffer.AtEnd.class, buffer.read(8, 10));
    assertInstanceOf(TailBuffer.AtEnd.class, buffer.read(12, 10), "a reader ahead of the buffer waits too");
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(4, 10));
  }

  @Test
  void theOldestEntriesGoOnceTheBytesPassTheBoundAndTheirReadersAreSentToTheJournal() {
    TailBuffer buffer = buffer(25);
    buffer.startAt(1);
    for (long sequence = 1; sequence <= 200; sequence++) {
      buffer.append(entry(sequence, 10));
      assertTrue(buffer.bytes() <= 25, "bounded in bytes: " + buffer.bytes());
    }
    assertEquals(List.of(199L, 200L), sequences(buffer.read(199, 10)));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(198, 10));
    assertEquals(201, buffer.next());
  }

  @Test
  void entriesNoReaderNeedsAreDroppedAndTheBufferGoesOnFromWhereItStands() {
    TailBuffer buffer = buffer(1_000);
    buffer.startAt(1);
    for (long sequence = 1; sequence <= 100; sequence++) {
      buffer.append(entry(sequence, 10));
    }
    buffer.dropBefore(98);
    assertEquals(30, buffer.bytes());
    assertEquals(List.of(98L, 99L, 100L), sequences(buffer.read(98, 10)));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(97, 10), "a reader before it reads the journal");
    assertEquals(101, buffer.next());

    buffer.dropBefore(Long.MAX_VALUE);
    assertEquals(0, buffer.bytes());
    assertEquals(101, buffer.next(), "all dropped, it still starts where the next write will be");
    assertInstanceOf(TailBuffer.AtEnd.class, buffer.read(101, 10));
    buffer.append(entry(101, 10));
    assertEquals(List.of(101L), sequences(buffer.read(101, 10)));
  }

  @Test
  void theNewestEntryIsKeptHoweverLarge() {
    TailBuffer buffer = buffer(25);
    buffer.startAt(1);
    buffer.append(entry(1, 10));
    buffer.append(entry(2, 1000));
    assertEquals(List.of(2L), sequences(buffer.read(2, 10)));
    assertEquals(1000, buffer.bytes());
  }

  @Test
  void anEntryAlreadyHeldIsIgnoredAndOneAfterAGapStartsTheBufferAfresh() {
    TailBuffer buffer = buffer(100);
    buffer.startAt(1);
    buffer.append(entry(1, 10));
    buffer.append(entry(1, 10));
    assertEquals(10, buffer.bytes());
    buffer.append(entry(9, 10));
    assertEquals(List.of(9L), sequences(buffer.read(9, 10)));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(2, 10), "what the journal skipped, it reads there");
  }

  @Test
  void theHeapOfTheEntriesHeldIsChargedToTheBuffersShareAndGivenBackAsTheyGo() {
    TailBudget budget = TailBudget.unlimited();
    TailBuffer buffer = new TailBuffer(1_000, budget.join(heapBytes -> new TailBudget.Evicted(0, 0)));
    buffer.startAt(1);
    List<TailEntry> held = List.of(entry(1, 10), entry(2, 10), entry(3, 10));
    held.forEach(buffer::append);
    long each = held.get(0).heap().bytes();
    assertTrue(each > 10, "an entry counts what its objects take, not its stored bytes: " + each);
    assertEquals(3 * each, buffer.heapBytes());
    assertEquals(3 * each, budget.usedBytes());

    held.get(2).heap().add(500);
    assertEquals(3 * each + 500, budget.usedBytes(), "a piece rendered from a held entry is charged as it is kept");
    buffer.dropBefore(3);
    assertEquals(each + 500, budget.usedBytes());
    held.get(0).heap().add(500);
    assertEquals(each + 500, budget.usedBytes(), "one no longer held is charged to no one");

    buffer.append(entry(9, 10));
    assertEquals(each, budget.usedBytes(), "a gap gives back all the buffer held");
    buffer.dropAll();
    assertEquals(0, budget.usedBytes());
    assertEquals(0, buffer.bytes());
  }

  @Test
  void evictingGivesBackTheOldestEntriesUntilEnoughHeapIsFreedAndTheBufferGoesOn() {
    TailBuffer buffer = buffer(1_000_000);
    buffer.startAt(1);
    for (long sequence = 1; sequence <= 10; sequence++) {
      buffer.append(entry(sequence, 10));
    }
    long each = buffer.heapBytes() / 10;
    TailBudget.Evicted evicted = buffer.evictOldest(2 * each + 1);
    assertEquals(new TailBudget.Evicted(3, 3 * each), evicted, "whole entries, oldest first, until enough is freed");
    assertEquals(List.of(4L, 5L), sequences(buffer.read(4, 2)));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(3, 10), "its readers read the journal");
    assertEquals(70, buffer.bytes());

    assertEquals(7, buffer.evictOldest(Long.MAX_VALUE).entries());
    assertEquals(0, buffer.heapBytes());
    assertEquals(11, buffer.next(), "emptied, it goes on where the next write will be");
    assertInstanceOf(TailBuffer.AtEnd.class, buffer.read(11, 10));
    assertEquals(0, buffer.evictOldest(100).entries());
    buffer.append(entry(11, 10));
    assertEquals(List.of(11L), sequences(buffer.read(11, 10)));
  }
}
