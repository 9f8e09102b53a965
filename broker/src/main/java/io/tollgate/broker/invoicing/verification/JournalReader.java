package io.tollgate.broker.invoicing.verification;

import com.google.protobuf.Message;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.JournalsCopied;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads what a verification needs with {@code currentEventsByPersistenceId}, which every
 * journal plugin (RocksDB, Cassandra) serves in sequence-number order: the catalog's journal;
 * then, for all accounts, every billing and usage journal; for one account, its billing journal
 * and those of its counterparts (the producers of what it subscribes to, the consumers of its
 * products), whose documents owe it credits or are owed by it, and its usage journals. In that
 * order, so that a node closing periods while it reads cannot make a document look wrong: a
 * subscription or plan change newer than the catalog read only touches the current period, and
 * an invoice's usage was journaled before the invoice. The usage and billing journals are trimmed
 * behind their readers, so what was written before is read from the verification's own copy
 * ({@link VerificationCopy}: the documents as journaled, usage summed per period and plan segment),
 * and each journal only after what was copied of it. The work grows with the documents and with
 * the entries not copied yet: it is an operator's audit, not a request path.
 */
public final class JournalReader {
  private static final int PARALLEL_READS = 4;
  /** Reads in a row that may find a journal trimmed past the copy they read, before the verification gives up. */
  private static final int ATTEMPTS = 3;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final ActorSystem<?> system;

  public JournalReader(CurrentEventsByPersistenceIdQuery journal, ActorSystem<?> system) {
    this.journal = journal;
    this.system = system;
  }

  public CompletionStage<Journals> read(Optional<String> account) {
    return read(account, ATTEMPTS);
  }

  /** A journal trimmed past the copy this read had: the copy moved on meanwhile, and a new read finds it. */
  private static final class TrimmedWhileRead extends RuntimeException {
    TrimmedWhileRead(String persistenceId, long expected, long found) {
      super(persistenceId + " starts at entry " + found + ", after the copy's " + (expected - 1));
    }
  }

  private CompletionStage<Journals> read(Optional<String> account, int attempts) {
    return events(CatalogEntity.PERSISTENCE_ID, CatalogChange.class::cast).thenCompose(changes -> {
      Catalog catalog = new Catalog();
      changes.forEach(catalog::apply);
      List<String> subscriptions = catalog.subscriptions().stream()
          .filter(subscription -> account.map(subscription.account()::equals).orElse(true))
          .map(Catalog.Subscription::id).sorted().toList();
      // The copy first, then each journal after what was copied of it; billing before usage: every
      // invoice read was finalized after its usage was journaled, so that usage is read too,
      // however the node goes on closing periods meanwhile.
      return copies().thenCompose(copies -> readAll(accounts(catalog, account), id -> {
            String journal = AccountBilling.persistenceId(id);
            return after(journal, copies.throughOf(journal), Message.class::cast)
                .thenApply(read -> joined(copies.billing().getOrDefault(id, List.of()), read));
          })
          .thenCompose(billing -> readAll(subscriptions, id -> {
            String journal = SubscriptionEntity.persistenceId(id);
            return after(journal, copies.throughOf(journal), CursorsAdvanced.class::cast)
                .thenApply(read -> joined(copies.usage().getOrDefault(id, List.of()), read));
          }).thenApply(usage -> new Journals(changes, usage, billing))));
    }).exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      return cause instanceof TrimmedWhileRead && attempts > 1 ? read(account, attempts - 1)
          : CompletableFuture.<Journals>failedFuture(cause);
    });
  }

  private CompletionStage<CopiedJournals.Copies> copies() {
    return events(VerificationCopy.PERSISTENCE_ID, JournalsCopied.class::cast).thenApply(CopiedJournals::of);
  }

  private static <T> List<T> joined(List<T> copied, List<T> read) {
    List<T> all = new ArrayList<>(copied);
    all.addAll(read);
    return all;
  }

  /** The entries of {@code persistenceId} after {@code copiedThrough}, which must all still be there. */
  private <T> CompletionStage<List<T>> after(String persistenceId, long copiedThrough, Function<Object, T> as) {
    return journal.currentEventsByPersistenceId(persistenceId, copiedThrough + 1, Long.MAX_VALUE)
        .runWith(Sink.seq(), system)
        .thenApply(envelopes -> {
          if (!envelopes.isEmpty() && envelopes.get(0).sequenceNr() != copiedThrough + 1) {
            throw new TrimmedWhileRead(persistenceId, copiedThrough + 1, envelopes.get(0).sequenceNr());
          }
          return envelopes.stream().map(envelope -> as.apply(envelope.event())).toList();
        });
  }

  /** Every account, or one and its counterparts. */
  private static List<String> accounts(Catalog catalog, Optional<String> account) {
    if (account.isEmpty()) {
      return catalog.accounts().stream().map(Catalog.Account::id).sorted().toList();
    }
    TreeSet<String> involved = new TreeSet<>(List.of(account.get()));
    for (Catalog.Subscription subscription : catalog.subscriptions()) {
      Optional<String> producer = catalog.product(subscription.product()).map(Catalog.Product::owner);
      if (subscription.account().equals(account.get())) {
        producer.ifPresent(involved::add);
      } else if (producer.filter(account.get()::equals).isPresent()) {
        involved.add(subscription.account());
      }
    }
    return List.copyOf(involved);
  }

  /** A few journals at a time, each read whole. */
  private <T> CompletionStage<Map<String, List<T>>> readAll(List<String> ids, Function<String, CompletionStage<List<T>>> read) {
    return Source.from(ids).mapAsync(PARALLEL_READS, id -> read.apply(id).thenApply(events -> Map.entry(id, events)))
        .runWith(Sink.seq(), system)
        .thenApply(entries -> {
          Map<String, List<T>> byId = new HashMap<>();
          entries.forEach(entry -> byId.put(entry.getKey(), entry.getValue()));
          return byId;
        });
  }

  private <T> CompletionStage<List<T>> events(String persistenceId, Function<Object, T> as) {
    return journal.currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
        .map(envelope -> as.apply(envelope.event()))
        .runWith(Sink.seq(), system);
  }
}
