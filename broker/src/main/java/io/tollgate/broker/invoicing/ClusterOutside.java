package io.tollgate.broker.invoicing;

import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.topic.Partitioner;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingArchiveSnapshot;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What an account's billing asks of the cluster, asked of the sharded entities that answer it. */
final class ClusterOutside implements AccountBilling.Outside {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterOutside.class);
  private final ClusterSharding sharding;
  private final CatalogView view;
  private final Duration timeout;
  private final ShardedAsk.Patience mustArrive;

  ClusterOutside(ClusterSharding sharding, CatalogView view, Duration timeout, ShardedAsk.Patience mustArrive) {
    this.sharding = sharding;
    this.mustArrive = mustArrive;
    this.view = view;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Void> catalogCaughtUp(long version) {
    if (version > 0) {
      return view.awaitVersion(version);
    }
    return ShardedAsk.ask(CatalogEntity.ref(sharding), CatalogEntity.GetVersion::new, timeout, timeout.multipliedBy(3))
        .thenCompose(view::awaitVersion);
  }

  @Override
  public CompletionStage<String> number(String issuer, String document) {
    return InvoiceNumbering.of(sharding, issuer)
        .<InvoiceNumbering.AssignedNumber>ask(replyTo -> new InvoiceNumbering.Assign(document, replyTo), timeout)
        .thenApply(InvoiceNumbering.AssignedNumber::number);
  }

  @Override
  public CompletionStage<Done> archive(String account, ArchivedPeriod period) {
    return BillingArchive.of(sharding, account).ask(replyTo -> new BillingArchive.Store(period, replyTo), timeout);
  }

  @Override
  public CompletionStage<BillingArchiveSnapshot> archived(String account) {
    return BillingArchive.of(sharding, account).ask(BillingArchive.Read::new, timeout);
  }

  /** Sent again until the sequence answers; one that never does leaves one document in its state. */
  @Override
  public void release(String issuer, String document) {
    InvoiceNumbering.release(InvoiceNumbering.of(sharding, issuer), document, mustArrive)
        .whenComplete((released, failure) -> {
          if (failure != null) {
            LOG.atWarn().addKeyValue("issuer", issuer).addKeyValue("document", document).setCause(failure)
                .log("the numbering sequence did not answer a release by the failover wait; it keeps the document");
          }
        });
  }

  @Override
  public CompletionStage<Done> credit(String producer, RevenueCredited credit) {
    return sharding.entityRefFor(AccountBilling.ENTITY_KEY, producer)
        .ask(replyTo -> new AccountBilling.CreditRevenue(credit, replyTo), timeout);
  }

  @Override
  public CompletionStage<Boolean> announce(CloudEvent event) {
    Optional<Catalog.Topic> topic = view.catalog().topic(Platform.INVOICES_TOPIC);
    if (topic.isEmpty()) {
      return CompletableFuture.completedFuture(false);
    }
    int partition = Partitioner.partitionOf(event, topic.get().partitions());
    return sharding.entityRefFor(TopicPartition.ENTITY_KEY, new PartitionRef(Platform.INVOICES_TOPIC, partition).entityId())
        .<TopicPartition.AppendResult>ask(replyTo -> new TopicPartition.Append(List.of(event), replyTo), timeout)
        .thenApply(result -> result instanceof TopicPartition.Appended);
  }
}
