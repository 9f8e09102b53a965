package io.tollgate.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.persistence.contract.EventWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RocksDbJournalTest {

  private final Path dir = TestStores.newDir("journal");

  @AfterEach
  void deleteStore() {
    TestStores.deleteRecursively(dir);
  }

  @Test
  void replaysAfterReopeningAndKeepsTheHighestSequenceNrAfterDeletingEverything() {
    List<String> written = IntStream.rangeClosed(1, 100).mapToObj(i -> "e-" + i).toList();
    withSystem(system -> {
      TestKit probe = new TestKit(system);
      ActorRef writer = system.actorOf(EventWriter.props("reopen-1"));
      written.forEach(event -> writer.tell(new EventWriter.Append(event), probe.getRef()));
      for (long seqNr = 1; seqNr <= written.size(); seqNr++) {
        probe.expectMsg(seqNr);
      }
    });

    withSystem(system -> {
      TestKit probe = new TestKit(system);
      ActorRef writer = system.actorOf(EventWriter.props("reopen-1"));
      writer.tell(EventWriter.GetState.INSTANCE, probe.getRef());
      probe.expectMsg(new EventWriter.State(written, 100L));
      writer.tell(EventWriter.DeleteAll.INSTANCE, probe.getRef());
      probe.expectMsgClass(DeleteMessagesSuccess.class);
    });

    withSystem(system -> {
      TestKit probe = new TestKit(system);
      ActorRef writer = system.actorOf(EventWriter.props("reopen-1"));
      writer.tell(EventWriter.GetState.INSTANCE, probe.getRef());
      probe.expectMsg(new EventWriter.State(List.of(), 100L));
      writer.tell(new EventWriter.Append("after-delete"), probe.getRef());
      probe.expectMsg(101L);
    });
  }

  @Test
  void concurrentWritesShareSyncedCommits() {
    int writers = 100;
    int eventsPerWriter = 20;
    withSystem(system -> {
      RocksDbStore store = RocksDbStore.get(system);
      TestKit probe = new TestKit(system);
      List<ActorRef> actors = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        actors.add(system.actorOf(EventWriter.props("group-" + w)));
      }
      long commitsBefore = store.syncCommitCount();
      long writesBefore = store.committedWriteCount();
      for (int i = 0; i < eventsPerWriter; i++) {
        for (ActorRef actor : actors) {
          actor.tell(new EventWriter.Append("e-" + i), probe.getRef());
        }
      }
      probe.receiveN(writers * eventsPerWriter, Duration.ofSeconds(60));

      long commits = store.syncCommitCount() - commitsBefore;
      long writes = store.committedWriteCount() - writesBefore;
      System.out.printf("group commit: %d write requests in %d synced commits (%.1f per commit)%n",
          writes, commits, (double) writes / commits);
      assertEquals(writers * eventsPerWriter, writes);
      assertTrue(commits * 4 <= writes, () -> commits + " commits for " + writes + " writes");
    });
  }

  private void withSystem(Consumer<ActorSystem> body) {
    ActorSystem system = ActorSystem.create("journal-test", TestStores.config(dir));
    try {
      body.accept(system);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }
}
