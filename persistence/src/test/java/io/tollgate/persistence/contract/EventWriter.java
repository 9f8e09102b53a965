package io.tollgate.persistence.contract;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;

/** A persistent actor whose events are Strings; it acknowledges each with its sequence number. */
public final class EventWriter extends AbstractPersistentActor {

  /** Persist {@code event}; replies with the event's sequence number once it is stored. */
  public record Append(String event) {}

  /** Persist {@code events} as one atomic write; replies with the last one's sequence number. */
  public record AppendAll(List<String> events) {}

  /** Replies with the events recovered and appended so far, and the last sequence number. */
  public enum GetState { INSTANCE }

  public record State(List<String> events, long lastSequenceNr) {}

  /** Deletes all events; replies with the {@link DeleteMessagesSuccess}. */
  public enum DeleteAll { INSTANCE }

  /** Deletes the events up to {@code toSequenceNr}, as retention does; replies like {@link DeleteAll}. */
  public record DeleteTo(long toSequenceNr) {}

  private final String persistenceId;
  private final List<String> events = new ArrayList<>();
  private ActorRef deleteRequester = ActorRef.noSender();

  EventWriter(String persistenceId) {
    this.persistenceId = persistenceId;
  }

  public static Props props(String persistenceId) {
    return Props.create(EventWriter.class, () -> new EventWriter(persistenceId));
  }

  @Override
  public String persistenceId() {
    return persistenceId;
  }

  @Override
  public Receive createReceiveRecover() {
    return receiveBuilder().match(String.class, events::add).build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Append.class, append -> {
          ActorRef replyTo = getSender();
          persist(append.event(), event -> {
            events.add(event);
            replyTo.tell(lastSequenceNr(), getSelf());
          });
        })
        .match(AppendAll.class, append -> {
          ActorRef replyTo = getSender();
          int[] stored = {0};
          persistAll(append.events(), event -> {
            events.add(event);
            if (++stored[0] == append.events().size()) {
              replyTo.tell(lastSequenceNr(), getSelf());
            }
          });
        })
        .match(GetState.class, get ->
            getSender().tell(new State(List.copyOf(events), lastSequenceNr()), getSelf()))
        .match(DeleteAll.class, delete -> {
          deleteRequester = getSender();
          deleteMessages(lastSequenceNr());
        })
        .match(DeleteTo.class, delete -> {
          deleteRequester = getSender();
          deleteMessages(delete.toSequenceNr());
        })
        .match(DeleteMessagesSuccess.class, done -> deleteRequester.tell(done, getSelf()))
        .match(DeleteMessagesFailure.class, failed -> deleteRequester.tell(failed, getSelf()))
        .build();
  }
}
