package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The deduplication window alone: time, the byte cap, and a model it must agree with. */
class DedupWindowTest {
  private static final long SPAN = Duration.ofMinutes(10).toMillis();
  private static final long T0 = 1_700_000_000_000L;

  private static DedupWindow.Key key(String id) {
    return DedupWindow.Key.of("/src", id);
  }

  private static List<DedupWindow.Key> keys(String... ids) {
    return java.util.Arrays.stream(ids).map(DedupWindowTest::key).toList();
  }

  @Test
  void aStoredEventIsFoundAtItsPositionUntilTheSpanHasPassed() {
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(SPAN), 1 << 20));
    window.add(1, 0, T0, keys("a", "b"));
    window.add(2, 2, T0 + 1000, keys("c"));
    assertEquals(new StoredPosition(1, 1, 1, true), window.find(key("b"), T0 + SPAN));
    assertEquals(new StoredPosition(2, 2, 0, true), window.find(key("c"), T0 + SPAN));
    assertNull(window.find(key("b"), T0 + SPAN + 1), "stored more than the span ago");
    assertEquals(new StoredPosition(2, 2, 0, true), window.find(key("c"), T0 + SPAN + 1));
    assertNull(window.find(key("d"), T0));
  }

  @Test
  void theSameIdFromAnotherSourceAndSplitsOfTheSameCharactersAreOtherKeys() {
    assertNotEquals(DedupWindow.Key.of("a", "1"), DedupWindow.Key.of("b", "1"));
    assertNotEquals(DedupWindow.Key.of("ab", "c"), DedupWindow.Key.of("a", "bc"));
    assertEquals(DedupWindow.Key.of("a", "bc"), DedupWindow.Key.of("a", "bc"));
  }

  @Test
  void entriesOlderThanTheSpanBeforeTheNewestLeaveAsTheNewestArrives() {
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(SPAN), 1 << 20));
    window.add(1, 0, T0, keys("a"));
    window.add(2, 1, T0 + SPAN + 1, keys("b"));
    assertEquals(1, window.eventCount());
    assertEquals(2, window.firstSequence());
    assertEquals(SPAN, window.reachMillis(T0 + SPAN + 1), "time, not the cap, removed it");
  }

  @Test
  void whenTheByteCapIsReachedBeforeTheSpanTheOldestEntriesLeaveAndTheReachShrinks() {
    long cap = DedupWindow.countedBytes(6, 3);
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(SPAN), cap));
    for (int entry = 0; entry < 5; entry++) {
      window.add(entry + 1, 2L * entry, T0 + 1000L * entry, keys("e" + (2 * entry), "e" + (2 * entry + 1)));
    }
    assertEquals(6, window.eventCount(), "three entries of two events fit in the cap");
    assertTrue(window.countedBytes() <= cap);
    assertEquals(3, window.firstSequence());
    assertNull(window.find(key("e3"), T0 + 4000), "entry 2 left for the cap");
    assertEquals(new StoredPosition(4, 3, 0, true), window.find(key("e4"), T0 + 4000));
    assertEquals(4000 - 1000 - 1, window.reachMillis(T0 + 4000), "back to just after entry 2 was appended");
    assertEquals(SPAN, window.reachMillis(T0 + 1000 + SPAN + 1), "once the span has passed entry 2, the cap cost nothing");
  }

  @Test
  void theNewestEntryStaysEvenWhenItAloneCountsMoreThanTheCap() {
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(SPAN), DedupWindow.countedBytes(2, 1)));
    window.add(1, 0, T0, keys("a"));
    window.add(2, 1, T0 + 1, keys("b", "c", "d"));
    assertNull(window.find(key("a"), T0 + 1));
    assertEquals(new StoredPosition(3, 2, 2, true), window.find(key("d"), T0 + 1));
  }

  @Test
  void anIdlePartitionLetsGoOfWhatTheSpanHasPassed() {
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(SPAN), 1 << 20));
    window.add(1, 0, T0, keys("a", "b"));
    window.add(2, 2, T0 + 5000, keys("c"));
    window.expire(T0 + SPAN + 1);
    assertEquals(1, window.eventCount());
    window.expire(T0 + 5000 + SPAN + 1);
    assertEquals(0, window.eventCount());
    assertEquals(0, window.countedBytes());
    window.add(3, 3, T0 + 2 * SPAN, keys("d"));
    assertEquals(new StoredPosition(3, 3, 0, true), window.find(key("d"), T0 + 2 * SPAN));
  }

  @Test
  void anEntryThatDoesNotFollowTheLastStartsTheWindowOver() {
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(SPAN), 1 << 20));
    window.add(1, 0, T0, keys("a"));
    window.add(5, 9, T0, keys("b"));
    assertNull(window.find(key("a"), T0));
    assertEquals(new StoredPosition(9, 5, 0, true), window.find(key("b"), T0));
  }

  /** One journal entry as a test writes it: how long after the previous one, and its ids. */
  record Entry(int afterMillis, List<String> ids) {}

  @Provide
  Arbitrary<List<Entry>> journals() {
    Arbitrary<List<String>> ids = Arbitraries.integers().between(0, 30).map(id -> "id" + id).list().ofMinSize(1).ofMaxSize(6);
    return Combinators.combine(Arbitraries.integers().between(0, 400), ids).as(Entry::new).list().ofMaxSize(60);
  }

  /**
   * The window answers as a naive model does: the longest run of newest entries that is within
   * the span of the newest and counts at most the cap; in it, a key's newest occurrence, if
   * appended within the span before the question.
   */
  @Property
  void answersAsTheNaiveModel(@ForAll("journals") List<Entry> journal, @ForAll @IntRange(min = 1, max = 40) int capEvents,
                              @ForAll @IntRange(min = 0, max = 1500) int askedAfter) {
    long span = 1000;
    long cap = DedupWindow.countedBytes(capEvents, 0) + DedupWindow.ENTRY_BYTES * 6;
    DedupWindow window = new DedupWindow(new DedupWindow.Settings(Duration.ofMillis(span), cap));
    List<Written> written = write(journal, window, 0);
    long newest = written.isEmpty() ? T0 : written.get(written.size() - 1).appendedAt();
    long now = newest + askedAfter;
    List<Written> kept = new ArrayList<>();
    long counted = 0;
    for (int index = written.size() - 1; index >= 0; index--) {
      Written entry = written.get(index);
      counted += DedupWindow.countedBytes(entry.ids().size(), 1);
      if (entry.appendedAt() < newest - span || (counted > cap && !kept.isEmpty())) {
        break;
      }
      kept.add(0, entry);
    }
    for (int id = 0; id <= 30; id++) {
      assertEquals(modelFind(kept, "id" + id, now, span), window.find(key("id" + id), now), "id" + id);
    }
    assertTrue(window.countedBytes() <= cap || kept.size() == 1);
  }

  /**
   * A window rebuilt from any entry at or before the oldest one it holds answers as the window
   * that saw the whole journal: what a restart or a move to another node relies on.
   */
  @Property
  void aWindowRebuiltFromAnyEarlierEntryAnswersTheSame(@ForAll("journals") List<Entry> journal,
                                                       @ForAll @IntRange(min = 1, max = 40) int capEvents,
                                                       @ForAll @IntRange(min = 0, max = 59) int startBack) {
    DedupWindow.Settings settings = new DedupWindow.Settings(Duration.ofMillis(1000),
        DedupWindow.countedBytes(capEvents, 6));
    DedupWindow original = new DedupWindow(settings);
    List<Written> written = write(journal, original, 0);
    if (written.isEmpty()) {
      return;
    }
    int oldestKept = (int) (original.eventCount() == 0 ? written.size() - 1 : original.firstSequence() - 1);
    int from = Math.max(0, oldestKept - startBack);
    DedupWindow rebuilt = new DedupWindow(settings);
    for (Written entry : written.subList(from, written.size())) {
      rebuilt.add(entry.sequence(), entry.firstOffset(), entry.appendedAt(), keys(entry.ids().toArray(String[]::new)));
    }
    long now = written.get(written.size() - 1).appendedAt();
    for (int id = 0; id <= 30; id++) {
      assertEquals(original.find(key("id" + id), now), rebuilt.find(key("id" + id), now), "id" + id);
    }
    assertEquals(original.countedBytes(), rebuilt.countedBytes());
  }

  private record Written(long sequence, long firstOffset, long appendedAt, List<String> ids) {}

  private static List<Written> write(List<Entry> journal, DedupWindow window, long firstOffset) {
    List<Written> written = new ArrayList<>();
    long offset = firstOffset;
    long time = T0;
    for (Entry entry : journal) {
      time += entry.afterMillis();
      Written one = new Written(written.size() + 1, offset, time, entry.ids());
      window.add(one.sequence(), one.firstOffset(), one.appendedAt(), keys(entry.ids().toArray(String[]::new)));
      written.add(one);
      offset += entry.ids().size();
    }
    return written;
  }

  private static StoredPosition modelFind(List<Written> kept, String id, long now, long span) {
    for (int entry = kept.size() - 1; entry >= 0; entry--) {
      Written written = kept.get(entry);
      int index = written.ids().lastIndexOf(id);
      if (index >= 0) {
        return written.appendedAt() < now - span ? null
            : new StoredPosition(written.firstOffset() + index, written.sequence(), index, true);
      }
    }
    return null;
  }
}
