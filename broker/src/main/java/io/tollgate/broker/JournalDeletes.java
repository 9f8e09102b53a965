package io.tollgate.broker;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;

/**
 * Deletes a journal's entries up to a sequence number, on whichever journal plugin the node
 * runs (RocksDB: a range delete, then a compaction of that range; Cassandra: the plugin's
 * deletes). Typed event-sourced behaviors can delete only on snapshot, by count; retention
 * and trimming decide by time, size and readers' positions, so they ask the journal directly.
 */
public interface JournalDeletes {

  /** Completes when the entries of {@code persistenceId} up to {@code toSequence} are deleted. */
  CompletionStage<Void> deleteTo(String persistenceId, long toSequence);

  Duration TIMEOUT = Duration.ofSeconds(30);

  static JournalDeletes of(ActorSystem<?> system) {
    org.apache.pekko.actor.ActorRef journal = Persistence.get(Adapter.toClassic(system))
        .journalFor("", ConfigFactory.empty());
    return (persistenceId, toSequence) -> Patterns.askWithReplyTo(journal,
            replyTo -> new JournalProtocol.DeleteMessagesTo(persistenceId, toSequence, replyTo), TIMEOUT)
        .thenCompose(reply -> {
          if (reply instanceof DeleteMessagesSuccess) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          Throwable cause = reply instanceof DeleteMessagesFailure failure ? failure.cause()
              : new IllegalStateException("unexpected reply to a delete: " + reply);
          return CompletableFuture.<Void>failedFuture(cause);
        });
  }
}
