package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnouncedWritesTest {
  private static PartitionAdvanced entry(String journal, long sequence) {
    return PartitionAdvanced.newBuilder().setPersistenceId(journal).setSequenceNr(sequence).setEvents(1).build();
  }

  private static List<Long> sequences(List<PartitionAdvanced> entries) {
    return entries.stream().map(PartitionAdvanced::getSequenceNr).toList();
  }

  @Test
  void entriesComeBackInSequenceOrderAfterThePositionAndOnlyOnce() {
    AnnouncedWrites writes = new AnnouncedWrites(10);
    writes.add(entry("p-0", 7), 4);
    writes.add(entry("p-0", 5), 4);
    writes.add(entry("p-0", 6), 4);
    writes.add(entry("p-0", 6), 4);
    writes.add(entry("p-1", 2), 0);
    assertEquals(List.of(6L, 7L), sequences(writes.takeAfter("p-0", 5)), "5 was metered meanwhile; 6 is kept once");
    assertFalse(writes.journals().contains("p-0"));
    assertEquals(List.of("p-1"), writes.journals(), "another journal's are its own");
    assertEquals(List.of(), writes.takeAfter("p-0", 5));
  }

  @Test
  void anEntryAtOrBeforeThePositionIsNotKept() {
    AnnouncedWrites writes = new AnnouncedWrites(10);
    writes.add(entry("p-0", 3), 3);
    assertFalse(writes.journals().contains("p-0"));
  }

  @Test
  void pastTheBoundAnnouncementsAreDroppedWhichLeavesAGap() {
    AnnouncedWrites writes = new AnnouncedWrites(2);
    writes.add(entry("p-0", 1), 0);
    writes.add(entry("p-0", 2), 0);
    writes.add(entry("p-0", 3), 0);
    writes.add(entry("p-0", 4), 0);
    List<PartitionAdvanced> kept = writes.takeAfter("p-0", 0);
    assertEquals(List.of(1L, 2L), sequences(kept));
    assertTrue(AnnouncedWrites.followOn(0, kept));
    assertFalse(AnnouncedWrites.followOn(2, List.of(entry("p-0", 4))), "3 was dropped: a gap, read from the journal");
  }

  @Test
  void entriesFollowOnOnlyFromTheNextSequenceWithoutHoles() {
    assertTrue(AnnouncedWrites.followOn(4, List.of(entry("p", 5), entry("p", 6))));
    assertFalse(AnnouncedWrites.followOn(4, List.of(entry("p", 6))));
    assertFalse(AnnouncedWrites.followOn(4, List.of(entry("p", 5), entry("p", 7))));
    assertTrue(AnnouncedWrites.followOn(4, List.of()));
  }
}
