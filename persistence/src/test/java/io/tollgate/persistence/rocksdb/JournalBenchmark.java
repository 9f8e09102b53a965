package io.tollgate.persistence.rocksdb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.testkit.javadsl.TestKit;

/**
 * Throughput of the journal through real persistent actors, not a test. Run after
 * {@code ./mvnw -B -pl persistence test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test} with
 * {@code java -cp persistence/target/classes:persistence/target/test-classes:$(cat
 * persistence/target/cp.txt) io.tollgate.persistence.rocksdb.JournalBenchmark [events]}.
 */
public final class JournalBenchmark {

  private static final String PAYLOAD = "x".repeat(64);

  private record Write(int events) {}

  /** Persists {@code events} events per command, one persistAll; replies when all are stored. */
  private static final class Writer extends AbstractPersistentActor {
    private final String persistenceId;
    private final ActorRef recoveryListener;
    private long recovered;

    Writer(String persistenceId, ActorRef recoveryListener) {
      this.persistenceId = persistenceId;
      this.recoveryListener = recoveryListener;
    }

    @Override
    public String persistenceId() {
      return persistenceId;
    }

    @Override
    public Receive createReceiveRecover() {
      return receiveBuilder()
          .match(String.class, event -> recovered++)
          .match(RecoveryCompleted.class, done -> recoveryListener.tell(recovered, getSelf()))
          .build();
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Write.class, write -> {
            ActorRef replyTo = getSender();
            List<String> events = Collections.nCopies(write.events(), PAYLOAD);
            int[] stored = {0};
            persistAll(events, event -> {
              if (++stored[0] == write.events()) {
                replyTo.tell(lastSequenceNr(), getSelf());
              }
            });
          })
          .build();
    }
  }

  public static void main(String[] args) {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path dir = TestStores.newDir("benchmark");
    try {
      ActorSystem system = ActorSystem.create("benchmark", TestStores.config(dir));
      try {
        TestKit probe = new TestKit(system);
        RocksDbStore store = RocksDbStore.get(system);

        ActorRef single = writer(system, probe, "single");
        int singles = Math.min(events, 5_000);
        report(store, "1 actor, persist per command", singles, () -> {
          for (int i = 0; i < singles; i++) {
            single.tell(new Write(1), probe.getRef());
            probe.expectMsgClass(Duration.ofSeconds(30), Long.class);
          }
        });

        List<ActorRef> actors = new ArrayList<>();
        for (int a = 0; a < 64; a++) {
          actors.add(writer(system, probe, "concurrent-" + a));
        }
        report(store, "64 actors, persist per command", events, () -> {
          for (int i = 0; i < events / actors.size(); i++) {
            actors.forEach(actor -> actor.tell(new Write(1), probe.getRef()));
          }
          probe.receiveN(events / actors.size() * actors.size(), Duration.ofMinutes(5));
        });

        ActorRef batched = writer(system, probe, "batched");
        report(store, "1 actor, persistAll of 100", events, () -> {
          for (int i = 0; i < events / 100; i++) {
            batched.tell(new Write(100), probe.getRef());
            probe.expectMsgClass(Duration.ofSeconds(30), Long.class);
          }
        });

        long start = System.nanoTime();
        system.actorOf(Props.create(Writer.class, () -> new Writer("batched", probe.getRef())));
        long replayed = probe.expectMsgClass(Duration.ofMinutes(5), Long.class);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-34s %,10.0f events/s (%d events)%n", "replay", replayed / seconds, replayed);
      } finally {
        TestKit.shutdownActorSystem(system);
      }
    } finally {
      TestStores.deleteRecursively(dir);
    }
  }

  private static ActorRef writer(ActorSystem system, TestKit probe, String persistenceId) {
    ActorRef writer = system.actorOf(
        Props.create(Writer.class, () -> new Writer(persistenceId, probe.getRef())));
    probe.expectMsg(0L);
    return writer;
  }

  private static void report(RocksDbStore store, String name, int events, Runnable run) {
    long commits = store.syncCommitCount();
    long start = System.nanoTime();
    run.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%-34s %,10.0f events/s (%d events, %d synced commits)%n",
        name, events / seconds, events, store.syncCommitCount() - commits);
  }
}
