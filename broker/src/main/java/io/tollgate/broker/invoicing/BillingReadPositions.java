package io.tollgate.broker.invoicing;

import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.trim.ReadPositions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Billing as a reader of journals: the account that owns a subscription reads its usage journal,
 * and the account that owns a topic reads its partitions' journals (publish metering). Each
 * account's billing is asked once per call to read its journals to their ends ({@code CatchUp}),
 * then for its positions ({@link BillingLedger#readPositions}); a catch-up that does not finish in
 * time still leaves the positions it reached. Billing otherwise reads a partition only when a bill
 * is read or a period closes, and retention would wait for that.
 */
public final class BillingReadPositions implements ReadPositions {
  private final ClusterSharding sharding;
  private final CatalogView view;
  private final Duration timeout;

  public BillingReadPositions(ClusterSharding sharding, CatalogView view, Duration timeout) {
    this.sharding = sharding;
    this.view = view;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "billing";
  }

  @Override
  public CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals) {
    Catalog catalog = view.catalog();
    Map<String, List<String>> byAccount = new TreeMap<>();
    Map<String, Long> unknownReader = new HashMap<>();
    for (String journal : journals) {
      if (follows(journal)) {
        readerOf(catalog, journal).ifPresentOrElse(
            account -> byAccount.computeIfAbsent(account, a -> new ArrayList<>()).add(journal),
            () -> unknownReader.put(journal, 0L));
      }
    }
    CompletableFuture<Map<String, Long>> all = CompletableFuture.completedFuture(unknownReader);
    for (Map.Entry<String, List<String>> account : byAccount.entrySet()) {
      EntityRef<AccountBilling.Command> billing = sharding.entityRefFor(AccountBilling.ENTITY_KEY, account.getKey());
      CompletionStage<AccountBilling.Positions> asked = ShardedAsk.<AccountBilling.Command, Done>ask(billing,
              AccountBilling.CatchUp::all, timeout, timeout.multipliedBy(3))
          .handle((caughtUp, failure) -> caughtUp)
          .thenCompose(caughtUp -> ShardedAsk.ask(billing, AccountBilling.GetReadPositions::new, timeout,
              timeout.multipliedBy(3)));
      all = all.thenCombine(asked, (positions, answered) -> {
        account.getValue().forEach(journal -> positions.put(journal, answered.byJournal().getOrDefault(journal, 0L)));
        return positions;
      });
    }
    return all;
  }

  /** Every usage journal and every partition journal has a billing that reads it. */
  private static boolean follows(String journal) {
    return PartitionRef.isPersistenceId(journal) || journal.startsWith(SubscriptionEntity.persistenceId(""));
  }

  /**
   * The account whose billing reads {@code journal}: the subscription's, or the topic owner's;
   * empty when this node's catalog does not know it yet (then it counts as unread).
   */
  static Optional<String> readerOf(Catalog catalog, String journal) {
    if (PartitionRef.isPersistenceId(journal)) {
      return catalog.topic(PartitionRef.fromPersistenceId(journal).topic())
          .flatMap(topic -> catalog.domain(topic.domain())).map(Catalog.Domain::owner);
    }
    return catalog.subscription(journal.substring(SubscriptionEntity.persistenceId("").length()))
        .map(Catalog.Subscription::account);
  }
}
