package io.tollgate.persistence.rocksdb;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpaceReclaimTest {

  private static final int EVENT_BYTES = 4096;
  private static final int EVENTS = 8192; // 32 MiB

  private final Path dir = TestStores.newDir("space");

  @AfterEach
  void deleteStore() {
    TestStores.deleteRecursively(dir);
  }

  @Test
  void deletingEventsGivesTheirDiskSpaceBack() throws Exception {
    ActorSystem system = ActorSystem.create("space-test", TestStores.config(dir));
    try {
      RocksDbStore store = RocksDbStore.get(system);
      // Random bytes, so that compression cannot hide how much is stored.
      Random random = new Random(42);
      for (int first = 1; first <= EVENTS; first += 512) {
        List<RocksDbStore.EventWrite> events = new ArrayList<>();
        for (int seqNr = first; seqNr < first + 512; seqNr++) {
          byte[] value = new byte[EVENT_BYTES];
          random.nextBytes(value);
          events.add(new RocksDbStore.EventWrite("big", seqNr, value));
        }
        store.writeEvents(events).get();
      }
      store.writeEvents(List.of(new RocksDbStore.EventWrite("small", 1, new byte[16]))).get();
      store.compact();
      long dataBefore = store.liveDataBytes();
      long dirBefore = TestStores.sizeOf(dir);
      assertTrue(dataBefore > EVENTS * EVENT_BYTES * 0.9, () -> "only " + dataBefore + " bytes stored");

      store.deleteEventsTo("big", Long.MAX_VALUE).get();

      // The compaction that compact-after-delete schedules drops the deleted data by itself.
      await().atMost(Duration.ofSeconds(30))
          .until(() -> store.liveDataBytes() < dataBefore / 10);
      // A full compaction also retires the WAL that still holds the deleted events.
      store.compact();
      await().atMost(Duration.ofSeconds(30)).until(() -> TestStores.sizeOf(dir) < dirBefore / 4);
      System.out.printf("space: data %d -> %d bytes, directory %d -> %d bytes%n",
          dataBefore, store.liveDataBytes(), dirBefore, TestStores.sizeOf(dir));
      assertEquals(EVENTS, store.highestSequenceNr("big"));
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }
}
