package io.tollgate.broker.trim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import io.tollgate.broker.JournalDeletes;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;

/**
 * One per cluster: every {@code tollgate.retention.trim-interval}, trims the journals it is given
 * (subscriptions' usage, accounts' billing) behind their readers. It only sequences a round:
 * ask every reader where it is ({@link ReadPositions}), ask the snapshot store for each owner's
 * latest snapshot, let {@link TrimPlan} decide, and delete through {@link JournalDeletes}, one
 * journal at a time. A reader that does not answer stops the round (nothing is trimmed for lack
 * of a position); a delete that fails is tried again next round. What earlier rounds deleted is
 * kept in memory only: after a move, the first round deletes each range once more, which the
 * journal takes as a no-op.
 */
public final class JournalTrimmer {
  private JournalTrimmer() {}

  /** Told how many entries of a journal each delete removed (for /metrics). */
  public interface Listener {
    void trimmed(String journal, long entries);

    Listener NONE = (journal, entries) -> { };
  }

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Runs a round now and answers with what it deleted (a round already running answers when it ends). */
  public record TrimNow(ActorRef<Trimmed> replyTo) implements Command {}

  /** The deletions of one round; empty when there was nothing to trim or the round could not run. */
  public record Trimmed(List<TrimPlan.Deletion> deletions) implements NoSerializationVerificationNeeded {}

  private record Tick() implements Command {}

  private record RoundEnded(List<TrimPlan.Deletion> deleted, Throwable failure) implements Command {}

  /** Starts the singleton on this node's side. */
  public static void start(ActorSystem<?> system, Duration interval, Supplier<List<String>> journals,
                           List<ReadPositions> readers, LatestSnapshots snapshots, JournalDeletes deletes,
                           Listener listener) {
    Behavior<Command> trimmer = Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      return create(journals, readers, snapshots, deletes, listener);
    });
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(trimmer).onFailure(SupervisorStrategy.restart()), "journal-trimmer"));
  }

  /** The trimmer without its timer: rounds run on {@link TrimNow}. */
  public static Behavior<Command> create(Supplier<List<String>> journals, List<ReadPositions> readers,
                                         LatestSnapshots snapshots, JournalDeletes deletes, Listener listener) {
    return Behaviors.setup(context -> new Rounds(context, journals, readers, snapshots, deletes, listener).idle());
  }

  private static final class Rounds {
    private static final int PARALLEL_SNAPSHOT_LOADS = 4;
    private final ActorContext<Command> context;
    private final Supplier<List<String>> journals;
    private final List<ReadPositions> readers;
    private final LatestSnapshots snapshots;
    private final JournalDeletes deletes;
    private final Listener listener;
    private final Map<String, Long> deletedThrough = new HashMap<>();
    private final List<ActorRef<Trimmed>> waiting = new ArrayList<>();
    /** Used from the round's futures too, where the context must not be touched. */
    private final Logger log;
    private final ActorSystem<?> system;

    Rounds(ActorContext<Command> context, Supplier<List<String>> journals, List<ReadPositions> readers,
           LatestSnapshots snapshots, JournalDeletes deletes, Listener listener) {
      this.context = context;
      this.journals = journals;
      this.readers = readers;
      this.snapshots = snapshots;
      this.deletes = deletes;
      this.listener = listener;
      this.log = context.getLog();
      this.system = context.getSystem();
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, tick -> start())
          .onMessage(TrimNow.class, now -> {
            waiting.add(now.replyTo());
            return start();
          })
          .build();
    }

    private Behavior<Command> running() {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, tick -> Behaviors.same())
          .onMessage(TrimNow.class, now -> {
            waiting.add(now.replyTo());
            return Behaviors.same();
          })
          .onMessage(RoundEnded.class, this::onRoundEnded)
          .build();
    }

    private Behavior<Command> start() {
      context.pipeToSelf(round(List.copyOf(journals.get()), Map.copyOf(deletedThrough)),
          (deleted, failure) -> new RoundEnded(deleted, failure));
      return running();
    }

    private Behavior<Command> onRoundEnded(RoundEnded ended) {
      List<TrimPlan.Deletion> deleted = ended.failure() == null ? ended.deleted() : List.of();
      if (ended.failure() != null) {
        log.warn("journals were not trimmed this round; the next one tries again", ended.failure());
      } else if (!deleted.isEmpty()) {
        deleted.forEach(deletion -> {
          deletedThrough.merge(deletion.journal(), deletion.through(), Math::max);
          listener.trimmed(deletion.journal(), deletion.entries());
        });
        log.info("trimmed {} entries of {} journals behind their readers",
            deleted.stream().mapToLong(TrimPlan.Deletion::entries).sum(), deleted.size());
      }
      waiting.forEach(replyTo -> replyTo.tell(new Trimmed(deleted)));
      waiting.clear();
      return idle();
    }

    /** Positions of every reader, then each owner's latest snapshot, then the deletes, one at a time. */
    private CompletionStage<List<TrimPlan.Deletion>> round(List<String> toTrim, Map<String, Long> deleted) {
      if (toTrim.isEmpty()) {
        return CompletableFuture.completedFuture(List.of());
      }
      return ReaderFloors.ask(readers, toTrim).thenCompose(floors -> latestSnapshots(toTrim).thenCompose(latest -> {
        List<TrimPlan.Deletion> plan = TrimPlan.of(latest, floors, deleted);
        return Source.from(plan)
            .mapAsync(1, deletion -> deletes.deleteTo(deletion.journal(), deletion.through())
                .handle((done, failure) -> {
                  if (failure != null) {
                    log.warn("trimming {} up to entry {} failed; the next round tries again",
                        deletion.journal(), deletion.through(), failure);
                    return List.<TrimPlan.Deletion>of();
                  }
                  return List.of(deletion);
                }))
            .mapConcat(done -> done)
            .runWith(Sink.seq(), system);
      }));
    }

    private CompletionStage<Map<String, Long>> latestSnapshots(List<String> toTrim) {
      return Source.from(toTrim)
          .mapAsync(PARALLEL_SNAPSHOT_LOADS, journal -> snapshots.sequenceOf(journal)
              .thenApply(sequence -> Pair.create(journal, sequence)))
          .runWith(Sink.seq(), system)
          .thenApply(pairs -> {
            Map<String, Long> latest = new HashMap<>();
            pairs.forEach(pair -> latest.put(pair.first(), pair.second()));
            return latest;
          });
    }
  }
}
