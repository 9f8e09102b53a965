package io.tollgate.broker.invoicing.verification;

import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.trim.ReadPositions;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The billing verification as a reader of journals: every usage and billing journal is trimmed no
 * further than {@link VerificationCopy} has copied it, and asking for its positions makes it
 * copy what is new first.
 */
public final class VerificationReadPositions implements ReadPositions {
  private final ActorRef<VerificationCopy.Command> copy;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public VerificationReadPositions(ActorRef<VerificationCopy.Command> copy, ActorSystem<?> system, Duration timeout) {
    this.copy = copy;
    this.system = system;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "verification";
  }

  @Override
  public CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals) {
    return AskPattern.<VerificationCopy.Command, VerificationCopy.Positions>ask(copy,
            VerificationCopy.GetReadPositions::new, timeout, system.scheduler())
        .thenApply(positions -> {
          Map<String, Long> of = new HashMap<>();
          journals.stream().filter(VerificationReadPositions::follows)
              .forEach(journal -> of.put(journal, positions.byJournal().getOrDefault(journal, 0L)));
          return of;
        });
  }

  private static boolean follows(String journal) {
    return journal.startsWith(AccountBilling.persistenceId("")) || journal.startsWith(SubscriptionEntity.persistenceId(""));
  }
}
