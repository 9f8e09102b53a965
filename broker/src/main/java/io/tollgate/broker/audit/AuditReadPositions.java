package io.tollgate.broker.audit;

import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.invoicing.AccountBilling;
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
 * The audit log as a reader of journals: it follows the catalog's journal and every account's
 * billing journal. Asked for its positions, it first indexes what was written since its last
 * read, so an audit log nobody pages through does not hold the billing journals back.
 */
public final class AuditReadPositions implements ReadPositions {
  private final ActorRef<AuditReadSide.Command> readSide;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public AuditReadPositions(ActorRef<AuditReadSide.Command> readSide, ActorSystem<?> system, Duration timeout) {
    this.readSide = readSide;
    this.system = system;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "audit";
  }

  /** Every account's billing journal, listed in the log's catalog yet or not, and the catalog's. */
  private static boolean follows(String journal) {
    return journal.startsWith(AccountBilling.persistenceId("")) || journal.equals(CatalogEntity.PERSISTENCE_ID);
  }

  @Override
  public CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals) {
    return AskPattern.<AuditReadSide.Command, AuditReadSide.Positions>ask(readSide, AuditReadSide.GetReadPositions::new,
            timeout, system.scheduler())
        .thenApply(positions -> {
          Map<String, Long> of = new HashMap<>();
          journals.stream().filter(AuditReadPositions::follows)
              .forEach(journal -> of.put(journal, positions.byJournal().getOrDefault(journal, 0L)));
          return of;
        });
  }
}
