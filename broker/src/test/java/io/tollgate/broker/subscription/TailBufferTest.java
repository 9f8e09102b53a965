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

  private static List<Long> sequences(TailBuffer.Read read) {
    return assertInstanceOf(TailBuffer.Entries.class, read).entries().stream().map(TailEntry::sequence).toList();
  }

  @Test
  void aBufferNotYetStartedSendsEveryReaderToTheJournalAndKeepsNothing() {
    TailBuffer buffer = new TailBuffer(100);
    buffer.append(entry(1, 10));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(1, 10));
    assertEquals(0, buffer.bytes());
  }

  @Test
  void aReaderGetsTheEntriesFromItsPositionOnThenWaitsAtTheEnd() {
    TailBuffer buffer = new TailBuffer(100);
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
    TailBuffer buffer = new TailBuffer(25);
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
    TailBuffer buffer = new TailBuffer(1_000);
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
    TailBuffer buffer = new TailBuffer(25);
    buffer.startAt(1);
    buffer.append(entry(1, 10));
    buffer.append(entry(2, 1000));
    assertEquals(List.of(2L), sequences(buffer.read(2, 10)));
    assertEquals(1000, buffer.bytes());
  }

  @Test
  void anEntryAlreadyHeldIsIgnoredAndOneAfterAGapStartsTheBufferAfresh() {
    TailBuffer buffer = new TailBuffer(100);
    buffer.startAt(1);
    buffer.append(entry(1, 10));
    buffer.append(entry(1, 10));
    assertEquals(10, buffer.bytes());
    buffer.append(entry(9, 10));
    assertEquals(List.of(9L), sequences(buffer.read(9, 10)));
    assertInstanceOf(TailBuffer.Behind.class, buffer.read(2, 10), "what the journal skipped, it reads there");
  }
}
