package io.tollgate.persistence.rocksdb;

import io.tollgate.persistence.contract.EventWriter;
import java.nio.file.Path;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

/**
 * Runs in a separate JVM for {@link CrashDurabilityTest}: persistent actors append events as fast
 * as they can and each acknowledged event is printed as {@code ack <persistenceId> <seqNr>}, until
 * the test kills the process.
 */
public final class CrashWriterMain {

  static final int WRITERS = 8;

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    ActorSystem system = ActorSystem.create("crash-writer", TestStores.config(dir));
    for (int w = 0; w < WRITERS; w++) {
      String persistenceId = "crash-" + w;
      system.actorOf(Props.create(Flood.class, () -> new Flood(persistenceId)));
    }
  }

  /** Keeps one EventWriter busy: the next append is sent as soon as the previous one is acked. */
  static final class Flood extends AbstractActor {
    private final String persistenceId;
    private final ActorRef writer;

    Flood(String persistenceId) {
      this.persistenceId = persistenceId;
      this.writer = getContext().actorOf(EventWriter.props(persistenceId));
    }

    @Override
    public void preStart() {
      writer.tell(new EventWriter.Append(persistenceId + "-1"), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Long.class, seqNr -> {
            System.out.println("ack " + persistenceId + " " + seqNr);
            writer.tell(new EventWriter.Append(persistenceId + "-" + (seqNr + 1)), getSelf());
          })
          .build();
    }
  }
}
