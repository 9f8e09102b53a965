package io.tollgate.broker.subscription;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.topic.LiveTail;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * A look at what a subscription receives, for its consumer's console: the newest events of its
 * product's partitions as a stream would deliver them ({@link DeliveryTerms}: the plan's filter
 * and redaction, the subscription's own filter), read straight from the journals. No session is
 * attached and the subscription's entity is not asked, so nothing is acknowledged, metered,
 * billed or counted against a quota, and the consumer's cursor does not move.
 */
public final class SubscriptionPreview {
  /** An event as the consumer sees it, and when its journal entry was written (for merging partitions). */
  record Written(Delivery delivery, long writtenAtMillis) {}

  private final ClusterSharding sharding;
  private final LiveTail journal;
  private final Duration askTimeout;

  public SubscriptionPreview(ClusterSharding sharding, LiveTail journal, Duration askTimeout) {
    this.sharding = sharding;
    this.journal = journal;
    this.askTimeout = askTimeout;
  }

  /** Up to {@code limit} of the newest events the subscription's consumer may see, oldest first. */
  public CompletionStage<List<Delivery>> newest(Catalog catalog, Catalog.Subscription subscription, int limit) {
    DeliveryTerms terms = DeliveryTerms.of(catalog.plan(subscription.plan()).orElseThrow(), subscription);
    Catalog.Product product = catalog.product(subscription.product()).orElseThrow();
    List<CompletableFuture<List<Written>>> partitions = new ArrayList<>();
    for (PartitionRef partition : catalog.partitionsOf(product)) {
      partitions.add(newestOf(partition, terms, limit).toCompletableFuture());
    }
    return CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new))
        .thenApply(done -> newestAcross(partitions.stream().map(CompletableFuture::join).toList(), limit));
  }

  private CompletionStage<List<Written>> newestOf(PartitionRef partition, DeliveryTerms terms, int limit) {
    return sharding.entityRefFor(TopicPartition.ENTITY_KEY, partition.entityId())
        .<AckPoint>ask(TopicPartition.GetEnd::new, askTimeout)
        .thenCompose(end -> end.offset() < 0 ? CompletableFuture.completedFuture(List.<EventEnvelope>of())
            : journal.newest(partition.persistenceId(), end.cursor().sequence(), limit))
        .thenApply(entries -> {
          List<Written> seen = new ArrayList<>();
          for (EventEnvelope entry : entries) {
            EventsAppended appended = (EventsAppended) entry.event();
            List<CloudEvent> events = appended.getEventsList();
            for (int index = 0; index < events.size(); index++) {
              Delivery delivery = new Delivery(new Cursor(partition.topic(), partition.partition(), entry.sequenceNr(),
                  index), appended.getFirstOffset() + index, events.get(index));
              terms.admit(delivery).ifPresent(admitted -> seen.add(new Written(admitted, entry.timestamp())));
            }
          }
          return seen;
        });
  }

  /**
   * The {@code limit} newest of several partitions' events, oldest first: by when their entries
   * were written, then by topic, partition and offset (events of one entry share its time).
   */
  static List<Delivery> newestAcross(List<List<Written>> partitions, int limit) {
    List<Written> all = new ArrayList<>();
    partitions.forEach(all::addAll);
    all.sort(Comparator.comparingLong(Written::writtenAtMillis)
        .thenComparing(written -> written.delivery().cursor().topic())
        .thenComparingInt(written -> written.delivery().cursor().partition())
        .thenComparingLong(written -> written.delivery().offset()));
    return all.subList(Math.max(0, all.size() - limit), all.size()).stream().map(Written::delivery).toList();
  }
}
