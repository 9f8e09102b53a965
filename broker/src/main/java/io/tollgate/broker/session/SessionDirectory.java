package io.tollgate.broker.session;

import io.tollgate.broker.serialization.codec.ClusterMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Each node's {@link OpenSessions}, reachable from every node: one directory actor per node,
 * registered with the receptionist. Listing an account's sessions asks every registered
 * directory; closing one asks every directory to close it, and the node that holds it does.
 */
public final class SessionDirectory {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "tollgate-sessions");

  public sealed interface Command extends ClusterMessage {}

  /** {@code account}: whose sessions; empty: everyone's. */
  public record ListSessions(String account, ActorRef<SessionsListed> replyTo) implements Command {}

  /** {@code account}: the session must be this account's (empty: any, for the operator); {@code actor} closes it. */
  public record CloseSession(String sessionId, String account, String actor, ActorRef<SessionClosed> replyTo)
      implements Command {}

  public record SessionsListed(List<OpenSession> sessions) implements ClusterMessage {}

  public record SessionClosed(boolean closed) implements ClusterMessage {}

  /** The sessions of every node that answered, and how many nodes did not. */
  public record ClusterListing(List<OpenSession> sessions, int unanswered) {}

  private SessionDirectory() {}

  public static Behavior<Command> create(OpenSessions sessions) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
      return Behaviors.receive(Command.class)
          .onMessage(ListSessions.class, list -> {
            list.replyTo().tell(new SessionsListed(sessions.of(list.account())));
            return Behaviors.same();
          })
          .onMessage(CloseSession.class, close -> {
            close.replyTo().tell(new SessionClosed(
                sessions.close(close.sessionId(), close.account(), Ending.closedBy(close.actor()))));
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Every node's open sessions of {@code account}, oldest first. */
  public static CompletionStage<ClusterListing> list(ActorSystem<?> system, String account, Duration timeout) {
    return directories(system, timeout).thenCompose(directories -> {
      List<CompletableFuture<List<OpenSession>>> answers = directories.stream()
          .map(directory -> AskPattern.<Command, SessionsListed>ask(directory,
                  replyTo -> new ListSessions(account, replyTo), timeout, system.scheduler())
              .thenApply(SessionsListed::sessions)
              .exceptionally(unanswered -> null)
              .toCompletableFuture())
          .toList();
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
        List<OpenSession> sessions = new ArrayList<>();
        int unanswered = 0;
        for (CompletableFuture<List<OpenSession>> answer : answers) {
          if (answer.join() == null) {
            unanswered++;
          } else {
            sessions.addAll(answer.join());
          }
        }
        sessions.sort(Comparator.comparing(OpenSession::openedAt));
        return new ClusterListing(List.copyOf(sessions), unanswered);
      });
    });
  }

  /** Closes the session wherever it is open; false when no node holds it (for that account). */
  public static CompletionStage<Boolean> close(ActorSystem<?> system, String sessionId, String account, String actor,
                                               Duration timeout) {
    return directories(system, timeout).thenCompose(directories -> {
      List<CompletableFuture<Boolean>> answers = directories.stream()
          .map(directory -> AskPattern.<Command, SessionClosed>ask(directory,
                  replyTo -> new CloseSession(sessionId, account, actor, replyTo), timeout, system.scheduler())
              .thenApply(SessionClosed::closed)
              .exceptionally(unanswered -> false)
              .toCompletableFuture())
          .toList();
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
          .thenApply(done -> answers.stream().anyMatch(CompletableFuture::join));
    });
  }

  private static CompletionStage<List<ActorRef<Command>>> directories(ActorSystem<?> system, Duration timeout) {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(KEY, replyTo), timeout, system.scheduler())
        .thenApply(listing -> List.copyOf(listing.getServiceInstances(KEY)));
  }
}
